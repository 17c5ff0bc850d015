"""Anonymous reads answered from the response cache before DRF's dispatch.

A catalog page, a course or a free-preview lesson looks the same to every anonymous client.
Once :mod:`api.courses.cache` holds it (built by the view, under the current content
generations), its JSON bytes are sent as they are: no authentication, throttle, content
negotiation, serializer or renderer runs, and no query. Status, body and headers are the ones
the view gives for the same request (``tests/api/courses/test_response_cache.py``).

Only requests that are certainly anonymous and ask for plain JSON take this path: ``GET``, no
``Authorization`` header, no session cookie, no ``?format=``, and an ``Accept`` header that
JSON satisfies without parameters (no ``text/html``: browsers get DRF's browsable API; no
``indent=``). Everything else, and every miss, runs the view as usual, which builds the entry.
"""

from __future__ import annotations

from django.conf import settings

from api.conditional import public_json_response

_JSON_RANGES = frozenset({"*/*", "application/*", "application/json"})


def _wants_plain_json(accept: str) -> bool:
    if not accept:
        return True
    satisfied = False
    for item in accept.split(","):
        media, _, params = item.partition(";")
        media = media.strip().lower()
        if media == "text/html" or params.strip():
            return False  # DRF decides: the browsable API, a q-value order, an indent
        satisfied = satisfied or media in _JSON_RANGES
    return satisfied


def is_plain_anonymous_json_get(request) -> bool:
    return (
        request.method == "GET"
        and "HTTP_AUTHORIZATION" not in request.META
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "format" not in request.GET
        and _wants_plain_json(request.META.get("HTTP_ACCEPT", ""))
    )


class AnonymousFromCache:
    """For read-only API views: ``cached_public(request, **kwargs)`` returns the current entry
    an anonymous client may see and its ``Cache-Control`` (or None: the view runs)."""

    def cached_public(self, request, **kwargs) -> tuple[dict, str] | None:
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        if is_plain_anonymous_json_get(request):
            found = self.cached_public(request, **kwargs)
            if found is not None:
                entry, cache_control = found
                return public_json_response(
                    request,
                    entry["body"],
                    etag=entry["etag"],
                    last_modified=entry["built_at"],
                    cache_control=cache_control,
                    allow=", ".join(self.allowed_methods),
                )
        return super().dispatch(request, *args, **kwargs)
