"""Progress writes: video heartbeats, lesson completion and course completion.

Video progress is *watched coverage*: the union of the media intervals a player reports as
played, merged per learner and lesson (:mod:`learning.progress.intervals`). Seeking adds
nothing; replaying adds nothing; a lesson completes when coverage reaches the course's
``video_completion_threshold``. New coverage is paid for from an allowance refilled by wall
time x ``PROGRESS_MAX_PLAYBACK_RATE`` (at most ``PROGRESS_MAX_CREDIT_SECONDS`` of wall time at
once), so an interval a player could not have played in the time that passed is cut short.

Every batch is applied per lesson inside one transaction holding that learner's progress row
for the lesson (``SELECT … FOR UPDATE``): concurrent requests (two tabs, retries) are applied
one after the other, client event ids are counted once, and progress never goes back.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from cms.models import CourseLesson
from learning.analytics.models import LearningEvent, ObjectType, Verb
from learning.analytics.services import event_record, events_record
from learning.enrollment.errors import NotEnrolled
from learning.enrollment.models import Enrollment
from learning.progress import errors, intervals
from learning.progress.models import HeartbeatReceipt, LessonProgress, LessonStatus

# A lesson's first heartbeat may carry this much wall time of watching (the player reports
# after a while, and the lesson may have been opened by another client).
FIRST_HEARTBEAT_CREDIT_SECONDS = 60
# Clocks differ: client times up to this far in the future are accepted.
CLIENT_CLOCK_SKEW = timedelta(minutes=5)
# Players report positions slightly past the end of a video.
DURATION_TOLERANCE_SECONDS = 1.0
# Quarters of a video logged as `progressed` events (the log is sampled, not every beat).
PROGRESS_BUCKETS = (25, 50, 75)
XAPI_PROGRESS = "https://w3id.org/xapi/cmi5/result/extensions/progress"


class Reason:
    """Why an event was rejected, or what was changed about an accepted one."""

    INVALID = "invalid"
    BATCH_TOO_LARGE = "batch_too_large"
    LESSON_NOT_AVAILABLE = "lesson_not_available"
    NOT_A_VIDEO = "not_a_video_lesson"
    VIDEO_NOT_READY = "video_not_ready"
    BEYOND_DURATION = "beyond_duration"
    CLAMPED_TO_DURATION = "clamped_to_duration"
    FASTER_THAN_PLAYBACK = "faster_than_playback"
    PLAYBACK_RATE = "playback_rate_out_of_range"
    CLIENT_TIME_IN_FUTURE = "client_time_in_future"
    DUPLICATE = "duplicate_event"


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


@dataclass
class HeartbeatResult:
    index: int
    client_event_id: uuid.UUID | None
    status: str
    reasons: list[str] = field(default_factory=list)
    credited_seconds: float = 0.0
    errors: dict | None = None  # per field, for events that are not well formed


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


def _locked_progress(
    user, lesson: CourseLesson, *, now, credit_from
) -> tuple[LessonProgress, bool]:
    """The learner's progress row for ``lesson``, locked until the transaction ends; created
    (in progress) when missing. Safe when two requests create it at once."""
    rows = LessonProgress.objects.select_for_update()
    try:
        progress, created = rows.get(user=user, lesson=lesson), False
    except LessonProgress.DoesNotExist:
        try:
            with transaction.atomic():
                progress, created = (
                    LessonProgress.objects.create(
                        user=user,
                        lesson=lesson,
                        course_id=lesson.course_id,
                        allowance_at=credit_from,
                    ),
                    True,
                )
        except IntegrityError:
            progress, created = rows.get(user=user, lesson=lesson), False
    progress.lesson = lesson
    return progress, created


# A heartbeat refreshes the enrollment's last activity at most this often (same lesson).
ACTIVITY_RESOLUTION = timedelta(minutes=1)


def _touch_enrollment(user, lesson: CourseLesson, now) -> None:
    known = getattr(lesson, "enrollment_activity", None)
    if (
        known is not None
        and getattr(lesson, "enrollment_last_lesson", None) == lesson.lesson_id
        and now - known < ACTIVITY_RESOLUTION
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


def current_lessons(user, lesson_ids) -> dict[uuid.UUID, CourseLesson]:
    """Live lessons with these ids in live courses where ``user`` is a current learner, with
    what a heartbeat needs (one query, light rows: this is the hottest read of the product):
    ``video_duration``, ``threshold`` and the enrollment's last activity and lesson."""
    found: dict[uuid.UUID, CourseLesson] = {}
    rows = (
        CourseLesson.objects.filter(
            lesson_id__in=set(lesson_ids),
            is_live=True,
            course__live=True,
            # At most one current enrollment per learner and course (a constraint), so this
            # join adds no rows; the annotations below read that enrollment.
            course__enrollments__user=user,
            course__enrollments__status__in=Enrollment.CURRENT,
        )
        .only("pk", "course_id", "lesson_id", "kind")
        .annotate(
            video_duration=F("video__duration_seconds"),
            threshold=F("course__video_completion_threshold"),
            enrollment_activity=F("course__enrollments__last_activity_at"),
            enrollment_last_lesson=F("course__enrollments__last_lesson_id"),
        )
        .order_by("pk")
    )
    for lesson in rows:
        found.setdefault(lesson.lesson_id, lesson)
    return found


def _check(hb: Heartbeat, lesson: CourseLesson | None, now) -> tuple[list[str], float | None]:
    """Reasons to reject ``hb`` (empty when acceptable) and the video's duration."""
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
    if hb.client_time > now + CLIENT_CLOCK_SKEW:
        reasons.append(Reason.CLIENT_TIME_IN_FUTURE)
    if hb.start >= duration + DURATION_TOLERANCE_SECONDS:
        reasons.append(Reason.BEYOND_DURATION)
    return reasons, duration


def heartbeats_record(
    *, user, heartbeats: list[Heartbeat], now: datetime | None = None
) -> tuple[list[HeartbeatResult], list[LessonProgress]]:
    """Apply a batch of player heartbeats. Returns one result per heartbeat (accepted,
    duplicate or rejected, with reasons) and the learner's progress in each lesson touched."""
    now = now or timezone.now()
    lessons = current_lessons(user, (hb.lesson_id for hb in heartbeats))
    results: dict[int, HeartbeatResult] = {}
    groups: dict[CourseLesson, list[tuple[Heartbeat, float]]] = defaultdict(list)
    for hb in heartbeats:
        lesson = lessons.get(hb.lesson_id)
        reasons, duration = _check(hb, lesson, now)
        if reasons:
            results[hb.index] = HeartbeatResult(
                hb.index, hb.client_event_id, Outcome.REJECTED, reasons
            )
        else:
            groups[lesson].append((hb, duration))
    touched = []
    for lesson, group in groups.items():
        progress = _apply_lesson_heartbeats(user, lesson, group, results, now)
        touched.append(progress)
    _push_progress(user, touched)
    return [results[hb.index] for hb in heartbeats], touched


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


@transaction.atomic
def _apply_lesson_heartbeats(user, lesson, group, results, now) -> LessonProgress:
    progress, created = _locked_progress(
        user, lesson, now=now, credit_from=now - timedelta(seconds=FIRST_HEARTBEAT_CREDIT_SECONDS)
    )
    seen = set(
        HeartbeatReceipt.objects.filter(
            user=user, client_event_id__in=[hb.client_event_id for hb, _ in group]
        ).values_list("client_event_id", flat=True)
    )
    rate = settings.PROGRESS_MAX_PLAYBACK_RATE
    elapsed = max(0.0, (now - (progress.allowance_at or now)).total_seconds())
    allowance = min(
        settings.PROGRESS_MAX_CREDIT_SECONDS * rate, progress.allowance + elapsed * rate
    )
    watched = [tuple(span) for span in progress.watched]
    accepted: list[uuid.UUID] = []
    duration = group[0][1]
    for hb, duration in sorted(group, key=lambda item: (item[0].client_time, item[0].index)):
        if hb.client_event_id in seen:
            results[hb.index] = HeartbeatResult(
                hb.index, hb.client_event_id, Outcome.DUPLICATE, [Reason.DUPLICATE]
            )
            continue
        seen.add(hb.client_event_id)
        reasons = []
        end = hb.end
        if end > duration + DURATION_TOLERANCE_SECONDS or (
            hb.position > duration + DURATION_TOLERANCE_SECONDS
        ):
            reasons.append(Reason.CLAMPED_TO_DURATION)
        end = min(end, duration)
        span, added = intervals.clip_to_budget(watched, (hb.start, end), allowance)
        if span[1] < end - 1e-6:
            reasons.append(Reason.FASTER_THAN_PLAYBACK)
        allowance -= added
        if span[1] > span[0]:
            watched = intervals.add(watched, span, duration)
        if progress.position_client_time is None or hb.client_time > progress.position_client_time:
            progress.position = min(max(0.0, hb.position), duration)
            progress.position_client_time = hb.client_time
        results[hb.index] = HeartbeatResult(
            hb.index, hb.client_event_id, Outcome.ACCEPTED, reasons, round(added, 3)
        )
        accepted.append(hb.client_event_id)

    events = [_event(user, Verb.LESSON_STARTED, lesson, now)] if created else []
    progress.allowance, progress.allowance_at = max(0.0, allowance), now
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
    if accepted:
        HeartbeatReceipt.objects.bulk_create(
            [HeartbeatReceipt(user=user, client_event_id=pk) for pk in accepted],
            ignore_conflicts=True,
        )
    if events:
        events_record(events)
    _touch_enrollment(user, lesson, now)
    if completed_now:
        course_completion_check(user=user, course_id=lesson.course_id)
    return progress


def lesson_open(*, user, lesson: CourseLesson) -> LessonProgress | None:
    """A current learner opened a lesson: it becomes their last lesson and, the first time,
    starts (in progress). Returns their progress, or None for people who are not learners
    of the course."""
    if not Enrollment.objects.current().filter(user=user, course_id=lesson.course_id).exists():
        return None
    now = timezone.now()
    with transaction.atomic():
        progress, created = LessonProgress.objects.get_or_create(
            user=user,
            lesson=lesson,
            defaults={"course_id": lesson.course_id, "allowance_at": now},
        )
        if created:
            event_record(
                actor=user,
                verb=Verb.LESSON_STARTED,
                object_type=ObjectType.LESSON,
                object_id=str(lesson.lesson_id),
                course_id=lesson.course_id,
                timestamp=now,
            )
        _touch_enrollment(user, lesson, now)
    return progress


@transaction.atomic
def lesson_complete(
    *, user, lesson: CourseLesson, by: str, result: dict | None = None
) -> LessonProgress:
    """Complete a lesson for a current learner (idempotent). ``by`` is
    :class:`LessonProgress.CompletedBy`; ``result`` (xAPI: score, success…) goes to the log."""
    if not Enrollment.objects.current().filter(user=user, course_id=lesson.course_id).exists():
        raise NotEnrolled()
    now = timezone.now()
    progress, created = _locked_progress(user, lesson, now=now, credit_from=now)
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
    now = timezone.now()
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
