import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.models import CourseLesson
from learning.analytics.models import LearningEvent
from learning.enrollment.errors import NotEnrolled
from learning.enrollment.models import Enrollment
from learning.progress import errors, services
from learning.progress.models import LessonProgress
from learning.progress.services import FIRST_HEARTBEAT_CREDIT_SECONDS, Heartbeat
from tests.factories import courses as cf
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db


def beat(lesson_id, start, end, at, index=0):
    return Heartbeat(
        index=index,
        client_event_id=uuid.uuid4(),
        lesson_id=lesson_id,
        start=start,
        end=end,
        position=end,
        playback_rate=1.0,
        client_time=at,
    )


def test_allowance_refills_with_wall_time(student, settings):
    settings.PROGRESS_MAX_PLAYBACK_RATE = 2.0
    settings.PROGRESS_MAX_CREDIT_SECONDS = 60
    course, (video, _) = lf.video_course(duration=1000.0)
    lf.enroll(student, course)
    video = uuid.UUID(video)
    t0 = timezone.now()
    # First beat: up to FIRST_HEARTBEAT_CREDIT_SECONDS x rate of media.
    results, _ = services.heartbeats_record(
        user=student, heartbeats=[beat(video, 0, 500, t0)], now=t0
    )
    assert results[0].credited_seconds == FIRST_HEARTBEAT_CREDIT_SECONDS * 2
    # 10 s later: 20 s more at most.
    t1 = t0 + timedelta(seconds=10)
    results, _ = services.heartbeats_record(
        user=student, heartbeats=[beat(video, 120, 500, t1)], now=t1
    )
    assert results[0].credited_seconds == pytest.approx(20.0)
    # An hour later: capped at PROGRESS_MAX_CREDIT_SECONDS x rate.
    t2 = t1 + timedelta(hours=1)
    results, progress = services.heartbeats_record(
        user=student, heartbeats=[beat(video, 140, 1000, t2)], now=t2
    )
    assert results[0].credited_seconds == pytest.approx(120.0)
    assert progress[0].watched == [[0.0, 260.0]]


def test_quiz_hook_completes_quiz_lessons_only(student):
    page, part = cf.published_course_with_lessons()
    lf.enroll(student, page)
    welcome, _, quiz = (
        CourseLesson.objects.get(course=page, lesson_id=child.id) for child in part.lessons
    )
    progress = services.quiz_lesson_passed(
        user=student, lesson=quiz, score={"scaled": 0.8, "raw": 4, "max": 5}
    )
    assert progress.status == "completed" and progress.completed_by == "assessment"
    event = LearningEvent.objects.get(actor=student, verb="lesson_completed")
    assert event.result == {
        "completion": True,
        "success": True,
        "score": {"scaled": 0.8, "raw": 4, "max": 5},
    }
    with pytest.raises(errors.LessonNotAvailable):
        services.quiz_lesson_passed(user=student, lesson=welcome)


def test_completion_needs_a_current_enrollment(student, other_student):
    page, part = cf.published_course_with_lessons()
    lesson = CourseLesson.objects.get(course=page, lesson_id=part.lessons[0].id)
    with pytest.raises(NotEnrolled):
        services.reading_mark_complete(user=other_student, lesson=lesson)
    assert not LessonProgress.objects.exists()


def test_course_completion_is_recorded_once(student):
    page = cf.course()
    part = cf.section(page, lessons=[cf.reading("Only")])
    lf.enroll(student, page)
    lesson = CourseLesson.objects.get(course=page, lesson_id=part.lessons[0].id)
    services.reading_mark_complete(user=student, lesson=lesson)
    services.reading_mark_complete(user=student, lesson=lesson)
    assert services.course_completion_check(user=student, course_id=page.pk) is False
    assert Enrollment.objects.get(user=student).status == "completed"
    assert LearningEvent.objects.filter(verb="course_completed").count() == 1
    assert LearningEvent.objects.filter(verb="lesson_completed").count() == 1
