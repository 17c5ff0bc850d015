import uuid

import pytest

from cms.models import CourseLesson
from learning.analytics.models import LearningEvent
from learning.enrollment.errors import NotEnrolled
from learning.enrollment.models import Enrollment
from learning.progress import errors, services
from learning.progress.models import LessonProgress
from learning.progress.services import Heartbeat
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


@pytest.fixture
def clock(progress_clock):
    return progress_clock


def record(user, *beats):
    return services.heartbeats_record(user=user, events=list(beats))


def test_allowance_refills_with_wall_time(student, settings, clock):
    settings.PROGRESS_MAX_PLAYBACK_RATE = 2.0
    settings.PROGRESS_MAX_CREDIT_SECONDS = 60
    course, (video, _) = lf.video_course(duration=1000.0)
    lf.enroll(student, course)
    lesson = CourseLesson.objects.get(lesson_id=video)
    video = uuid.UUID(video)
    services.lesson_open(user=student, lesson=lesson)
    # Opened this instant: nothing can have been played yet.
    batch = record(student, beat(video, 0, 500, clock.now))
    assert batch.results[0].credited_seconds == 0
    assert batch.results[0].reasons == ["faster_than_playback"]
    # 10 s later: 20 s at most.
    clock.advance(10)
    batch = record(student, beat(video, 0, 500, clock.now))
    assert batch.results[0].credited_seconds == pytest.approx(20.0)
    # An hour later: capped at PROGRESS_MAX_CREDIT_SECONDS x rate.
    clock.advance(3600)
    batch = record(student, beat(video, 20, 1000, clock.now))
    assert batch.results[0].credited_seconds == pytest.approx(120.0)
    assert batch.lessons[0].watched == [[0.0, 140.0]]


def test_heartbeats_for_a_lesson_never_started_earn_nothing(student, clock):
    course, (video, _) = lf.video_course(duration=100.0)
    lf.enroll(student, course)
    clock.advance(3600)
    batch = record(student, beat(uuid.UUID(video), 0, 4, clock.now))
    assert batch.results[0].status == "rejected"
    assert batch.results[0].reasons == ["not_started"]
    assert batch.lessons == []
    assert not LessonProgress.objects.filter(user=student).exists()


def test_opening_records_the_start_once_and_the_last_lesson(student, other_student, clock):
    course, (video, reading) = lf.video_course(duration=100.0)
    enrollment = lf.enroll(student, course)
    first, second = (CourseLesson.objects.get(lesson_id=pk) for pk in (video, reading))
    started = clock.now
    progress = services.lesson_open(user=student, lesson=first)
    assert progress.started_at == started and progress.status == "in_progress"
    clock.advance(30)
    services.lesson_open(user=student, lesson=second)
    clock.advance(30)
    assert services.lesson_open(user=student, lesson=first).started_at == started
    enrollment.refresh_from_db()
    assert str(enrollment.last_lesson_id) == video
    assert enrollment.last_activity_at == clock.now
    assert LearningEvent.objects.filter(actor=student, verb="lesson_started").count() == 2
    with pytest.raises(NotEnrolled):
        services.lesson_open(user=other_student, lesson=first)
    assert not LessonProgress.objects.filter(user=other_student).exists()


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
