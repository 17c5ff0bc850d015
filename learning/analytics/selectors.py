from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, DateField, F, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth, TruncWeek
from django.utils import timezone

from learning.analytics import errors
from learning.analytics.models import (
    CourseDay,
    LearnerDay,
    LearningEvent,
    LessonStats,
    PlatformDay,
    QuestionStats,
    VideoBucket,
    WatchDay,
)
from learning.analytics.periods import Period, bucket_of
from learning.analytics.rollups import BUCKET_SECONDS
from learning.analytics.xapi import statement


def events_for_course(*, course_id: int) -> QuerySet[LearningEvent]:
    return LearningEvent.objects.filter(course_id=course_id).order_by("timestamp", "id")


def events_for_actor(*, actor) -> QuerySet[LearningEvent]:
    return LearningEvent.objects.filter(actor=actor).order_by("timestamp", "id")


def statements_for_actor(actor) -> list[dict]:
    """Data-rights export: the person's learning record as xAPI statements."""
    return [statement(event) for event in events_for_actor(actor=actor).iterator()]


# --- Analytics reads (from the rollup tables only) ---------------------------------------------
# Every number below is read from the rollups (``learning.analytics.rollups``), never from the
# raw log; the only live figure is "learning now" (enrollments touched by heartbeats within
# ``ANALYTICS_LEARNING_NOW_SECONDS``), a count over an indexed column.


def staff_course(user, course_id: int):
    """The course whose analytics ``user`` may see (its instructors, reviewers); the roster
    rule: ``course_not_found`` / ``not_course_staff``."""
    from learning.enrollment.selectors import staff_course as roster_course

    return roster_course(user, course_id)


def ensure_platform_reviewer(user) -> None:
    from cms.models import REVIEW_PERMISSION

    if not (user.is_authenticated and user.has_perm(REVIEW_PERMISSION)):
        raise errors.NotAnalyticsReviewer()


def _period_expr(interval: str):
    return {"day": F("day"), "week": TruncWeek("day"), "month": TruncMonth("day")}[interval]


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


SERIES_FIELDS = (
    "enrollments",
    "unenrollments",
    "active_learners",
    "lesson_starts",
    "lesson_completions",
    "course_completions",
    "watch_seconds",
)


def course_series(course_id: int, span: Period) -> list[dict]:
    """One row per period of ``span``: counts summed over its days; ``active_learners`` is the
    number of distinct learners active on any of its days. Periods without data are zeros."""
    rows = {label: dict.fromkeys(SERIES_FIELDS, 0) | {"period": label} for label in span.buckets()}
    days = CourseDay.objects.filter(course_id=course_id, day__range=(span.start, span.end))
    for day in days.values_list(
        "day",
        "enrollments",
        "unenrollments",
        "lesson_starts",
        "lesson_completions",
        "course_completions",
    ):
        row = rows[bucket_of(day[0], span.interval)]
        for name, value in zip(SERIES_FIELDS[:2] + SERIES_FIELDS[3:6], day[1:], strict=True):
            row[name] += value
    active = (
        LearnerDay.objects.filter(course_id=course_id, day__range=(span.start, span.end))
        .annotate(period=_period_expr(span.interval))
        .values("period")
        .annotate(n=Count("user", distinct=True))
        .order_by()
    )
    for item in active:
        rows[_as_date(item["period"])]["active_learners"] = item["n"]
    watched = (
        WatchDay.objects.filter(course_id=course_id, day__range=(span.start, span.end))
        .annotate(period=_period_expr(span.interval))
        .values("period")
        .annotate(seconds=Sum("seconds"))
        .order_by()
    )
    for item in watched:
        rows[_as_date(item["period"])]["watch_seconds"] = round(item["seconds"] or 0.0)
    return list(rows.values())


def course_overview(course, span: Period, *, now: datetime | None = None) -> dict:
    """Key figures of a course: all time, and over ``span``."""
    days = CourseDay.objects.filter(course_id=course.pk)
    totals = days.aggregate(
        enrollments=Sum("enrollments"),
        unenrollments=Sum("unenrollments"),
        completions=Sum("course_completions"),
    )
    in_span = list(
        days.filter(day__range=(span.start, span.end)).values_list(
            "enrollments",
            "lesson_starts",
            "lesson_completions",
            "course_completions",
            "completion_seconds",
        )
    )
    durations = sorted(s for *_, seconds in in_span for s in seconds)
    enrollments = totals["enrollments"] or 0
    completions = totals["completions"] or 0
    active = (
        LearnerDay.objects.filter(course_id=course.pk, day__range=(span.start, span.end))
        .values("user")
        .distinct()
        .count()
    )
    watched = WatchDay.objects.filter(
        course_id=course.pk, day__range=(span.start, span.end)
    ).aggregate(seconds=Sum("seconds"))["seconds"]
    median = _median(durations)
    return {
        "course_id": course.pk,
        "title": course.title,
        "start": span.start,
        "end": span.end,
        "enrollments_total": enrollments,
        "completions_total": completions,
        "completion_rate": round(100 * completions / enrollments, 1) if enrollments else None,
        "enrollments": sum(row[0] for row in in_span),
        "active_learners": active,
        "lesson_starts": sum(row[1] for row in in_span),
        "lesson_completions": sum(row[2] for row in in_span),
        "course_completions": sum(row[3] for row in in_span),
        "median_days_to_complete": round(median / 86400, 1) if median is not None else None,
        "watch_seconds": round(watched or 0.0),
        "learning_now": learning_now(course.pk, now=now),
    }


def learning_now(course_id: int, *, now: datetime | None = None) -> int:
    """Current learners whose heartbeats reached the course within the last
    ``ANALYTICS_LEARNING_NOW_SECONDS`` (heartbeats refresh the enrollment's last activity at
    most once a minute per lesson)."""
    from learning.enrollment.models import Enrollment

    since = (now or timezone.now()) - timedelta(seconds=settings.ANALYTICS_LEARNING_NOW_SECONDS)
    return (
        Enrollment.objects.current()
        .filter(course_id=course_id, last_activity_at__gte=since)
        .count()
    )


def lesson_funnel(course_id: int) -> list[dict]:
    """Every lesson the course has published, live ones first in course order, then lessons
    that left the course (``is_live`` false; their history stays)."""
    from cms.models import CourseLesson

    stats = {row.lesson_id: row for row in LessonStats.objects.filter(course_id=course_id)}
    lessons = CourseLesson.objects.filter(course_id=course_id).order_by(
        "-is_live", "position", "pk"
    )
    rows = []
    for lesson in lessons:
        row = stats.get(lesson.lesson_id)
        starts = row.starts if row else 0
        completions = row.completions if row else 0
        rows.append(
            {
                "lesson_id": lesson.lesson_id,
                "title": lesson.title,
                "kind": lesson.kind,
                "position": lesson.position,
                "is_live": lesson.is_live,
                "starts": starts,
                "completions": completions,
                "completion_rate": round(100 * completions / starts, 1) if starts else None,
                "dropoff": row.dropoff if row else 0,
            }
        )
    return rows


def video_lessons(course_id: int):
    from cms.models import CourseLesson

    return CourseLesson.objects.filter(course_id=course_id, kind="video").select_related("video")


def video_heatmap(course_id: int, lesson_id) -> dict:
    lesson = video_lessons(course_id).filter(lesson_id=lesson_id).first()
    if lesson is None:
        raise errors.LessonNotFound()
    buckets = VideoBucket.objects.filter(course_id=course_id, lesson_id=lesson_id).order_by(
        "bucket"
    )
    duration = lesson.video.duration_seconds if lesson.video else None
    return {
        "lesson_id": lesson.lesson_id,
        "title": lesson.title,
        "duration_seconds": duration,
        "bucket_seconds": BUCKET_SECONDS,
        "buckets": [
            {
                "start": b.bucket * BUCKET_SECONDS,
                "end": b.bucket * BUCKET_SECONDS + BUCKET_SECONDS,
                "learners": b.learners,
                "exits": b.exits,
            }
            for b in buckets
        ],
    }


def question_stats(course_id: int) -> list[dict]:
    from cms.models import CourseLesson

    titles = dict(
        CourseLesson.objects.filter(course_id=course_id, kind="quiz").values_list(
            "lesson_id", "title"
        )
    )
    return [
        {
            "lesson_id": row.lesson_id,
            "lesson_title": titles.get(row.lesson_id, ""),
            "question_id": row.question_id,
            "attempts": row.attempts,
            "percent_correct": row.percent_correct,
            "discrimination": row.discrimination,
            "top_wrong_answer": row.top_wrong_answer,
            "top_wrong_count": row.top_wrong_count,
        }
        for row in QuestionStats.objects.filter(course_id=course_id)
    ]


@dataclass
class LearnerRow:
    enrollment_id: int
    user_id: int
    name: str
    email: str
    status: str
    enrolled_at: datetime
    last_active: date | None
    lessons_completed: int
    pace: float
    at_risk: bool
    reasons: list[str]


def course_learners(course, *, today: date, at_risk_only: bool = False) -> list[LearnerRow]:
    """Current learners with their last active day and lessons completed (rollups), and the
    at-risk flag: an active (not completed) learner inactive for
    ``ANALYTICS_AT_RISK_INACTIVE_DAYS`` (``inactive``) or whose pace (lessons completed per
    day enrolled) is below ``ANALYTICS_AT_RISK_PACE_FRACTION`` of the course's median pace
    (``behind_pace``). At-risk learners first, then the longest inactive."""
    from learning.enrollment.models import Enrollment

    days = LearnerDay.objects.filter(course_id=course.pk, user=OuterRef("user"))
    enrollments = (
        Enrollment.objects.current()
        .filter(course=course)
        .select_related("user")
        .annotate(
            last_active=Subquery(days.order_by("-day").values("day")[:1], output_field=DateField()),
            completed_lessons=Coalesce(
                Subquery(
                    days.values("user")
                    .annotate(total=Sum("lesson_completions"))
                    .values("total")[:1]
                ),
                0,
            ),
        )
        .order_by("pk")
    )
    rows = []
    for e in enrollments:
        enrolled_days = max(1, (today - e.enrolled_at.date()).days + 1)
        rows.append(
            LearnerRow(
                enrollment_id=e.pk,
                user_id=e.user_id,
                name=e.user.get_full_name() or getattr(e.user, "display_name", "") or "",
                email=e.user.email,
                status=e.status,
                enrolled_at=e.enrolled_at,
                last_active=e.last_active,
                lessons_completed=e.completed_lessons,
                pace=round(e.completed_lessons / enrolled_days, 4),
                at_risk=False,
                reasons=[],
            )
        )
    median_pace = _median([row.pace for row in rows]) or 0.0
    inactive_after = settings.ANALYTICS_AT_RISK_INACTIVE_DAYS
    for row in rows:
        if row.status != Enrollment.Status.ACTIVE:
            continue
        since = row.last_active or row.enrolled_at.date()
        if (today - since).days >= inactive_after:
            row.reasons.append("inactive")
        if median_pace > 0 and row.pace < settings.ANALYTICS_AT_RISK_PACE_FRACTION * median_pace:
            row.reasons.append("behind_pace")
        row.at_risk = bool(row.reasons)
    rows.sort(key=lambda r: (not r.at_risk, r.last_active or date.min, r.enrollment_id))
    return [row for row in rows if row.at_risk] if at_risk_only else rows


PLATFORM_FIELDS = ("signups", "active_users", "enrollments", "completions")


def platform_series(span: Period) -> list[dict]:
    rows = {
        label: dict.fromkeys(PLATFORM_FIELDS, 0) | {"period": label} for label in span.buckets()
    }
    for day, signups, _active, enrollments, completions in PlatformDay.objects.filter(
        day__range=(span.start, span.end)
    ).values_list("day", *PLATFORM_FIELDS):
        row = rows[bucket_of(day, span.interval)]
        row["signups"] += signups
        row["enrollments"] += enrollments
        row["completions"] += completions
    if span.interval == "day":
        for day, active in PlatformDay.objects.filter(
            day__range=(span.start, span.end)
        ).values_list("day", "active_users"):
            rows[day]["active_users"] = active
    else:
        active = (
            LearnerDay.objects.filter(day__range=(span.start, span.end))
            .annotate(period=_period_expr(span.interval))
            .values("period")
            .annotate(n=Count("user", distinct=True))
            .order_by()
        )
        for item in active:
            rows[_as_date(item["period"])]["active_users"] = item["n"]
    return list(rows.values())


def platform_overview(span: Period) -> dict:
    days = PlatformDay.objects.filter(day__range=(span.start, span.end))
    totals = days.aggregate(
        signups=Sum("signups"), enrollments=Sum("enrollments"), completions=Sum("completions")
    )
    learners = LearnerDay.objects.filter(day__range=(span.start, span.end))
    top = (
        CourseDay.objects.filter(day__range=(span.start, span.end))
        .values("course_id")
        .annotate(enrollments=Sum("enrollments"), completions=Sum("course_completions"))
        .order_by("-enrollments", "course_id")[:10]
    )
    return {
        "start": span.start,
        "end": span.end,
        "signups": totals["signups"] or 0,
        "enrollments": totals["enrollments"] or 0,
        "completions": totals["completions"] or 0,
        "active_users": learners.values("user").distinct().count(),
        "active_courses": learners.values("course_id").distinct().count(),
        "top_courses": list(top),
    }


def my_activity(user, span: Period, *, today: date) -> dict:
    """A learner's own activity: video seconds newly watched and lessons completed per day,
    lessons completed per week, and the streak of consecutive active days ending today or
    yesterday."""
    per_day = {
        day: {"date": day, "watch_seconds": 0, "lessons_completed": 0, "active": False}
        for day in span.dates()
    }
    for item in (
        LearnerDay.objects.filter(user=user, day__range=(span.start, span.end))
        .values("day")
        .annotate(completed=Sum("lesson_completions"))
        .order_by()
    ):
        per_day[item["day"]].update(lessons_completed=item["completed"], active=True)
    for item in (
        WatchDay.objects.filter(user=user, day__range=(span.start, span.end))
        .values("day")
        .annotate(seconds=Sum("seconds"))
        .order_by()
    ):
        per_day[item["day"]].update(watch_seconds=round(item["seconds"] or 0.0), active=True)
    weeks: dict[date, int] = {}
    for row in per_day.values():
        week = bucket_of(row["date"], "week")
        weeks[week] = weeks.get(week, 0) + row["lessons_completed"]
    active_days = sorted(
        {
            *LearnerDay.objects.filter(user=user, day__lte=today)
            .values_list("day", flat=True)
            .order_by("-day")[:400],
            *WatchDay.objects.filter(user=user, day__lte=today)
            .values_list("day", flat=True)
            .order_by("-day")[:400],
        },
        reverse=True,
    )
    streak, expected = 0, None
    for day in active_days:
        if expected is None:
            if (today - day).days > 1:
                break
            expected = day
        if day != expected:
            break
        streak += 1
        expected = day - timedelta(days=1)
    return {
        "start": span.start,
        "end": span.end,
        "streak_days": streak,
        "days": list(per_day.values()),
        "weeks": [{"week": week, "lessons_completed": n} for week, n in weeks.items()],
    }
