"""Scripted learning-event histories for analytics tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from learning.analytics.models import LearningEvent, ObjectType, Verb


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


def run_rollups():
    from learning.analytics import services

    services.rollups_run(upto=timezone.now() + timedelta(seconds=1))


def scripted_course(instructor, student, other_student):
    from cms.models import CourseLesson
    from learning.enrollment.models import Enrollment
    from learning.progress.models import LessonProgress
    from tests.factories import learning as lf

    """A video course (100 s video, then a reading) with a scripted March 2026:

    - student enrols 1 March 09:00, starts the video 09:05, completes it 09:20, starts the
      reading 23:30 UTC;
    - other_student enrols 2 March 00:10 and starts the video;
    - student completes the reading and the course on 9 March 10:00.

    The student's progress covers the whole video; the other's the first 35 s (stopped there).
    """
    course, (video_id, reading_id) = lf.video_course(instructors=[instructor], title="Stats")
    LearningEvent.objects.all().delete()
    first = Enrollment.objects.create(user=student, course=course, enrolled_at=at(1, 9))
    Enrollment.objects.create(user=other_student, course=course, enrolled_at=at(2, 0, 10))
    registration = {"registration": str(first.pk)}
    log(student, Verb.ENROLLED, course, at(1, 9), context=registration)
    log(student, Verb.LESSON_STARTED, course, at(1, 9, 5), lesson=video_id)
    log(student, Verb.LESSON_COMPLETED, course, at(1, 9, 20), lesson=video_id)
    log(student, Verb.LESSON_STARTED, course, at(1, 23, 30), lesson=reading_id)
    log(other_student, Verb.ENROLLED, course, at(2, 0, 10))
    log(other_student, Verb.LESSON_STARTED, course, at(2, 0, 15), lesson=video_id)
    log(student, Verb.LESSON_COMPLETED, course, at(9, 10), lesson=reading_id)
    Enrollment.objects.filter(pk=first.pk).update(status="completed", completed_at=at(9, 10))
    log(student, Verb.COURSE_COMPLETED, course, at(9, 10), context=registration)
    video = CourseLesson.objects.get(course=course, lesson_id=video_id)
    for user, watched, status in (
        (student, [[0, 100]], "completed"),
        (other_student, [[0, 35]], "in_progress"),
    ):
        LessonProgress.objects.create(
            user=user,
            lesson=video,
            course=course,
            watched=watched,
            watched_seconds=watched[0][1],
            position=watched[0][1],
            status=status,
            fraction=watched[0][1] / 100,
        )
    run_rollups()
    course.video_id, course.reading_id = video_id, reading_id
    return course
