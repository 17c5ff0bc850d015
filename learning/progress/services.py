"""Progress writes: lesson starts, video heartbeats, lesson completion and course completion.

Video progress is *watched coverage*: the union of the media intervals a player reports as
played, merged per learner and lesson (:mod:`learning.progress.intervals`). Seeking adds
nothing; replaying adds nothing; a lesson completes when coverage reaches the course's
``video_completion_threshold``.

**Credited, never claimed.** One rule, enforced here and nowhere else:

- watching a lesson is credited only once the learner *started* it: the explicit open
  (:func:`lesson_open`, ``POST …/lessons/{id}/open/``) or the issue of a playback URL for its
  video (:func:`video_playback_started`), whichever came first. Heartbeats for a lesson never
  started are rejected (``not_started``) and credited nothing;
- new coverage is paid from the learner's **one** allowance
  (:class:`~learning.progress.models.PlaybackAllowance`), shared by all lessons, tabs and
  devices: it refills with wall time x ``PROGRESS_MAX_PLAYBACK_RATE`` and holds at most
  ``PROGRESS_MAX_CREDIT_SECONDS`` of wall time; and no lesson gains more coverage than that
  rate x the wall time since the learner started it;
- a span is charged exactly the coverage it adds, and the coverage counted is exactly what
  was charged (:func:`learning.progress.intervals.credit`): gaps are never free.

A batch is applied in one transaction that first locks the learner's allowance row
(``SELECT … FOR UPDATE``) and only then reads the clock, then locks the progress rows of the
lessons it touches: concurrent requests of one learner (tabs, devices, retries) are applied
one after the other, client event ids count once, and progress never goes back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cms.models import CourseLesson
from learning.analytics.models import LearningEvent, ObjectType, Verb
from learning.analytics.services import event_record, events_record
from learning.enrollment.errors import NotEnrolled
from learning.enrollment.models import Enrollment
from learning.progress import errors, intervals, selectors
from learning.progress.models import (
    HeartbeatReceipt,
    LessonProgress,
    LessonStatus,
    PlaybackAllowance,
)

# Clocks differ: client times up to this far in the future are accepted.
CLIENT_CLOCK_SKEW = timedelta(minutes=5)
# Players report positions slightly past the end of a video.
DURATION_TOLERANCE_SECONDS = 1.0
# Quarters of a video logged as `progressed` events (the log is sampled, not every beat).
PROGRESS_BUCKETS = (25, 50, 75)
XAPI_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"


def clock() -> datetime:
    """The time every progress write uses (one place, so tests can let time pass)."""
    return timezone.now()


class Reason:
    """Why an event was rejected, or what was changed about an accepted one."""

    INVALID = "invalid"
    BATCH_TOO_LARGE = "batch_too_large"
    LESSON_NOT_AVAILABLE = "lesson_not_available"
    NOT_A_VIDEO = "not_a_video_lesson"
    VIDEO_NOT_READY = "video_not_ready"
    NOT_STARTED = "not_started"
    BEYOND_DURATION = "beyond_duration"
    CLAMPED_TO_DURATION = "clamped_to_duration"
    FASTER_THAN_PLAYBACK = "faster_than_playback"
    PLAYBACK_RATE = "playback_rate_out_of_range"
    CLIENT_TIME_IN_FUTURE = "client_time_in_future"
    DUPLICATE = "duplicate_event"

    ALL = (
        INVALID,
        BATCH_TOO_LARGE,
        LESSON_NOT_AVAILABLE,
        NOT_A_VIDEO,
        VIDEO_NOT_READY,
        NOT_STARTED,
        BEYOND_DURATION,
        CLAMPED_TO_DURATION,
        FASTER_THAN_PLAYBACK,
        PLAYBACK_RATE,
        CLIENT_TIME_IN_FUTURE,
        DUPLICATE,
    )


class Outcome:
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


@dataclass(frozen=True)
class Heartbeat:
    index: int
    client_event_id: uuid.UUID
    lesson_id: uuid.UUID
    start: float
    end: float
    position: float
    playback_rate: float
    client_time: datetime


@dataclass(frozen=True)
class InvalidHeartbeat:
    """An event that is not well formed: ``errors`` per field, ``[{"code", "message"}]``."""

    index: int
    client_event_id: uuid.UUID | None
    errors: dict[str, list[dict[str, str]]]


@dataclass
class HeartbeatResult:
    index: int
    client_event_id: uuid.UUID | None
    status: str
    reasons: list[str] = field(default_factory=list)
    credited_seconds: float = 0.0
    errors: dict | None = None  # per field, for events that are not well formed


@dataclass
class HeartbeatBatch:
    """One result per event of a batch, in order, and the learner's progress in each lesson
    the batch credited."""

    results: list[HeartbeatResult]
    lessons: list[LessonProgress]


def _event(user, verb, lesson: CourseLesson, now, *, result=None, extensions=None):
    return LearningEvent(
        actor=user,
        verb=verb,
        object_type=ObjectType.LESSON,
        object_id=str(lesson.lesson_id),
        course_id=lesson.course_id,
        result=result or {},
        context={"extensions": extensions} if extensions else {},
        timestamp=now,
    )


def _locked_progress(user, lesson: CourseLesson, *, now) -> tuple[LessonProgress, bool]:
    """The learner's progress row for ``lesson``, locked until the transaction ends; created
    (started now, in progress) when missing. Safe when two requests create it at once."""
    rows = LessonProgress.objects.select_for_update()
    try:
        progress, created = rows.get(user=user, lesson=lesson), False
    except LessonProgress.DoesNotExist:
        try:
            with transaction.atomic():
                progress, created = (
                    LessonProgress.objects.create(
                        user=user, lesson=lesson, course_id=lesson.course_id, started_at=now
                    ),
                    True,
                )
        except IntegrityError:
            progress, created = rows.get(user=user, lesson=lesson), False
    progress.lesson = lesson
    return progress, created


def _lesson_start(user, lesson: CourseLesson, now) -> tuple[LessonProgress, bool]:
    """Start ``lesson`` for ``user`` now unless it has started (idempotent, safe under
    concurrent calls; takes no lock on an existing row). The first start also gives the
    learner their (empty) allowance."""
    progress = LessonProgress.objects.filter(user=user, lesson=lesson).first()
    if progress is not None:
        return progress, False
    try:
        with transaction.atomic():
            progress = LessonProgress.objects.create(
                user=user, lesson=lesson, course_id=lesson.course_id, started_at=now
            )
    except IntegrityError:
        return LessonProgress.objects.get(user=user, lesson=lesson), False
    PlaybackAllowance.objects.bulk_create(
        [PlaybackAllowance(user=user, balance=0.0, refilled_at=now)], ignore_conflicts=True
    )
    events_record([_event(user, Verb.LESSON_STARTED, lesson, now)])
    return progress, True


# A heartbeat refreshes the enrollment's last activity at most this often (same lesson).
ACTIVITY_RESOLUTION = timedelta(minutes=1)


def _touch_enrollment(user, lesson: CourseLesson, now) -> None:
    known = getattr(lesson, "enrollment_activity", None)
    if (
        known is not None
        and getattr(lesson, "enrollment_last_lesson", None) == lesson.lesson_id
        and timedelta(0) <= now - known < ACTIVITY_RESOLUTION
    ):
        return  # already recorded recently: spare the hot path a write
    Enrollment.objects.current().filter(user=user, course_id=lesson.course_id).update(
        last_activity_at=now, last_lesson_id=lesson.lesson_id
    )


def _complete(progress: LessonProgress, *, by: str, now) -> None:
    progress.status = LessonStatus.COMPLETED
    progress.fraction = 1.0
    progress.completed_at = now
    progress.completed_by = by


def _completed_event(user, lesson, progress, now, *, result=None) -> LearningEvent:
    return _event(
        user,
        Verb.LESSON_COMPLETED,
        lesson,
        now,
        result={"completion": True, **(result or {})},
        extensions={"completed_by": progress.completed_by},
    )


# --- Starting a lesson ------------------------------------------------------------------------


def lesson_open(*, user, lesson: CourseLesson) -> LessonProgress:
    """A current learner opens a lesson (the explicit ``POST …/open/``): it starts, the first
    time (watching it is credited from now on), and becomes their last lesson. Idempotent:
    opening again keeps the start. Raises :class:`NotEnrolled` for people who are not
    current learners of the course."""
    current = Enrollment.objects.current().filter(user=user, course_id=lesson.course_id)
    if not current.exists():
        raise NotEnrolled()  # refused without writing (the update below still decides races)
    with transaction.atomic():
        now = clock()
        progress, _ = _lesson_start(user, lesson, now)
        # The enrollment last, as heartbeats do (progress rows, then the enrollment).
        touched = current.update(last_activity_at=now, last_lesson_id=lesson.lesson_id)
        if not touched:
            raise NotEnrolled()  # rolls the start back
    return progress


def video_playback_started(*, user, video_id: int) -> list[LessonProgress]:
    """A learner was given a playback URL for a video: each lesson of their current courses
    that plays it and has not started yet starts now (whichever comes first, this or
    :func:`lesson_open`). Their last lesson is not changed. Returns the lessons started."""
    if user is None or not user.is_authenticated:
        return []
    lessons = list(
        selectors.current_video_lessons(user, video_id).exclude(
            Exists(LessonProgress.objects.filter(user=user, lesson=OuterRef("pk")))
        )
    )
    if not lessons:
        return []
    with transaction.atomic():
        now = clock()
        return [_lesson_start(user, lesson, now)[0] for lesson in lessons]


# --- Heartbeats -------------------------------------------------------------------------------


def _check(hb: Heartbeat, lesson: CourseLesson | None) -> tuple[list[str], float | None]:
    """Reasons to reject ``hb`` that need no clock (empty when acceptable) and the video's
    duration."""
    if lesson is None:
        return [Reason.LESSON_NOT_AVAILABLE], None
    if lesson.kind != CourseLesson.Kind.VIDEO:
        return [Reason.NOT_A_VIDEO], None
    duration = lesson.video_duration
    if not duration or duration <= 0:
        return [Reason.VIDEO_NOT_READY], None
    reasons = []
    if not 0 < hb.playback_rate <= settings.PROGRESS_MAX_PLAYBACK_RATE:
        reasons.append(Reason.PLAYBACK_RATE)
    if hb.start >= duration + DURATION_TOLERANCE_SECONDS:
        reasons.append(Reason.BEYOND_DURATION)
    return reasons, duration


def heartbeats_record(
    *,
    user,
    events: Sequence[Any],
    parse: Callable[[int, Any], Heartbeat | InvalidHeartbeat] | None = None,
) -> HeartbeatBatch:
    """Apply a batch of player heartbeats; each event is judged on its own.

    ``events`` are raw items that ``parse(index, item)`` turns into a :class:`Heartbeat` or an
    :class:`InvalidHeartbeat` (without ``parse`` they must be heartbeats already). At most
    ``PROGRESS_MAX_BATCH_EVENTS`` are parsed and judged; the rest are rejected
    (``batch_too_large``) unread. Returns one result per event (accepted, duplicate or
    rejected, with reasons) and the learner's progress in each lesson credited."""
    limit = settings.PROGRESS_MAX_BATCH_EVENTS
    results: dict[int, HeartbeatResult] = {}
    heartbeats: list[Heartbeat] = []
    for index, raw in enumerate(events):
        if index >= limit:
            results[index] = HeartbeatResult(
                index, None, Outcome.REJECTED, [Reason.BATCH_TOO_LARGE]
            )
            continue
        item = parse(index, raw) if parse is not None else raw
        if isinstance(item, InvalidHeartbeat):
            results[index] = HeartbeatResult(
                index, item.client_event_id, Outcome.REJECTED, [Reason.INVALID], errors=item.errors
            )
        else:
            heartbeats.append(item)
    touched = _heartbeats_apply(user, heartbeats, results) if heartbeats else []
    _push_progress(user, touched)
    return HeartbeatBatch([results[index] for index in range(len(events))], touched)


def _push_progress(user, touched: list[LessonProgress]) -> None:
    """The learner's other tabs and devices see their progress move (best effort)."""
    if not touched:
        return
    from learning.notifications import push
    from learning.progress.selectors import lesson_state

    lessons = []
    for progress in touched:
        state = lesson_state(progress)
        completed = state["completed_at"]
        lessons.append(
            {
                **state,
                "completed_at": completed.isoformat() if completed else None,
                "lesson_id": str(progress.lesson.lesson_id),
                "course_id": progress.course_id,
            }
        )
    push.progress_changed(user_id=user.pk, payload={"lessons": lessons})


def _locked_allowance(user) -> PlaybackAllowance:
    """The learner's allowance row, locked until the transaction ends (created empty, as of
    now, for learners who started lessons before allowances were per learner)."""
    rows = PlaybackAllowance.objects.select_for_update()
    allowance = rows.filter(user=user).first()
    if allowance is None:
        PlaybackAllowance.objects.bulk_create(
            [PlaybackAllowance(user=user, balance=0.0, refilled_at=clock())],
            ignore_conflicts=True,
        )
        allowance = rows.get(user=user)
    return allowance


def _heartbeats_apply(user, heartbeats: list[Heartbeat], results: dict) -> list[LessonProgress]:
    lessons = selectors.current_lessons(user, {hb.lesson_id for hb in heartbeats})
    groups: dict[CourseLesson, list[tuple[Heartbeat, float]]] = {}
    for hb in heartbeats:
        lesson = lessons.get(hb.lesson_id)
        reasons, duration = _check(hb, lesson)
        if reasons:
            results[hb.index] = HeartbeatResult(
                hb.index, hb.client_event_id, Outcome.REJECTED, reasons
            )
        else:
            groups.setdefault(lesson, []).append((hb, duration))
    if not groups:
        return []
    with transaction.atomic():
        allowance = _locked_allowance(user)
        now = clock()  # after the lock: a request that waited cannot move the clock back
        rate = settings.PROGRESS_MAX_PLAYBACK_RATE
        elapsed = max(0.0, (now - allowance.refilled_at).total_seconds())
        balance = min(
            settings.PROGRESS_MAX_CREDIT_SECONDS * rate, allowance.balance + elapsed * rate
        )
        rows = {
            progress.lesson_id: progress
            for progress in LessonProgress.objects.select_for_update()
            .filter(user=user, lesson__in=[lesson.pk for lesson in groups])
            .order_by("pk")
        }
        # Lessons spend from the one balance in the order their first events were played;
        # events in the order they were played.
        plan: list[tuple[CourseLesson, LessonProgress, list[tuple[Heartbeat, float]]]] = []
        for lesson, group in sorted(
            groups.items(), key=lambda item: min((hb.client_time, hb.index) for hb, _ in item[1])
        ):
            playable = []
            for hb, duration in sorted(
                group, key=lambda item: (item[0].client_time, item[0].index)
            ):
                reason = None
                if lesson.pk not in rows:
                    reason = Reason.NOT_STARTED
                elif hb.client_time > now + CLIENT_CLOCK_SKEW:
                    reason = Reason.CLIENT_TIME_IN_FUTURE
                if reason:
                    results[hb.index] = HeartbeatResult(
                        hb.index, hb.client_event_id, Outcome.REJECTED, [reason]
                    )
                else:
                    playable.append((hb, duration))
            if playable:
                progress = rows[lesson.pk]
                progress.lesson = lesson
                plan.append((lesson, progress, playable))
        # Each event id counts once: the receipts this batch is the first to claim.
        fresh = HeartbeatReceipt.objects.claim(
            user.pk,
            list(dict.fromkeys(hb.client_event_id for *_, group in plan for hb, _ in group)),
            received_at=timezone.now(),
        )
        spent = 0.0
        events: list[LearningEvent] = []
        touched: list[tuple[CourseLesson, LessonProgress, bool]] = []
        for lesson, progress, group in plan:
            lesson_spent, completed_now = _lesson_apply(
                user, lesson, progress, group, results, fresh, events, balance - spent, now
            )
            spent += lesson_spent
            touched.append((lesson, progress, completed_now))
        if spent > 0:
            PlaybackAllowance.objects.filter(user=user).update(
                balance=max(0.0, balance - spent), refilled_at=now
            )
        if events:
            events_record(events)
        for lesson, _progress, _ in touched:
            _touch_enrollment(user, lesson, now)
        for course_id in {lesson.course_id for lesson, _, completed in touched if completed}:
            course_completion_check(user=user, course_id=course_id)
    return [progress for _, progress, _ in touched]


def _lesson_apply(
    user, lesson, progress, group, results, fresh: set, events, balance: float, now
) -> tuple[float, bool]:
    """Credit one lesson's events (in play order) from ``balance``; returns what was spent and
    whether the lesson completed now. Saves the progress row. ``fresh`` holds the event ids
    not counted before; each is taken out when used."""
    rate = settings.PROGRESS_MAX_PLAYBACK_RATE
    watched = intervals.normalise(progress.watched)
    # No lesson gains more than the rate x the wall time since it started.
    since_start = max(0.0, (now - progress.started_at).total_seconds())
    room = min(balance, since_start * rate - intervals.covered_seconds(watched))
    spent = 0.0
    duration = group[0][1]
    for hb, duration in group:
        if hb.client_event_id not in fresh:
            results[hb.index] = HeartbeatResult(
                hb.index, hb.client_event_id, Outcome.DUPLICATE, [Reason.DUPLICATE]
            )
            continue
        fresh.discard(hb.client_event_id)
        reasons = []
        limit = duration + DURATION_TOLERANCE_SECONDS
        if hb.end > limit or hb.position > limit:
            reasons.append(Reason.CLAMPED_TO_DURATION)
        end = min(hb.end, duration)
        watched, credited, added = intervals.credit(
            watched, (hb.start, end), duration, max(0.0, room - spent)
        )
        if credited[1] < end - 1e-6:
            reasons.append(Reason.FASTER_THAN_PLAYBACK)
        spent += added
        if progress.position_client_time is None or hb.client_time > progress.position_client_time:
            progress.position = min(max(0.0, hb.position), duration)
            progress.position_client_time = hb.client_time
        results[hb.index] = HeartbeatResult(
            hb.index, hb.client_event_id, Outcome.ACCEPTED, reasons, round(added, 3)
        )

    progress.watched = [list(span) for span in watched]
    progress.watched_seconds = round(intervals.covered_seconds(watched), 3)
    coverage = intervals.coverage(watched, duration)
    completed_now = False
    if progress.status != LessonStatus.COMPLETED:
        progress.fraction = round(min(coverage, 1.0), 4)
        if coverage * 100 >= lesson.threshold - 1e-9:
            _complete(progress, by=LessonProgress.CompletedBy.WATCHING, now=now)
            events.append(_completed_event(user, lesson, progress, now))
            completed_now = True
        else:
            bucket = max((b for b in PROGRESS_BUCKETS if coverage * 100 >= b), default=0)
            if bucket > progress.progressed_bucket:
                progress.progressed_bucket = bucket
                events.append(
                    _event(
                        user,
                        Verb.PROGRESSED,
                        lesson,
                        now,
                        result={"completion": False, "extensions": {XAPI_PROGRESS: bucket}},
                    )
                )
    progress.save()
    return spent, completed_now


@transaction.atomic
def lesson_complete(
    *, user, lesson: CourseLesson, by: str, result: dict | None = None
) -> LessonProgress:
    """Complete a lesson for a current learner (idempotent). ``by`` is
    :class:`LessonProgress.CompletedBy`; ``result`` (xAPI: score, success…) goes to the log."""
    if not Enrollment.objects.current().filter(user=user, course_id=lesson.course_id).exists():
        raise NotEnrolled()
    now = clock()
    progress, created = _locked_progress(user, lesson, now=now)
    events = [_event(user, Verb.LESSON_STARTED, lesson, now)] if created else []
    if progress.status != LessonStatus.COMPLETED:
        _complete(progress, by=by, now=now)
        progress.save()
        events.append(_completed_event(user, lesson, progress, now, result=result))
    if events:
        events_record(events)
    _touch_enrollment(user, lesson, now)
    course_completion_check(user=user, course_id=lesson.course_id)
    _push_progress(user, [progress])
    return progress


def reading_mark_complete(*, user, lesson: CourseLesson) -> LessonProgress:
    """A learner says they finished a reading lesson."""
    if lesson.kind != CourseLesson.Kind.READING:
        raise errors.CompletionNotManual()
    return lesson_complete(user=user, lesson=lesson, by=LessonProgress.CompletedBy.LEARNER)


def quiz_lesson_passed(*, user, lesson: CourseLesson, score: dict | None = None) -> LessonProgress:
    """The assessment app calls this when a learner passes a quiz lesson. ``score`` is an
    xAPI score (``{"scaled": 0.8, "raw": 8, "max": 10}``) for the log."""
    if lesson.kind != CourseLesson.Kind.QUIZ:
        raise errors.LessonNotAvailable("This lesson is not a quiz.")
    result = {"success": True, **({"score": score} if score else {})}
    return lesson_complete(
        user=user, lesson=lesson, by=LessonProgress.CompletedBy.ASSESSMENT, result=result
    )


def course_completion_check(*, user, course_id: int) -> bool:
    """Complete the learner's active enrollment when every required live lesson of the course
    is complete. Records ``course_completed`` and, after commit, runs the
    ``COURSE_COMPLETED_HANDLERS`` in a worker. Returns whether it completed now."""
    required = CourseLesson.objects.filter(course_id=course_id, is_live=True, optional=False)
    done = LessonProgress.objects.filter(
        lesson=OuterRef("pk"), user=user, status=LessonStatus.COMPLETED
    )
    if not required.exists() or required.exclude(Exists(done)).exists():
        return False
    now = clock()
    with transaction.atomic():
        updated = Enrollment.objects.filter(
            user=user, course_id=course_id, status=Enrollment.Status.ACTIVE
        ).update(status=Enrollment.Status.COMPLETED, completed_at=now)
        if not updated:
            return False
        enrollment = Enrollment.objects.get(
            user=user, course_id=course_id, status=Enrollment.Status.COMPLETED
        )
        event_record(
            actor=user,
            verb=Verb.COURSE_COMPLETED,
            object_type=ObjectType.COURSE,
            object_id=str(course_id),
            course_id=course_id,
            result={"completion": True},
            context={"registration": str(enrollment.pk)},
            timestamp=now,
        )
        from learning.notifications import handlers as notifications
        from learning.progress.tasks import course_completed

        notifications.course_completed(enrollment)
        transaction.on_commit(lambda: course_completed.delay(enrollment.pk))
    return True


def course_completions_recheck(*, course_id: int) -> int:
    """After a course's content changed (a required lesson removed or made optional): complete
    the active enrollments whose learners have now done every required lesson."""
    required = CourseLesson.objects.filter(course_id=course_id, is_live=True, optional=False)
    missing = required.exclude(
        Exists(
            LessonProgress.objects.filter(
                lesson=OuterRef("pk"),
                user=OuterRef(OuterRef("user")),
                status=LessonStatus.COMPLETED,
            )
        )
    )
    candidates = Enrollment.objects.filter(
        course_id=course_id, status=Enrollment.Status.ACTIVE
    ).exclude(Exists(missing))
    completed = 0
    for enrollment in candidates.select_related("user").iterator():
        completed += course_completion_check(user=enrollment.user, course_id=course_id)
    return completed


def heartbeat_receipts_prune(*, older_than: datetime) -> int:
    deleted, _ = HeartbeatReceipt.objects.filter(received_at__lt=older_than).delete()
    return deleted
