"""Conditional GETs and HTTP caching for read endpoints.

Responses that are the same for every anonymous client are ``public``: a CDN or proxy may keep
them for ``API_CACHE_MAX_AGE`` seconds and serve them stale for ``API_CACHE_STALE_SECONDS``
more while it revalidates. They vary on ``Authorization`` and ``Cookie`` so a shared cache never
hands an anonymous copy to a signed-in client (nor the reverse). Responses that carry a learner's
state are ``private, no-cache``: only the learner's own client keeps them, and it revalidates
each time (a ``304`` costs no body).

``ETag`` is a hash of the response data; ``Last-Modified`` (public responses only) is when the
cached content was built. ``If-None-Match`` wins over ``If-Modified-Since`` (RFC 9110).
Views answering with :func:`conditional_response` set ``conditional_get = True`` so their
OpenAPI operation documents the ``304`` (:mod:`api.schema`).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from rest_framework.response import Response

PUBLIC_VARY = ("Accept", "Authorization", "Cookie")


def etag_of(data) -> str:
    """A strong ETag of JSON-like ``data`` (same data, same tag, in every process)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), cls=DjangoJSONEncoder)
    return '"' + hashlib.blake2b(text.encode(), digest_size=16).hexdigest() + '"'


def public_cache_control(max_age: int | None = None, stale: int | None = None) -> str:
    max_age = settings.API_CACHE_MAX_AGE if max_age is None else max_age
    stale = settings.API_CACHE_STALE_SECONDS if stale is None else stale
    return f"public, max-age={max_age}, stale-while-revalidate={stale}"


PRIVATE_CACHE_CONTROL = "private, no-cache"


def conditional_response(
    request,
    data,
    *,
    etag: str,
    public: bool,
    last_modified: datetime | None = None,
    cache_control: str | None = None,
) -> HttpResponseBase:
    """``data`` as a DRF response, or ``304 Not Modified`` when the client's copy is current;
    either way with the validators and caching headers."""
    timestamp = int(last_modified.timestamp()) if public and last_modified else None
    not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
    response = not_modified if not_modified is not None else Response(data)
    return _with_caching_headers(response, etag, timestamp, public, cache_control)


def public_json_response(
    request, body: bytes, *, etag: str, last_modified: datetime, cache_control: str, allow: str
) -> HttpResponseBase:
    """A public response whose JSON is already rendered (``body``), or ``304``: the same
    status, body and headers :func:`conditional_response` gives through DRF for that data,
    without DRF (``allow`` is the view's ``Allow`` header, which DRF would add)."""
    timestamp = int(last_modified.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=timestamp)
    if response is None:
        response = HttpResponse(body, content_type="application/json")
    response["Allow"] = allow
    return _with_caching_headers(response, etag, timestamp, True, cache_control)


def _with_caching_headers(response, etag, timestamp, public, cache_control):
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    if public:
        response["Cache-Control"] = cache_control or public_cache_control()
        patch_vary_headers(response, PUBLIC_VARY)
    else:
        response["Cache-Control"] = PRIVATE_CACHE_CONTROL
        patch_vary_headers(response, ("Accept", "Authorization", "Cookie"))
    return response
