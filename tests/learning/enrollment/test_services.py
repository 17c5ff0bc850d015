"""Enrollment rules at the service level (the API tests reach them through HTTP)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from learning.analytics.models import LearningEvent
from learning.enrollment import errors, services
from learning.enrollment.models import CourseEnrollmentStats, Enrollment, EnrollmentInvitation
from tests.factories import UserFactory
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db

SELF = Enrollment.Source.SELF


def learners(course) -> int:
    return CourseEnrollmentStats.objects.get(course=course).learner_count


@pytest.fixture
def course(instructor):
    page, _ = cf.published_course_with_lessons(instructors=[instructor], title="Python")
    return page


def test_self_enrollment_creates_an_active_enrollment_and_logs_it(student, course):
    enrollment = services.enrollment_create(user=student, course=course, source=SELF)
    assert (enrollment.status, enrollment.source, enrollment.expires_at) == ("active", SELF, None)
    assert learners(course) == 1
    event = LearningEvent.objects.get(actor=student, verb="enrolled")
    assert event.context["registration"] == str(enrollment.pk)


def test_enrolling_twice_is_already_enrolled(student, course):
    services.enrollment_create(user=student, course=course, source=SELF)
    with pytest.raises(errors.AlreadyEnrolled):
        services.enrollment_create(user=student, course=course, source=SELF)
    assert Enrollment.objects.filter(user=student).count() == 1
    assert learners(course) == 1


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"enrollment_open": False}, errors.EnrollmentClosed),
        ({"enrollment_opens_at": timedelta(days=1)}, errors.EnrollmentNotYetOpen),
        ({"enrollment_closes_at": -timedelta(days=1)}, errors.EnrollmentWindowEnded),
        ({"price": Decimal("10.00")}, errors.PaymentRequired),
    ],
)
def test_self_enrollment_rules_each_raise_their_error(student, instructor, fields, error):
    now = timezone.now()
    fields = {k: now + v if isinstance(v, timedelta) else v for k, v in fields.items()}
    page = cf.course(instructors=[instructor], **fields)
    with pytest.raises(error):
        services.enrollment_create(user=student, course=page, source=SELF)
    assert not Enrollment.objects.filter(course=page).exists()
    # Invites and admins skip these rules.
    enrollment = services.enrollment_create(
        user=student, course=page, source=Enrollment.Source.INVITE, enrolled_by=instructor
    )
    assert enrollment.status == "active"


def test_unverified_email_is_refused_for_self_enrollment_only(course, settings):
    unverified = UserFactory(email_verified_at=None)
    with pytest.raises(errors.EmailNotVerified):
        services.enrollment_create(user=unverified, course=course, source=SELF)
    settings.ENROLLMENT_REQUIRE_VERIFIED_EMAIL = False
    assert services.enrollment_create(user=unverified, course=course, source=SELF).pk


def test_prerequisites_must_be_completed(student, course):
    advanced = cf.course(title="Advanced")
    advanced.prerequisite_courses.add(course)
    advanced.save_revision().publish()
    with pytest.raises(errors.PrerequisitesMissing, match="Python"):
        services.enrollment_create(user=student, course=advanced, source=SELF)
    enrollment = services.enrollment_create(user=student, course=course, source=SELF)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status="completed", completed_at=timezone.now()
    )
    assert services.enrollment_create(user=student, course=advanced, source=SELF).pk


def test_unpublished_courses_take_nobody(student, instructor):
    draft = cf.course(instructors=[instructor], publish=False)
    for source in (SELF, Enrollment.Source.ADMIN):
        with pytest.raises(errors.EnrollmentClosed):
            services.enrollment_create(user=student, course=draft, source=source)


def test_capacity_applies_to_everyone_and_counts_active_enrollments(instructor):
    page = cf.course(instructors=[instructor], capacity=1)
    first, second = UserFactory(), UserFactory()
    enrollment = services.enrollment_create(user=first, course=page, source=SELF)
    for source in (SELF, Enrollment.Source.INVITE, Enrollment.Source.ADMIN):
        with pytest.raises(errors.CourseFull):
            services.enrollment_create(user=second, course=page, source=source)
    services.enrollment_cancel(enrollment=enrollment)
    assert learners(page) == 0
    assert services.enrollment_create(user=second, course=page, source=SELF).pk
    assert learners(page) == 1


def test_cancel_keeps_the_row_frees_the_seat_and_refuses_twice(student, instructor, course):
    enrollment = services.enrollment_create(user=student, course=course, source=SELF)
    cancelled = services.enrollment_cancel(enrollment=enrollment, by=instructor)
    assert (cancelled.status, cancelled.ended_at is not None) == ("cancelled", True)
    assert learners(course) == 0
    event = LearningEvent.objects.get(actor=student, verb="unenrolled")
    assert event.context["extensions"] == {"removed_by": instructor.pk}
    with pytest.raises(errors.NotEnrolled):
        services.enrollment_cancel(enrollment=enrollment)
    assert learners(course) == 0
    # Enrolling again is a new current enrollment.
    again = services.enrollment_create(user=student, course=course, source=SELF)
    assert again.pk != enrollment.pk and learners(course) == 1


def test_access_days_set_the_expiry(student, instructor):
    page = cf.course(instructors=[instructor], access_days=10)
    enrollment = services.enrollment_create(user=student, course=page, source=SELF)
    assert enrollment.expires_at - enrollment.enrolled_at == timedelta(days=10)


def test_invite_enrolls_an_existing_account_or_creates_one_invitation(student, instructor, course):
    enrollment = services.enrollment_invite(course=course, email=student.email, by=instructor)
    assert isinstance(enrollment, Enrollment)
    assert (enrollment.source, enrollment.enrolled_by) == ("invite", instructor)
    invitation = services.enrollment_invite(
        course=course, email=" New.Person@Example.com ", by=instructor
    )
    assert isinstance(invitation, EnrollmentInvitation)
    assert (invitation.email, invitation.status) == ("new.person@example.com", "pending")
    with pytest.raises(errors.AlreadyInvited):
        services.enrollment_invite(course=course, email="new.person@example.com", by=instructor)
    services.invitation_revoke(invitation=invitation)
    with pytest.raises(errors.InvitationNotPending):
        services.invitation_revoke(invitation=invitation)


def test_claiming_enrolls_verified_owners_and_keeps_full_courses_pending(instructor, course):
    full = cf.course(instructors=[instructor], capacity=1, title="Full")
    services.enrollment_create(user=UserFactory(), course=full, source=SELF)
    for page in (course, full):
        services.invitation_create(course=page, email="late@example.com", by=instructor)
    person = UserFactory(email="late@example.com", email_verified_at=None)
    assert services.invitations_claim(user=person) == []  # unverified: nothing yet
    person.email_verified_at = timezone.now()
    person.save()
    claimed = services.invitations_claim(user=person)
    assert [e.course_id for e in claimed] == [course.pk]
    statuses = dict(EnrollmentInvitation.objects.values_list("course_id", "status"))
    assert statuses == {course.pk: "accepted", full.pk: "pending"}
    accepted = EnrollmentInvitation.objects.get(course=course)
    assert accepted.enrollment == claimed[0]
