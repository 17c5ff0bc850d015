"""Scripted learning-event histories for analytics tests."""

from __future__ import annotations

from datetime import UTC, datetime

from learning.analytics.models import LearningEvent, ObjectType


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0, *, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def log(user, verb, course, when, *, lesson=None, stored=None, context=None) -> LearningEvent:
    """An event that happened ``when`` and was stored ``stored`` (default: at once)."""
    event = LearningEvent(
        actor=user,
        verb=verb,
        object_type=ObjectType.LESSON if lesson else ObjectType.COURSE,
        object_id=str(lesson) if lesson else str(course.pk),
        course_id=course.pk,
        context=context or {},
        timestamp=when,
    )
    event.save(force_insert=True)
    LearningEvent.objects.filter(pk=event.pk).update(stored_at=stored or when)
    return event
