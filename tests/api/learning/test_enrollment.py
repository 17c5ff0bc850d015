import contextlib
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from learning.analytics.models import LearningEvent
from learning.enrollment.models import CourseEnrollmentStats, Enrollment
from tests.factories import UserFactory
from tests.factories import courses as cf
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db


def enroll_url(course) -> str:
    return f"/api/v2/courses/{course.pk}/enrollment/"


def problem(response, status: int, code: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["code"] == code


@pytest.fixture
def course(instructor):
    page, _ = cf.published_course_with_lessons(instructors=[instructor], title="Python")
    return page


def test_enroll_then_twice(student, as_user, course):
    client = as_user(student)
    response = client.post(enroll_url(course))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "active" and body["source"] == "self"
    assert body["percent_complete"] == 0 and body["completed_at"] is None
    assert body["next_lesson_id"] == str(course.get_children().first().specific.lessons[0].id)
    problem(client.post(enroll_url(course)), 409, "already_enrolled")
    assert Enrollment.objects.filter(user=student).count() == 1
    assert CourseEnrollmentStats.objects.get(course=course).learner_count == 1
    event = LearningEvent.objects.get(actor=student, verb="enrolled")
    assert event.object_id == str(course.pk)
    assert event.context["registration"] == str(body["id"])
    assert client.get(enroll_url(course)).json()["id"] == body["id"]


def test_unenroll_keeps_history_and_frees_the_seat(student, as_user, course):
    client = as_user(student)
    client.post(enroll_url(course))
    assert client.delete(enroll_url(course)).status_code == 204
    problem(client.delete(enroll_url(course)), 404, "not_enrolled")
    problem(client.get(enroll_url(course)), 404, "not_enrolled")
    assert Enrollment.objects.get(user=student).status == "cancelled"
    assert CourseEnrollmentStats.objects.get(course=course).learner_count == 0
    assert LearningEvent.objects.filter(actor=student, verb="unenrolled").count() == 1
    assert client.post(enroll_url(course)).status_code == 201
    assert Enrollment.objects.filter(user=student).count() == 2


@pytest.mark.parametrize(
    ("fields", "status", "code"),
    [
        ({"enrollment_open": False}, 409, "enrollment_closed"),
        (
            {"enrollment_opens_at": timezone.now() + timedelta(days=1)},
            409,
            "enrollment_not_open_yet",
        ),
        (
            {"enrollment_closes_at": timezone.now() - timedelta(days=1)},
            409,
            "enrollment_window_ended",
        ),
        ({"price": "49.00"}, 402, "payment_required"),
        ({"capacity": 0}, 409, "course_full"),
    ],
)
def test_enrollment_rules(fields, status, code, student, as_user):
    page = cf.course(title="Ruled", **fields)
    problem(as_user(student).post(enroll_url(page)), status, code)
    assert not Enrollment.objects.exists()


def test_draft_or_unknown_course_is_404(student, as_user):
    draft = cf.course(title="Draft", publish=False)
    client = as_user(student)
    assert client.post(enroll_url(draft)).status_code == 404
    assert client.post("/api/v2/courses/999999/enrollment/").status_code == 404


def test_unverified_email(as_user, settings, course):
    unverified = UserFactory(email_verified_at=None)
    problem(as_user(unverified).post(enroll_url(course)), 403, "email_not_verified")
    settings.ENROLLMENT_REQUIRE_VERIFIED_EMAIL = False
    assert as_user(unverified).post(enroll_url(course)).status_code == 201


def test_anonymous_cannot_enroll(api_client, course):
    assert api_client.post(enroll_url(course)).status_code == 401


def test_prerequisites(student, as_user, run_tasks_in_process):
    basics, (video, reading) = lf.video_course(title="Basics")
    advanced = cf.course(title="Advanced")
    advanced.prerequisite_courses.add(basics)
    advanced.save_revision().publish()
    client = as_user(student)
    response = client.post(enroll_url(advanced))
    problem(response, 403, "prerequisites_missing")
    assert "Basics" in response.json()["detail"]
    # Enrolled but not completed is not enough.
    client.post(enroll_url(basics))
    problem(client.post(enroll_url(advanced)), 403, "prerequisites_missing")
    lf.watch(client, student, video, 0, 100)
    client.post(f"/api/v2/courses/{basics.pk}/lessons/{reading}/complete/")
    assert Enrollment.objects.get(course=basics).status == "completed"
    assert client.post(enroll_url(advanced)).status_code == 201


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_hundred_concurrent_requests_for_the_last_ten_seats():
    page = cf.course(title="Popular", capacity=15)
    for _ in range(5):
        lf.enroll(UserFactory(), page)
    learners = UserFactory.create_batch(100)
    start = threading.Barrier(25)

    def attempt(user):
        client = APIClient()
        client.force_authenticate(user)
        try:
            with contextlib.suppress(threading.BrokenBarrierError):
                start.wait(timeout=30)
            response = client.post(enroll_url(page))
            return response.status_code, response.json().get("code")
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=25) as pool:
        outcomes = list(pool.map(attempt, learners))
    assert sorted(set(outcomes)) == [(201, None), (409, "course_full")]
    assert sum(1 for o in outcomes if o[0] == 201) == 10
    assert Enrollment.objects.filter(course=page, status="active").count() == 15
    assert CourseEnrollmentStats.objects.get(course=page).learner_count == 15
