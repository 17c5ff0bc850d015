"""Verifying an address and claiming its course invitations is one transaction."""

import pytest

from learning.accounts.tokens import make_verification_token
from learning.enrollment import services
from learning.enrollment.models import Enrollment, EnrollmentInvitation
from tests.factories import UserFactory
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(instructor):
    course, _ = cf.published_course_with_lessons(instructors=[instructor])
    services.invitation_create(course=course, email="new@example.com", by=instructor)
    person = UserFactory(email="new@example.com", email_verified_at=None)
    return person, course


def test_verifying_claims_the_invitations(invited):
    person, course = invited
    user = services.email_verify_and_claim_invitations(token=make_verification_token(person))
    assert user.email_verified_at is not None
    assert Enrollment.objects.get(user=person).course_id == course.pk
    assert EnrollmentInvitation.objects.get().status == "accepted"


def test_a_failure_while_claiming_rolls_back_the_verification(invited, monkeypatch):
    person, _ = invited
    token = make_verification_token(person)

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "enrollment_create", broken)
    with pytest.raises(RuntimeError):
        services.email_verify_and_claim_invitations(token=token)
    person.refresh_from_db()
    assert person.email_verified_at is None
    assert EnrollmentInvitation.objects.get().status == "pending"
    assert not Enrollment.objects.exists()

    # The same link works once the failure is gone.
    monkeypatch.undo()
    services.email_verify_and_claim_invitations(token=token)
    person.refresh_from_db()
    assert person.email_verified_at is not None
    assert Enrollment.objects.filter(user=person).count() == 1
