from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from learning.analytics import rollups
from learning.analytics.models import LearningEvent, RollupState


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


# --- Rollups ------------------------------------------------------------------------------------


@dataclass
class RollupRun:
    name: str
    keys: int
    watermark: datetime | None
    skipped: bool = False


def rollup_run(name: str, *, upto: datetime | None = None) -> RollupRun:
    """Bring rollup ``name`` up to date: rebuild every key whose sources changed after its
    watermark and up to ``upto`` (default: now minus ``ANALYTICS_ROLLUP_LAG_SECONDS``, so rows
    of transactions still open when they were stamped are not passed by), one transaction per
    key, then move the watermark. Killed halfway, nothing moves the watermark: the next run
    rebuilds the same keys again, with the same result. Concurrent runs of one rollup are
    kept apart by a cache lock (the second one skips)."""
    rollup = rollups.REGISTRY[name]
    lock = f"analytics:rollup:{name}"
    if not cache.add(lock, "1", timeout=settings.ANALYTICS_ROLLUP_LOCK_SECONDS):
        return RollupRun(name, 0, None, skipped=True)
    try:
        started = time.monotonic()
        state, _ = RollupState.objects.get_or_create(name=name)
        now = timezone.now()
        if upto is None:
            upto = now - timedelta(seconds=settings.ANALYTICS_ROLLUP_LAG_SECONDS)
        if state.watermark is not None and upto <= state.watermark:
            return RollupRun(name, 0, state.watermark)
        keys = sorted(set(rollup.dirty(state.watermark, upto)))
        for key in keys:
            with transaction.atomic():
                rollup.rebuild(key)
        RollupState.objects.filter(name=name).update(
            watermark=upto,
            last_run_at=now,
            last_keys=len(keys),
            last_duration_ms=int((time.monotonic() - started) * 1000),
        )
        return RollupRun(name, len(keys), upto)
    finally:
        cache.delete(lock)


def rollups_run(*, upto: datetime | None = None) -> list[RollupRun]:
    """Every registered rollup, in registration order."""
    return [rollup_run(name, upto=upto) for name in rollups.REGISTRY]


def rollup_rebuild_all(name: str) -> RollupRun:
    """Forget the watermark of ``name`` and rebuild it from the beginning (after a fix to a
    rollup function); the tables are replaced key by key, so readers never see them empty."""
    RollupState.objects.filter(name=name).update(watermark=None)
    return rollup_run(name)
