"""The rollups: one registered function per aggregate table.

A rollup is a pair of functions: ``dirty(since, upto)`` lists the keys (a UTC day, a course,
a lesson …) whose numbers may have changed because source rows were stored or changed in
``(since, upto]``, and ``rebuild(key)`` recomputes that key's rows *completely* from the
sources. Because a key is always rebuilt whole, a re-run, a late event (stored today with
yesterday's timestamp: its day is dirty again) or a run killed halfway and repeated give the
same numbers. :func:`learning.analytics.services.rollup_run` keeps the watermark.

Adding a source (certificates, AI tutor usage …) is one more ``@register`` function pair.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber, TruncDate

from learning.analytics.models import (
    CourseDay,
    LearnerDay,
    LearningEvent,
    LessonStats,
    PlatformDay,
    QuestionStats,
    Verb,
    VideoBucket,
    WatchDay,
    WatchTotal,
)

BUCKET_SECONDS = 10
# Share of attempts (by score) in the upper and lower groups of the discrimination index.
DISCRIMINATION_GROUP = 0.27
LESSON_VERBS = (Verb.LESSON_STARTED, Verb.PROGRESSED, Verb.LESSON_COMPLETED)


@dataclass(frozen=True)
class Rollup:
    name: str
    dirty: Callable[[datetime | None, datetime], Iterable]
    rebuild: Callable[[object], None]


REGISTRY: dict[str, Rollup] = {}


def register(name: str, *, dirty: Callable[[datetime | None, datetime], Iterable]):
    """Register ``rebuild`` under ``name`` with the function listing its dirty keys."""

    def decorate(rebuild: Callable[[object], None]):
        REGISTRY[name] = Rollup(name=name, dirty=dirty, rebuild=rebuild)
        return rebuild

    return decorate


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _window(field: str, since: datetime | None, upto: datetime) -> Q:
    q = Q(**{f"{field}__lte": upto})
    return q & Q(**{f"{field}__gt": since}) if since is not None else q


def _stored(since, upto):
    return LearningEvent.objects.filter(_window("stored_at", since, upto))


# --- Dirty keys -------------------------------------------------------------------------------


def event_days(since: datetime | None, upto: datetime) -> Iterable[date]:
    """UTC days of the events stored in the window (late events mark their own day)."""
    return (
        _stored(since, upto)
        .annotate(day=TruncDate("timestamp", tzinfo=UTC))
        .values_list("day", flat=True)
        .distinct()
        .order_by()
    )


def event_and_signup_days(since: datetime | None, upto: datetime) -> Iterable[date]:
    joined = (
        get_user_model()
        .objects.filter(_window("date_joined", since, upto))
        .annotate(day=TruncDate("date_joined", tzinfo=UTC))
        .values_list("day", flat=True)
        .distinct()
        .order_by()
    )
    return {*event_days(since, upto), *joined}


def event_courses(since: datetime | None, upto: datetime) -> Iterable[int]:
    return _stored(since, upto).values_list("course_id", flat=True).distinct().order_by()


def progressed_video_lessons(since: datetime | None, upto: datetime) -> Iterable[tuple]:
    from learning.progress.models import LessonProgress

    return (
        LessonProgress.objects.filter(_window("updated_at", since, upto), lesson__kind="video")
        .values_list("course_id", "lesson__lesson_id")
        .distinct()
        .order_by()
    )


def graded_quizzes(since: datetime | None, upto: datetime) -> Iterable[tuple]:
    from learning.assessment.models import QuizAttempt

    changed = _window("submitted_at", since, upto) | _window("regraded_at", since, upto)
    return (
        QuizAttempt.objects.filter(changed, status=QuizAttempt.Status.SUBMITTED)
        .values_list("course_id", "lesson__lesson_id")
        .distinct()
        .order_by()
    )


# --- Per day ----------------------------------------------------------------------------------


def _day_events(day: date):
    start, end = day_bounds(day)
    return LearningEvent.objects.filter(timestamp__gte=start, timestamp__lt=end)


def _count(verb: str) -> Count:
    return Count("id", filter=Q(verb=verb))


LEARNING = ~Q(verb=Verb.UNENROLLED)  # everything but leaving counts as activity


def _completion_seconds(events) -> dict[int, list[float]]:
    from learning.enrollment.models import Enrollment

    completions = list(
        events.filter(verb=Verb.COURSE_COMPLETED).values_list("course_id", "timestamp", "context")
    )
    registrations = {
        str((context or {}).get("registration")) for _, _, context in completions if context
    }
    enrolled = dict(
        Enrollment.objects.filter(
            pk__in=[int(r) for r in registrations if r.isdigit()]
        ).values_list("pk", "enrolled_at")
    )
    seconds: dict[int, list[float]] = defaultdict(list)
    for course_id, timestamp, context in completions:
        registration = str((context or {}).get("registration", ""))
        start = enrolled.get(int(registration)) if registration.isdigit() else None
        if start is not None:
            seconds[course_id].append(max(0.0, (timestamp - start).total_seconds()))
    return seconds


@register("course_day", dirty=event_days)
def course_day(day: date) -> None:
    events = _day_events(day)
    rows = (
        events.values("course_id")
        .annotate(
            enrollments=_count(Verb.ENROLLED),
            unenrollments=_count(Verb.UNENROLLED),
            active_learners=Count("actor", filter=LEARNING, distinct=True),
            lesson_starts=_count(Verb.LESSON_STARTED),
            lesson_completions=_count(Verb.LESSON_COMPLETED),
            course_completions=_count(Verb.COURSE_COMPLETED),
            answers=_count(Verb.ANSWERED),
        )
        .order_by("course_id")
    )
    durations = _completion_seconds(events)
    CourseDay.objects.filter(day=day).delete()
    CourseDay.objects.bulk_create(
        CourseDay(day=day, completion_seconds=sorted(durations.get(row["course_id"], [])), **row)
        for row in rows
    )


@register("learner_day", dirty=event_days)
def learner_day(day: date) -> None:
    rows = (
        _day_events(day)
        .filter(LEARNING)
        .values("course_id", "actor_id")
        .annotate(
            events=Count("id"),
            lesson_starts=_count(Verb.LESSON_STARTED),
            lesson_completions=_count(Verb.LESSON_COMPLETED),
        )
        .order_by("course_id", "actor_id")
    )
    LearnerDay.objects.filter(day=day).delete()
    LearnerDay.objects.bulk_create(
        (
            LearnerDay(
                day=day,
                course_id=row["course_id"],
                user_id=row["actor_id"],
                events=row["events"],
                lesson_starts=row["lesson_starts"],
                lesson_completions=row["lesson_completions"],
            )
            for row in rows
        ),
        batch_size=2000,
    )


@register("platform_day", dirty=event_and_signup_days)
def platform_day(day: date) -> None:
    start, end = day_bounds(day)
    events = _day_events(day).aggregate(
        active_users=Count("actor", filter=LEARNING, distinct=True),
        enrollments=_count(Verb.ENROLLED),
        completions=_count(Verb.COURSE_COMPLETED),
    )
    signups = get_user_model().objects.filter(date_joined__gte=start, date_joined__lt=end).count()
    PlatformDay.objects.update_or_create(day=day, defaults={"signups": signups, **events})


# --- Per course -------------------------------------------------------------------------------


@register("lesson_stats", dirty=event_courses)
def lesson_stats(course_id: int) -> None:
    """Starts and completions count distinct learners; a learner drops off at the lesson of
    their last lesson event, unless they completed the course."""
    events = LearningEvent.objects.filter(course_id=course_id)
    per_lesson = (
        events.filter(verb__in=(Verb.LESSON_STARTED, Verb.LESSON_COMPLETED))
        .values("object_id")
        .annotate(
            starts=Count("actor", filter=Q(verb=Verb.LESSON_STARTED), distinct=True),
            completions=Count("actor", filter=Q(verb=Verb.LESSON_COMPLETED), distinct=True),
        )
        .order_by()
    )
    finished = set(
        events.filter(verb=Verb.COURSE_COMPLETED).values_list("actor_id", flat=True).distinct()
    )
    # Each learner's last lesson event (one row per learner, ranked in the database).
    last_lessons = (
        events.filter(verb__in=LESSON_VERBS)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("actor_id")],
                order_by=[F("timestamp").desc(), F("id").desc()],
            )
        )
        .filter(rank=1)
        .values_list("actor_id", "object_id")
    )
    dropoff = Counter(lesson for actor, lesson in last_lessons if actor not in finished)
    stats = {row["object_id"]: row for row in per_lesson}
    LessonStats.objects.filter(course_id=course_id).delete()
    LessonStats.objects.bulk_create(
        LessonStats(
            course_id=course_id,
            lesson_id=lesson,
            starts=stats.get(lesson, {}).get("starts", 0),
            completions=stats.get(lesson, {}).get("completions", 0),
            dropoff=dropoff.get(lesson, 0),
        )
        for lesson in sorted(set(stats) | set(dropoff))
    )


# --- Per video lesson -------------------------------------------------------------------------


def _buckets(intervals, count: int) -> set[int]:
    """Buckets that ``[[start, end], …]`` overlaps by more than nothing."""
    touched: set[int] = set()
    for start, end in intervals:
        if end <= start:
            continue
        first = int(start // BUCKET_SECONDS)
        last = min(count - 1, math.ceil(end / BUCKET_SECONDS) - 1)
        touched.update(range(first, last + 1))
    return touched


@register("video", dirty=progressed_video_lessons)
def video(key: tuple[int, object]) -> None:
    """Per 10-second bucket: learners whose watched coverage touches it, and learners who
    have not completed the lesson whose resume position is in it (where they left). Also
    credits each learner's new coverage since the last run to the day their progress changed
    (``WatchDay``)."""
    from cms.models import CourseLesson
    from learning.progress.models import LessonProgress, LessonStatus

    course_id, lesson_id = key
    lesson = (
        CourseLesson.objects.filter(course_id=course_id, lesson_id=lesson_id)
        .select_related("video")
        .first()
    )
    if lesson is None:
        return
    rows = list(
        LessonProgress.objects.filter(lesson=lesson).values_list(
            "user_id", "watched", "position", "status", "watched_seconds", "updated_at"
        )
    )
    duration = (lesson.video.duration_seconds if lesson.video else None) or max(
        (end for _, watched, *_ in rows for _, end in (watched or [])), default=0.0
    )
    count = max(1, math.ceil(duration / BUCKET_SECONDS))
    learners: Counter = Counter()
    exits: Counter = Counter()
    for _user, watched, position, status, _seconds, _updated in rows:
        learners.update(_buckets(watched or [], count))
        if status != LessonStatus.COMPLETED:
            exits[min(count - 1, max(0, int((position or 0) // BUCKET_SECONDS)))] += 1
    VideoBucket.objects.filter(course_id=course_id, lesson_id=lesson_id).delete()
    VideoBucket.objects.bulk_create(
        VideoBucket(
            course_id=course_id,
            lesson_id=lesson_id,
            bucket=bucket,
            learners=learners.get(bucket, 0),
            exits=exits.get(bucket, 0),
        )
        for bucket in range(count)
    )
    _credit_watching(course_id, lesson_id, rows)


def _credit_watching(course_id: int, lesson_id, rows) -> None:
    totals = dict(
        WatchTotal.objects.filter(course_id=course_id, lesson_id=lesson_id).values_list(
            "user_id", "seconds"
        )
    )
    for user_id, _watched, _position, _status, seconds, updated_at in rows:
        delta = round((seconds or 0.0) - totals.get(user_id, 0.0), 3)
        if delta <= 0:
            continue
        day = updated_at.astimezone(UTC).date()
        credited = WatchDay.objects.filter(
            user_id=user_id, course_id=course_id, lesson_id=lesson_id, day=day
        ).update(seconds=F("seconds") + delta)
        if not credited:
            WatchDay.objects.create(
                user_id=user_id, course_id=course_id, lesson_id=lesson_id, day=day, seconds=delta
            )
        WatchTotal.objects.update_or_create(
            user_id=user_id, course_id=course_id, lesson_id=lesson_id, defaults={"seconds": seconds}
        )


# --- Per quiz ---------------------------------------------------------------------------------


def _answer_key(answer) -> str:
    return json.dumps(answer, sort_keys=True)


@register("quiz_items", dirty=graded_quizzes)
def quiz_items(key: tuple[int, object]) -> None:
    """Item analysis over every graded attempt of a quiz: attempts and correct answers per
    question, the discrimination index (upper minus lower 27 % of attempts by percent; needs
    at least two attempts) and the wrong answer given most often."""
    from learning.assessment.models import QuizAttempt

    course_id, lesson_id = key
    attempts = list(
        QuizAttempt.objects.filter(
            course_id=course_id, lesson__lesson_id=lesson_id, status=QuizAttempt.Status.SUBMITTED
        )
        .order_by("percent", "pk")
        .values_list("percent", "results", "answers")
    )
    group = max(1, round(DISCRIMINATION_GROUP * len(attempts))) if len(attempts) >= 2 else 0
    lower, upper = attempts[:group], attempts[len(attempts) - group :] if group else []
    tally: dict[str, dict] = {}
    for _percent, results, answers in attempts:
        for question_id, result in (results or {}).items():
            item = tally.setdefault(question_id, {"attempts": 0, "correct": 0, "wrong": Counter()})
            item["attempts"] += 1
            if result.get("correct"):
                item["correct"] += 1
            elif question_id in (answers or {}):
                item["wrong"][_answer_key(answers[question_id])] += 1

    def share(rows, question_id):
        marks = [
            bool(results[question_id].get("correct"))
            for _, results, _ in rows
            if question_id in (results or {})
        ]
        return sum(marks) / len(marks) if marks else None

    QuestionStats.objects.filter(course_id=course_id, lesson_id=lesson_id).delete()
    stats = []
    for question_id, item in sorted(tally.items()):
        high, low = share(upper, question_id), share(lower, question_id)
        wrong = sorted(item["wrong"].items(), key=lambda kv: (-kv[1], kv[0]))
        stats.append(
            QuestionStats(
                course_id=course_id,
                lesson_id=lesson_id,
                question_id=question_id,
                attempts=item["attempts"],
                correct=item["correct"],
                discrimination=None
                if group == 0 or high is None or low is None
                else round(high - low, 4),
                top_wrong_answer=json.loads(wrong[0][0]) if wrong else None,
                top_wrong_count=wrong[0][1] if wrong else 0,
            )
        )
    QuestionStats.objects.bulk_create(stats)
