"""Progress reads.

Percent complete of a course (one rule, used by the dashboard, the outline and rosters):
each live, non-optional lesson weighs its estimated minutes; a completed lesson counts in
full, a video lesson in progress by the share of it watched, other lessons in progress not
at all: ``percent = floor(100 * sum(minutes * done_share) / sum(minutes))``, so it reads 100
only when everything counted is done. Removed lessons stop counting (their history stays); a lesson
added later lowers the percent of learners who have not done it; a completed enrollment stays
completed whatever the percent.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterable

from django.db.models import F, FloatField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from cms import selectors as cms_selectors
from cms.models import CourseLesson
from learning.enrollment.models import Enrollment
from learning.progress.models import LessonProgress, LessonStatus


def annotate_percent(enrollments: QuerySet) -> QuerySet:
    """Add ``minutes_total`` and ``minutes_done`` to an Enrollment queryset (two subqueries)."""
    total = (
        CourseLesson.objects.filter(course=OuterRef("course"), is_live=True, optional=False)
        .order_by()
        .values("course")
        .annotate(total=Sum("estimated_minutes"))
        .values("total")
    )
    done = (
        LessonProgress.objects.filter(
            user=OuterRef("user"),
            course=OuterRef("course"),
            lesson__is_live=True,
            lesson__optional=False,
        )
        .order_by()
        .values("user")
        .annotate(
            done=Sum(F("fraction") * F("lesson__estimated_minutes"), output_field=FloatField())
        )
        .values("done")
    )
    return enrollments.annotate(
        minutes_total=Coalesce(Subquery(total), Value(0)),
        minutes_done=Coalesce(Subquery(done, output_field=FloatField()), Value(0.0)),
    )


def percent(minutes_done: float, minutes_total: int) -> int:
    if not minutes_total:
        return 0
    return min(100, math.floor(100 * minutes_done / minutes_total + 1e-9))


def lesson_states(user, course_id: int) -> dict[str, LessonProgress]:
    """The learner's progress in each lesson of the course, by lesson id (string)."""
    if user is None or not user.is_authenticated:
        return {}
    return lesson_states_for_courses(user, [course_id]).get(course_id, {})


def lesson_states_for_courses(
    user, course_ids: Iterable[int]
) -> dict[int, dict[str, LessonProgress]]:
    states: dict[int, dict[str, LessonProgress]] = {}
    rows = LessonProgress.objects.filter(user=user, course_id__in=list(course_ids)).select_related(
        "lesson"
    )
    for row in rows:
        states.setdefault(row.course_id, {})[str(row.lesson.lesson_id)] = row
    return states


def lesson_state(progress: LessonProgress | None) -> dict:
    """The per-lesson state the API shows."""
    if progress is None:
        return {
            "status": LessonStatus.NOT_STARTED,
            "percent": 0,
            "position": 0.0,
            "completed_at": None,
        }
    return {
        "status": progress.status,
        "percent": math.floor(progress.fraction * 100 + 1e-9),
        "position": progress.position,
        "completed_at": progress.completed_at,
    }


def next_lesson_id(
    ordered_ids: list[str], states: dict[str, LessonProgress], last_lesson_id: str | None
) -> str | None:
    """Where to resume: the last lesson if it is unfinished, else the first unfinished lesson
    after it, else the first unfinished lesson of the course; None when all are done."""

    def unfinished(lesson_id: str) -> bool:
        state = states.get(lesson_id)
        return state is None or state.status != LessonStatus.COMPLETED

    if last_lesson_id in ordered_ids:
        start = ordered_ids.index(last_lesson_id)
        if unfinished(last_lesson_id):
            return last_lesson_id
        for lesson_id in ordered_ids[start + 1 :] + ordered_ids[:start]:
            if unfinished(lesson_id):
                return lesson_id
        return None
    return next((lesson_id for lesson_id in ordered_ids if unfinished(lesson_id)), None)


def live_lesson_ids(course_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each course's live lesson ids in course order."""
    ordered: dict[int, list[str]] = {}
    for course_id, lesson_id in (
        CourseLesson.objects.filter(course_id__in=list(course_ids), is_live=True)
        .order_by("course_id", "position", "pk")
        .values_list("course_id", "lesson_id")
    ):
        ordered.setdefault(course_id, []).append(str(lesson_id))
    return ordered


def course_lesson(course_id: int, lesson_id: uuid.UUID | str) -> CourseLesson | None:
    return CourseLesson.objects.filter(
        course_id=course_id, lesson_id=lesson_id, is_live=True
    ).first()


def live_lesson(course_id: int, lesson_id: uuid.UUID | str) -> CourseLesson | None:
    """A live lesson of a live course (one query), or None."""
    return CourseLesson.objects.filter(
        course_id=course_id,
        course_id__in=cms_selectors.live_course_ids(),
        lesson_id=lesson_id,
        is_live=True,
    ).first()


def lesson_progress(user, course_id: int, lesson_id: uuid.UUID | str) -> LessonProgress | None:
    """The learner's progress in one lesson of a course, or None (never started)."""
    if user is None or not user.is_authenticated:
        return None
    return (
        LessonProgress.objects.filter(user=user, course_id=course_id, lesson__lesson_id=lesson_id)
        .select_related("lesson")
        .first()
    )


def current_lessons(user, lesson_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, CourseLesson]:
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


def current_video_lessons(user, video_id: int) -> QuerySet[CourseLesson]:
    """Live lessons playing video ``video_id`` in live courses where ``user`` is a current
    learner."""
    return CourseLesson.objects.filter(
        video_id=video_id,
        kind=CourseLesson.Kind.VIDEO,
        is_live=True,
        course__live=True,
        course__enrollments__user=user,
        course__enrollments__status__in=Enrollment.CURRENT,
    ).order_by("pk")


def progress_export(user) -> list[dict]:
    return [
        {
            "course_id": row.course_id,
            "lesson_id": str(row.lesson.lesson_id),
            "lesson_title": row.lesson.title,
            "status": row.status,
            "percent": math.floor(row.fraction * 100 + 1e-9),
            "watched": row.watched,
            "position": row.position,
            "started_at": row.started_at.isoformat(),
            "completed_at": row.completed_at.isoformat() if row.completed_at else None,
        }
        for row in LessonProgress.objects.filter(user=user)
        .select_related("lesson")
        .order_by("started_at", "pk")
    ]
