"""The headless shape of course content, and its cache.

Outlines (sections and their lessons, never bodies) and lesson bodies are cached per published
state of a course: the cache key holds the course's live revision and a generation number that
is bumped whenever the course or one of its sections is published, unpublished, scheduled,
moved or deleted (see :func:`course_content_changed`). A catalog generation, bumped with every
course's, keys the cached API responses that show more than one course (see
``api.courses.cache``). The preview API builds the same shapes from unsaved pages, bypassing
the cache.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

from cms.blocks import LessonBlock, VideoLessonBlock

CATALOG_GENERATION_KEY = "cms:content-gen"


def _generation_key(course_id: int) -> str:
    return f"cms:course-gen:{course_id}"


def _generation(key: str) -> int:
    value = cache.get(key)
    if value is None:
        cache.add(key, 0, timeout=None)  # stored, so later reads are hits
        return 0
    return value


def course_generation(course_id: int) -> int:
    return _generation(_generation_key(course_id))


def catalog_generation() -> int:
    """Bumped whenever any course's published state (or what the catalog shows about it)
    changes: responses that show more than one course are cached under it."""
    return _generation(CATALOG_GENERATION_KEY)


def generations(course_id: int) -> tuple[int, int]:
    """(catalog generation, course generation) in one cache round trip."""
    keys = generation_keys(course_id)
    return generations_of(cache.get_many(keys), keys)


def generation_keys(course_id: int | None) -> list[str]:
    """The cache keys of the generations a response depends on: the catalog's, and the
    course's when it shows one course (read them with others in one ``get_many``)."""
    if course_id is None:
        return [CATALOG_GENERATION_KEY]
    return [CATALOG_GENERATION_KEY, _generation_key(course_id)]


def generations_of(found: dict, keys: list[str]) -> tuple[int, ...]:
    """The generations under ``keys`` in what a ``get_many`` found; a missing one is stored
    as 0, so later reads are hits."""
    for key in keys:
        if key not in found:
            cache.add(key, 0, timeout=None)
    return tuple(found.get(key) or 0 for key in keys)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=None)


def catalog_changed() -> None:
    """Forget every cached response that shows more than one course (the catalog) and every
    cached course and lesson response (they show other courses: prerequisites)."""
    _bump(CATALOG_GENERATION_KEY)


def course_content_changed(course_id: int) -> None:
    """Forget every cached outline and lesson of the course, and the cached catalog."""
    _bump(_generation_key(course_id))
    catalog_changed()


def _cache_key(kind: str, course, *parts) -> str:
    generation = course_generation(course.pk)
    suffix = ":".join(str(p) for p in parts)
    return f"cms:{kind}:{course.pk}:{course.live_revision_id}:{generation}:{suffix}"


def _cached(key: str, build, timeout: int | None = None):
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=timeout or settings.COURSE_CONTENT_CACHE_SECONDS)
    return value


def lesson_cache_seconds() -> int:
    """Lesson bodies hold signed URLs (video posters; images on private S3): cache them for
    at most half of those URLs' lifetime, so a cached body never hands out an expired one."""
    signed = [settings.MEDIA_SIGNED_URL_SECONDS]
    options = settings.STORAGES.get("default", {}).get("OPTIONS", {})
    if options.get("querystring_auth", False) and options.get("querystring_expire"):
        signed.append(options["querystring_expire"])
    return max(1, min(settings.COURSE_CONTENT_CACHE_SECONDS, *(s // 2 for s in signed)))


def lesson_children(section) -> Iterable:
    return section.lessons or []


def section_outline(section) -> dict:
    """A section with its lessons' outline. Read from the stream's raw data, so no lesson
    body is converted (no image, document or video is loaded)."""
    stream = section.lessons
    kinds = stream.stream_block.child_blocks
    lessons = []
    for raw in stream.raw_data:
        block: LessonBlock | None = kinds.get(raw["type"])
        if block is not None:
            lessons.append({"id": raw["id"], **block.outline_from_raw(raw["value"])})
    return {
        "id": section.pk,
        "title": section.title,
        "slug": section.slug,
        "summary": section.summary,
        "lessons": lessons,
    }


def _add_video_durations(sections: list, outlined: list[dict]) -> None:
    """Video lessons' durations, from one query for every video of the outline."""
    from media_pipeline.models import VideoAsset

    wanted: dict[int, list[dict]] = {}
    for section, outline in zip(sections, outlined, strict=True):
        for raw, lesson in zip(
            (
                r
                for r in section.lessons.raw_data
                if r["type"] in section.lessons.stream_block.child_blocks
            ),
            outline["lessons"],
            strict=True,
        ):
            if raw["type"] == "video" and (
                video_id := VideoLessonBlock.video_id_from_raw(raw["value"])
            ):
                wanted.setdefault(video_id, []).append(lesson)
    if not wanted:
        return
    for pk, duration in VideoAsset.objects.filter(pk__in=wanted).values_list(
        "pk", "duration_seconds"
    ):
        for lesson in wanted[pk]:
            lesson["video_duration"] = duration


def outline_of_sections(sections: Iterable) -> dict:
    sections = list(sections)
    outlined = [section_outline(section) for section in sections]
    _add_video_durations(sections, outlined)
    lessons = [lesson for section in outlined for lesson in section["lessons"]]
    return {
        "sections": outlined,
        "lesson_count": len(lessons),
        "total_minutes": sum(lesson["estimated_minutes"] for lesson in lessons),
    }


def course_outline(course, load_sections) -> dict:
    """The outline of a live course (cached). ``load_sections()`` returns its live sections
    in order; it is only called on a cache miss."""
    return _cached(_cache_key("outline", course), lambda: outline_of_sections(load_sections()))


def find_lesson(outline: dict, lesson_id: str) -> tuple[dict, dict] | None:
    """(section, lesson) of the outline holding ``lesson_id``."""
    for section in outline["sections"]:
        for lesson in section["lessons"]:
            if lesson["id"] == lesson_id:
                return section, lesson
    return None


def lesson_body(section, lesson_id: str, context: dict | None = None) -> dict | None:
    for child in lesson_children(section):
        if child.id == lesson_id:
            return {"id": child.id, **child.block.get_api_representation(child.value, context)}
    return None


def cached_lesson_body(course, section_id: int, lesson_id: str, load_section) -> dict | None:
    return _cached(
        _cache_key("lesson", course, section_id, lesson_id),
        lambda: lesson_body(load_section(), lesson_id),
        timeout=lesson_cache_seconds(),
    )


def answer_keys(section) -> dict[str, dict]:
    """Lesson id -> question id -> correct answers, for graders. Never sent to learners."""
    return {
        child.id: child.block.answer_keys(child.value)
        for child in lesson_children(section)
        if child.block.answer_keys(child.value)
    }
