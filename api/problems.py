"""RFC 9457 problem details: the one error shape of every API endpoint.

``{"type", "title", "status", "detail", "code"}`` plus ``errors`` (field path -> list of
``{"code", "message"}``) on validation failures. ``type`` is a stable URN built from ``code``.
"""

from __future__ import annotations

from http import HTTPStatus

from django.http import JsonResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"

TITLES = {
    "invalid": "Invalid input",
    "parse_error": "Malformed request body",
    "not_authenticated": "Authentication required",
    "authentication_failed": "Authentication failed",
    "permission_denied": "Permission denied",
    "not_found": "Not found",
    "method_not_allowed": "Method not allowed",
    "not_acceptable": "Not acceptable",
    "unsupported_media_type": "Unsupported media type",
    "throttled": "Too many requests",
    "api_version_unavailable": "API version not available",
    "server_error": "Internal server error",
}


def problem_type(code: str) -> str:
    return f"urn:unpuzzle:problem:{code}"


# Messages can quote what the client sent ("'<value>' is not a valid choice"): an error never
# echoes more than this many characters of any message or field path.
MAX_ECHO_CHARS = 500


def clip(text: str, limit: int = MAX_ECHO_CHARS) -> str:
    """``text`` cut to ``limit`` characters (ending with "…" when cut)."""
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clipped_errors(errors: dict) -> dict:
    return {
        clip(path): [{**item, "message": clip(item.get("message", ""))} for item in items]
        for path, items in errors.items()
    }


def problem_body(
    *, status: int, code: str, detail: str, title: str | None = None, errors: dict | None = None
) -> dict:
    body = {
        "type": problem_type(code),
        "title": title or TITLES.get(code) or HTTPStatus(status).phrase,
        "status": status,
        "detail": clip(detail),
        "code": code,
    }
    if errors is not None:
        body["errors"] = _clipped_errors(errors)
    return body


def problem_response(*, status: int, code: str, detail: str, **kwargs) -> JsonResponse:
    """A problem response for plain Django views (outside DRF's exception handling)."""
    return JsonResponse(
        problem_body(status=status, code=code, detail=detail, **kwargs),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
