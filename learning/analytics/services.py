from __future__ import annotations

from datetime import datetime

from django.db import transaction

from learning.analytics.models import LearningEvent


@transaction.atomic
def event_record(
    *,
    actor,
    verb: str,
    object_type: str,
    object_id: str,
    course_id: int,
    result: dict | None = None,
    context: dict | None = None,
    timestamp: datetime | None = None,
) -> LearningEvent:
    """Append one learning event. Callers record inside their own transaction, so an event
    exists exactly when the change it describes was committed."""
    event = LearningEvent(
        actor=actor,
        verb=verb,
        object_type=object_type,
        object_id=str(object_id),
        course_id=course_id,
        result=result or {},
        context=context or {},
    )
    if timestamp is not None:
        event.timestamp = timestamp
    event.full_clean()
    event.save(force_insert=True)
    return event


def events_record(events: list[LearningEvent]) -> list[LearningEvent]:
    """Append many prepared events in one query (for batched heartbeats). Their actors are
    loaded users, so the foreign key is not looked up again."""
    for event in events:
        event.full_clean(exclude=["actor"])
    return LearningEvent.objects.bulk_create(events)
