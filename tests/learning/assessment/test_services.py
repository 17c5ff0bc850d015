"""Assessment services: regrading with history (command), checkpoints once, free-preview
quizzes without enrollment."""

import pytest
from django.core.management import call_command

from cms.models import CourseLesson, SectionPage
from learning.assessment import errors, services
from learning.assessment.models import AttemptRegrade, CheckpointAnswer, QuizAttempt, QuizGrade
from learning.progress.models import LessonProgress
from tests.factories import assessment as af
from tests.factories import courses as cf
from tests.factories import learning as lf
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db


def _lesson(course, lesson_id):
    return CourseLesson.objects.select_related("section").get(course=course, lesson_id=lesson_id)


def _take(user, course, lesson_id, answers):
    attempt, _ = services.attempt_start(user=user, course=course, lesson=_lesson(course, lesson_id))
    return services.attempt_submit(user=user, attempt_id=attempt.pk, answers=answers)


def _fix_numeric_key(section, value: float):
    page = SectionPage.objects.get(pk=section.pk).get_latest_revision_as_object()
    raw = page.lessons.raw_data
    for question in raw[-1]["value"]["questions"]:
        if question["type"] == "numeric":
            question["value"]["answer"] = value
            question["value"]["tolerance"] = 0
    page.lessons = raw
    page.save_revision().publish()


def test_regrade_after_a_key_fix_records_history_and_completes(student, other_student, capsys):
    course, section, lesson_id = af.quiz_course(quiz=af.quiz_with(pass_mark=100))
    lf.enroll(student, course)
    lf.enroll(other_student, course)
    keys = af.answer_keys(section, lesson_id)
    numeric = next(qid for qid, key in keys.items() if key["type"] == "numeric")
    right = af.right_answers(section, lesson_id)
    # The student typed 50, which was the intended answer; the key said 42.125.
    first = _take(student, course, lesson_id, {**right, numeric: 50.0})
    assert first.passed is False and first.percent == pytest.approx(83.33)
    other = _take(other_student, course, lesson_id, right)
    assert other.passed is True

    _fix_numeric_key(section, 50.0)
    call_command("regrade_quiz", str(course.pk), str(lesson_id))
    assert "Regraded 2 attempt(s)." in capsys.readouterr().out

    first.refresh_from_db()
    assert first.passed is True and first.percent == 100 and first.regraded_at is not None
    assert first.graded_revision_id != first.revision_id
    history = AttemptRegrade.objects.get(attempt=first)
    assert (history.old_passed, history.new_passed, history.via) == (False, True, "command")
    assert history.old_results[numeric]["correct"] is False
    grade = QuizGrade.objects.get(user=student)
    assert grade.passed and grade.best_percent == 100
    assert LessonProgress.objects.get(user=student).status == "completed"
    # The other learner's right answer is wrong now; recorded, and their lesson stays done.
    other.refresh_from_db()
    assert other.passed is False
    assert AttemptRegrade.objects.filter(attempt=other).exists()
    assert LessonProgress.objects.get(user=other_student).status == "completed"
    # Regrading again changes nothing and records nothing.
    assert services.quiz_regrade(lesson=_lesson(course, lesson_id)) == []
    assert AttemptRegrade.objects.count() == 2


def test_free_preview_quiz_without_enrollment(student):
    course, section, lesson_id = af.quiz_course(quiz=cf.quiz("Try it", free_preview=True))
    attempt = _take(student, course, lesson_id, af.right_answers(section, lesson_id))
    assert attempt.passed is True
    assert not LessonProgress.objects.filter(user=student).exists()  # not a learner


def test_open_attempt_pins_questions_and_new_start_closes_expired(student):
    from datetime import timedelta

    from django.utils import timezone

    course, _section, lesson_id = af.quiz_course(quiz=af.quiz_with(time_limit_minutes=1))
    lf.enroll(student, course)
    lesson = _lesson(course, lesson_id)
    attempt, created = services.attempt_start(user=student, course=course, lesson=lesson)
    assert created
    later = timezone.now() + timedelta(minutes=5)
    second, created = services.attempt_start(user=student, course=course, lesson=lesson, now=later)
    assert created and second.number == 2
    attempt.refresh_from_db()
    assert attempt.status == "submitted" and attempt.late


def test_checkpoints_graded_once_and_recorded(student):
    course = cf.course()
    clip = VideoAssetFactory(duration_seconds=100.0, status="ready")
    section = cf.section(course, lessons=[cf.video("Watch", asset=clip)])
    lf.enroll(student, course)
    video = section.lessons[0]
    checkpoint_id = video.value["checkpoints"].bound_blocks[0].id
    lesson = _lesson(course, video.id)
    answer, checkpoint = services.checkpoint_answer(
        user=student, course=course, lesson=lesson, checkpoint_id=checkpoint_id, value=42.6
    )
    assert answer.correct is True and answer.points == 1  # within 42.125 ± 0.5
    assert "SECRET-EXPLANATION" in checkpoint.key["explanation_html"]
    with pytest.raises(errors.CheckpointAlreadyAnswered):
        services.checkpoint_answer(
            user=student, course=course, lesson=lesson, checkpoint_id=checkpoint_id, value=1
        )
    with pytest.raises(errors.WrongAnswerType):
        services.checkpoint_answer(
            user=student, course=course, lesson=lesson, checkpoint_id=checkpoint_id, value="x"
        )
    with pytest.raises(errors.CheckpointNotFound):
        services.checkpoint_answer(
            user=student, course=course, lesson=lesson, checkpoint_id="nope", value=1
        )
    assert CheckpointAnswer.objects.filter(user=student).count() == 1
    assert QuizAttempt.objects.count() == 0
