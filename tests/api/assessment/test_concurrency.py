"""Two tabs at once, with real threads and real transactions: one attempt is graded once,
one start makes one attempt. Runs on SQLite and PostgreSQL alike."""

import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from rest_framework.test import APIClient

from learning.analytics.models import LearningEvent
from learning.assessment.models import QuizAttempt, QuizGrade
from learning.progress.models import LessonProgress
from tests.factories import UserFactory
from tests.factories import assessment as af
from tests.factories import learning as lf


def _in_parallel(count: int, call):
    barrier = threading.Barrier(count)

    def run(index):
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=30)
            return call(index)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submissions_grade_exactly_once():
    student = UserFactory()
    course, section, lesson_id = af.quiz_course()
    lf.enroll(student, course)
    answers = af.right_answers(section, lesson_id)
    client = APIClient()
    client.force_authenticate(student)
    attempt = client.post(f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/attempts/").json()

    def submit(_):
        tab = APIClient()
        tab.force_authenticate(student)
        response = tab.post(f"/api/v2/attempts/{attempt['id']}/submit/", {"answers": answers})
        return response.status_code, response.json().get("code")

    outcomes = _in_parallel(4, submit)
    assert sorted(outcomes) == [(200, None)] + [(409, "attempt_already_submitted")] * 3
    row = QuizAttempt.objects.get(pk=attempt["id"])
    assert row.status == "submitted" and row.passed
    grade = QuizGrade.objects.get(user=student)
    assert grade.attempts_graded == 1 and grade.passed
    assert LearningEvent.objects.filter(actor=student, verb="passed").count() == 1
    completed = LearningEvent.objects.filter(actor=student, verb="lesson_completed")
    assert completed.count() == 1
    assert LessonProgress.objects.get(user=student).status == "completed"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_starts_make_one_attempt():
    student = UserFactory()
    course, _section, lesson_id = af.quiz_course()
    lf.enroll(student, course)

    def start(_):
        tab = APIClient()
        tab.force_authenticate(student)
        response = tab.post(f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/attempts/")
        return response.status_code, response.json()["id"]

    outcomes = _in_parallel(4, start)
    assert sorted(status for status, _ in outcomes) == [200, 200, 200, 201]
    assert len({pk for _, pk in outcomes}) == 1
    assert QuizAttempt.objects.filter(user=student).count() == 1
    assert QuizGrade.objects.get(user=student).attempts_started == 1
