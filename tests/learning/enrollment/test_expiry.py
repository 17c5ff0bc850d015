from datetime import timedelta

import pytest
from django.utils import timezone

from learning.analytics.models import LearningEvent
from learning.enrollment import services
from learning.enrollment.models import CourseEnrollmentStats, Enrollment
from learning.enrollment.tasks import expire_enrollments
from tests.factories import courses as cf
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db


def test_access_days_expire_active_enrollments_only(student, other_student, as_user):
    course, (video, reading) = lf.video_course(access_days=30)
    lf.enroll(student, course)
    lf.enroll(other_student, course)
    enrollment = Enrollment.objects.get(user=student)
    assert enrollment.expires_at - enrollment.enrolled_at == timedelta(days=30)
    # The other learner completes before the deadline and keeps the course.
    other = as_user(other_student)
    lf.watch(other, other_student, video, 0, 100)
    other.post(f"/api/v2/courses/{course.pk}/lessons/{reading}/complete/")

    assert services.enrollments_expire(now=timezone.now() + timedelta(days=29)) == 0
    assert services.enrollments_expire(now=timezone.now() + timedelta(days=31)) == 1
    enrollment.refresh_from_db()
    assert enrollment.status == "expired" and enrollment.ended_at is not None
    assert Enrollment.objects.get(user=other_student).status == "completed"
    assert CourseEnrollmentStats.objects.get(course=course).learner_count == 1
    event = LearningEvent.objects.get(actor=student, verb="unenrolled")
    assert event.context["extensions"] == {"reason": "expired"}

    client = as_user(student)
    response = client.get(f"/api/v2/courses/{course.pk}/lessons/{video}/")
    assert response.status_code == 403
    assert client.get("/api/v2/me/enrollments/?status=expired").json()["count"] == 1
    # Enrolling again starts a new access period and resumes progress.
    assert client.post(f"/api/v2/courses/{course.pk}/enrollment/").status_code == 201


def test_no_access_days_never_expire(student):
    course = cf.course()
    lf.enroll(student, course)
    assert Enrollment.objects.get(user=student).expires_at is None
    assert expire_enrollments() == 0
