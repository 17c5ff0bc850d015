"""Cached course content responses: what the catalog, a course and a lesson look like to an
anonymous client, built once per published state and reused by every request.

Each response has one slot (a cache key per catalog query, course or lesson, and the scheme
and host the client used: URLs in entries are absolute). A slot holds the last entry built
and the content generations of :mod:`cms.headless` it was built under (bumped on every
publish, unpublish, schedule, move and delete of a course or its sections, and on view
restriction and category changes). One ``get_many`` reads the current generations and the
slot together; the entry is served only when its generations are the current ones, so the
request after a publish rebuilds. Generations are read before building, so an entry built
while a publish lands is labelled with the older generation and rebuilt by the next request.
An entry is one ``cache.set`` of a finished response, so no response mixes two states.
Learner state is never in an entry; views merge it in per request.

An entry is ``{"body", "etag", "built_at", ...}``: ``body`` is the response rendered as JSON
once, when built (the bytes every anonymous client gets, read without unpickling the data);
:func:`data_of` parses it back for views that merge learner state in. ``etag`` is computed
once too. The ``cached_*`` functions only look (one round trip, never build): views use them
to answer anonymous reads before DRF's dispatch (:mod:`api.courses.public`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from api.conditional import etag_of
from cms import headless, selectors

# Bumped whenever an entry's shape changes, so a deploy never reads an older process' entries.
PREFIX = "api:r2"
CATALOG_PARAMS = ("q", "category", "level", "language", "price", "instructor", "tag", "ordering")
PAGE_PARAMS = ("page", "page_size")


def _origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


_json = JSONRenderer()


def _entry(data: dict, **extra) -> dict:
    return {
        "body": _json.render(data),
        "etag": etag_of(data),
        "built_at": timezone.now(),
        **extra,
    }


def data_of(entry: dict) -> dict:
    """The response data of an entry (a new object each time: callers may change it)."""
    return json.loads(entry["body"])


def _lookup(slot: str, course_id: int | None) -> tuple[dict | None, list]:
    """The slot's entry when it was built under the current generations (else None), and
    those generations: one cache round trip."""
    generation_keys = headless.generation_keys(course_id)
    found = cache.get_many([*generation_keys, slot])
    generations = headless.generations_of(found, generation_keys)
    stored = found.get(slot)
    if stored is not None and stored["generations"] == generations and _fresh(stored["entry"]):
        return stored["entry"], generations
    return None, generations


def _get_or_build(
    slot: str, course_id: int | None, build: Callable[[], dict | None], timeout: int
) -> dict | None:
    """The slot's current entry, else ``build()``'s, stored with the generations read before
    building."""
    entry, generations = _lookup(slot, course_id)
    if entry is not None:
        return entry
    entry = build()
    if entry is not None:
        cache.set(slot, {"generations": generations, "entry": entry}, timeout=timeout)
    return entry


def _fresh(entry: dict) -> bool:
    """False once the course's scheduled unpublish time passed (the job may not have run)."""
    expire_at = entry.get("expire_at")
    return expire_at is None or expire_at > timezone.now()


def catalog_key(request) -> str:
    """The catalog page this request asks for: only the parameters the catalog reads, in a
    fixed order (so ``?utm_source=…`` or a different order shares the entry)."""
    params = [
        (name, value)
        for name in CATALOG_PARAMS + PAGE_PARAMS
        for value in sorted(request.GET.getlist(name))
    ]
    query = hashlib.blake2b(f"{_origin(request)}?{urlencode(params)}".encode(), digest_size=16)
    return f"{PREFIX}:catalog:{query.hexdigest()}"


def catalog_page(request, build: Callable[[], dict]) -> dict:
    """The catalog entry for ``request``; ``build()`` returns the response data on a miss
    (and raises for invalid filters, which are never cached). An entry is fresh until the
    next live course's expire time."""
    return _get_or_build(
        catalog_key(request),
        None,
        lambda: _entry(build(), expire_at=selectors.next_course_expiry()),
        settings.CATALOG_CACHE_SECONDS,
    )


def _course_key(request, course_id: int) -> str:
    return f"{PREFIX}:course:{course_id}:{_origin(request)}"


def _lesson_key(request, course_id: int, lesson_id: str) -> str:
    return f"{PREFIX}:lesson:{course_id}:{_origin(request)}:{lesson_id}"


def cached_catalog_page(request) -> dict | None:
    return _lookup(catalog_key(request), None)[0]


def cached_course(request, course_id: int) -> dict | None:
    return _lookup(_course_key(request, course_id), course_id)[0]


def cached_lesson(request, course_id: int, lesson_id: str) -> dict | None:
    return _lookup(_lesson_key(request, course_id, lesson_id), course_id)[0]


def course_detail(request, course_id: int, build: Callable[[], dict | None]) -> dict | None:
    """The anonymous view of a course (``my_enrollment`` and lesson progress null), or None
    when it is not live. ``build()`` returns ``(data, expire_at)`` or None."""
    key = _course_key(request, course_id)

    def entry():
        built = build()
        return None if built is None else _entry(built[0], expire_at=built[1])

    return _get_or_build(key, course_id, entry, settings.CATALOG_CACHE_SECONDS)


def lesson(request, course_id: int, lesson_id: str, build: Callable[[], dict | None]):
    """The anonymous view of a lesson (``progress`` null) with ``free_preview`` and
    ``expire_at``, or None when the course or lesson is not live. Bodies hold signed URLs, so
    entries live no longer than :func:`cms.headless.lesson_cache_seconds`."""
    key = _lesson_key(request, course_id, lesson_id)

    def entry():
        built = build()
        if built is None:
            return None
        data, free_preview, expire_at = built
        return _entry(data, free_preview=free_preview, expire_at=expire_at)

    return _get_or_build(key, course_id, entry, headless.lesson_cache_seconds())
