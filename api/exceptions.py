"""DRF exception handler producing RFC 9457 problem details (see :mod:`api.problems`)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import OperationalError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.renderers import JSONRenderer
from rest_framework.serializers import as_serializer_error
from rest_framework.views import exception_handler

from api.problems import PROBLEM_CONTENT_TYPE, problem_body
from config.errors import DomainError, ErrorKind

# The one place where a domain error's kind becomes an HTTP status.
KIND_STATUS: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 400,
    ErrorKind.UNAUTHENTICATED: 401,
    ErrorKind.PAYMENT_REQUIRED: 402,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.GONE: 410,
    ErrorKind.TOO_LARGE: 413,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.UNAVAILABLE: 503,
}


def status_for(error: DomainError) -> int:
    return KIND_STATUS[ErrorKind(error.kind)]


def _is_leaf(node) -> bool:
    return isinstance(node, dict) and set(node) == {"message", "code"}


def flatten_errors(details) -> dict[str, list[dict]]:
    """DRF's nested ``get_full_details()`` as ``{"field.sub.0": [{"code", "message"}]}``.

    Errors that belong to no field are listed under ``non_field_errors``.
    """
    flat: dict[str, list[dict]] = {}

    def walk(node, path: str) -> None:
        if _is_leaf(node):
            flat.setdefault(path or "non_field_errors", []).append(
                {"code": str(node["code"]), "message": str(node["message"])}
            )
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, f"{path}.{key}" if path else str(key))
        elif isinstance(node, list):
            for index, item in enumerate(node):
                walk(item, path if _is_leaf(item) else (f"{path}.{index}" if path else str(index)))

    walk(details, "")
    return flat


def errors_of_non_field_problem(status: int, code: str, detail: str) -> dict | None:
    """Every 400 is a validation problem: a reason that belongs to no field is also listed
    under ``errors``, so clients read one shape (malformed bodies, invalid tokens, rejected
    files ...). Other statuses carry no ``errors``."""
    if status != 400:
        return None
    return {"non_field_errors": [{"code": code, "message": detail}]}


class DomainAPIException(exceptions.APIException):
    """A service's :class:`config.errors.DomainError`, carried through DRF's handling."""

    def __init__(self, error: DomainError) -> None:
        self.status_code = status_for(error)
        self.extra = dict(error.extra or {})
        super().__init__(detail=error.message, code=error.code)


# A burst drains in seconds: long enough for queued requests to finish, short for a learner.
BUSY_RETRY_AFTER_SECONDS = 2


class ServiceBusy(exceptions.APIException):
    """Every database connection of this process is in use and none came free in time (a
    burst: an exam ending, a course launch). Nothing was done; the client retries later."""

    status_code = 503
    default_code = "service_busy"
    default_detail = "The service is busy right now; nothing was changed. Try again shortly."

    def __init__(self, wait: int) -> None:
        super().__init__()
        self.wait = wait  # DRF's handler turns it into Retry-After


def _pool_exhausted(exc: Exception) -> bool:
    if not isinstance(exc, OperationalError):
        return False
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # the embedded default has no connection pool
        return False
    return isinstance(exc.__cause__, PoolTimeout)


class DatabaseUnavailable(exceptions.APIException):
    """The database connection was lost or refused (a restart, a failover). The request may
    have been cut anywhere, so unlike ``service_busy`` this does not promise nothing changed;
    the writes of the API are idempotent or keyed (event ids) for this retry."""

    status_code = 503
    default_code = "database_unavailable"
    default_detail = "The database could not be reached. Try again shortly."

    def __init__(self, wait: int) -> None:
        super().__init__()
        self.wait = wait


# SQLSTATE classes of a lost or refused connection: 08 (connection exception) and 57P0x
# (the server shutting down or starting up).
_CONNECTION_STATES = ("08", "57P01", "57P02", "57P03")


def _connection_lost(exc: Exception) -> bool:
    """A psycopg connection-level failure: the server went away or refused us. Errors of
    the query itself (and SQLite's) are not: they are bugs, and stay 500."""
    if not isinstance(exc, OperationalError):
        return False
    try:
        import psycopg
    except ImportError:
        return False
    cause = exc.__cause__
    if not isinstance(cause, psycopg.OperationalError):
        return False
    state = getattr(cause, "sqlstate", None)
    return state is None or state.startswith(_CONNECTION_STATES)


def _to_api_exception(exc: Exception) -> Exception:
    if _pool_exhausted(exc):
        return ServiceBusy(wait=BUSY_RETRY_AFTER_SECONDS)
    if _connection_lost(exc):
        return DatabaseUnavailable(wait=BUSY_RETRY_AFTER_SECONDS)
    if isinstance(exc, DomainError):
        return DomainAPIException(exc)
    if isinstance(exc, Http404):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    return exc


def problem_exception_handler(exc: Exception, context: dict):
    exc = _to_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # unexpected errors go to Django's 500 handling (also problem JSON)

    if isinstance(exc, exceptions.ValidationError):
        body = problem_body(
            status=response.status_code,
            code="invalid",
            detail="The request has invalid fields; see errors.",
            errors=flatten_errors(exc.get_full_details()),
        )
    else:
        details = exc.get_full_details()
        if isinstance(details, dict) and "message" in details:
            detail, code = str(details["message"]), str(details.get("code") or exc.default_code)
        elif isinstance(exc.detail, dict) and "detail" in exc.detail:  # simplejwt's shape
            detail = str(exc.detail["detail"])
            code = str(exc.detail.get("code") or exc.default_code)
        else:
            detail, code = str(exc.default_detail), str(exc.default_code)
        if code == "error":
            code = str(exc.default_code)
        body = problem_body(
            status=response.status_code,
            code=code,
            detail=detail,
            errors=errors_of_non_field_problem(response.status_code, code, detail),
        )
        body.update(getattr(exc, "extra", None) or {})

    response.data = body
    request = context.get("request")
    renderer = getattr(request, "accepted_renderer", None)
    file_format = getattr(renderer, "format", "json") not in ("json", "api")
    if file_format and request is not None:
        # A file format (``?format=csv``, a bare JWT) cannot say what went wrong: errors are
        # problem JSON whatever the client asked for.
        request.accepted_renderer = JSONRenderer()
        request.accepted_media_type = JSONRenderer.media_type
    if renderer is None or file_format or renderer.format == "json":
        response.content_type = PROBLEM_CONTENT_TYPE
    return response
