from __future__ import annotations

from django.db.models import QuerySet

from learning.analytics.models import LearningEvent
from learning.analytics.xapi import statement


def events_for_course(*, course_id: int) -> QuerySet[LearningEvent]:
    return LearningEvent.objects.filter(course_id=course_id).order_by("timestamp", "id")


def events_for_actor(*, actor) -> QuerySet[LearningEvent]:
    return LearningEvent.objects.filter(actor=actor).order_by("timestamp", "id")


def statements_for_actor(actor) -> list[dict]:
    """Data-rights export: the person's learning record as xAPI statements."""
    return [statement(event) for event in events_for_actor(actor=actor).iterator()]
