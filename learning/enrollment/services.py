"""Enrollment writes: enroll (self, invite, admin), unenroll. Every rule a learner can trip
raises a distinct error from :mod:`learning.enrollment.errors`."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Greatest
from django.utils import timezone

from cms.models import CoursePage
from learning.accounts import services as account_services
from learning.accounts.emails import frontend_link, queue_email
from learning.analytics.models import ObjectType, Verb
from learning.analytics.services import event_record
from learning.enrollment import errors
from learning.enrollment.models import CourseEnrollmentStats, Enrollment, EnrollmentInvitation
from learning.notifications import handlers as notifications

Source = Enrollment.Source


def _check_self_enrollment(*, user, course: CoursePage, now) -> None:
    """The rules for learners enrolling themselves (invites and admins skip them)."""
    if settings.ENROLLMENT_REQUIRE_VERIFIED_EMAIL and user.email_verified_at is None:
        raise errors.EmailNotVerified()
    if not course.enrollment_open:
        raise errors.EnrollmentClosed()
    if course.enrollment_opens_at and now < course.enrollment_opens_at:
        raise errors.EnrollmentNotYetOpen()
    if course.enrollment_closes_at and now >= course.enrollment_closes_at:
        raise errors.EnrollmentWindowEnded()
    if not course.is_free:
        raise errors.PaymentRequired()
    completed = Enrollment.objects.filter(
        course=OuterRef("pk"), user=user, completed_at__isnull=False
    )
    missing = sorted(
        CoursePage.objects.filter(required_by=course)
        .exclude(Exists(completed))
        .values_list("title", flat=True)
    )
    if missing:
        raise errors.PrerequisitesMissing(
            "Complete the prerequisite courses first: " + ", ".join(missing) + "."
        )


def _lock_seats(course: CoursePage) -> CourseEnrollmentStats:
    """Lock the course's enrollment stats row: enrollments in one course are counted and
    created one at a time, so capacity holds under concurrent requests."""
    CourseEnrollmentStats.objects.get_or_create(course=course)
    return CourseEnrollmentStats.objects.select_for_update().get(course=course)


@transaction.atomic
def enrollment_create(
    *, user, course: CoursePage, source: str = Source.SELF, enrolled_by=None
) -> Enrollment:
    """Enroll ``user`` in the live ``course``. Learners enrolling themselves must pass every
    rule (verified email, open, inside the window, free, prerequisites); course staff
    (invites) and admins skip them. Capacity applies to everyone."""
    now = timezone.now()
    if not course.live:
        raise errors.EnrollmentClosed("This course is not published.")
    if source == Source.SELF:
        _check_self_enrollment(user=user, course=course, now=now)
    _lock_seats(course)
    if Enrollment.objects.current().filter(user=user, course=course).exists():
        raise errors.AlreadyEnrolled()
    if course.capacity is not None:
        taken = Enrollment.objects.filter(course=course, status=Enrollment.Status.ACTIVE).count()
        if taken >= course.capacity:
            raise errors.CourseFull()
    enrollment = Enrollment(
        user=user,
        course=course,
        source=source,
        enrolled_by=enrolled_by,
        enrolled_at=now,
        expires_at=now + timedelta(days=course.access_days) if course.access_days else None,
    )
    enrollment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            enrollment.save(force_insert=True)
    except IntegrityError as exc:  # the one-current-enrollment constraint
        raise errors.AlreadyEnrolled() from exc
    CourseEnrollmentStats.objects.filter(course=course).update(learner_count=F("learner_count") + 1)
    event_record(
        actor=user,
        verb=Verb.ENROLLED,
        object_type=ObjectType.COURSE,
        object_id=str(course.pk),
        course_id=course.pk,
        context={"registration": str(enrollment.pk), "extensions": {"source": source}},
        timestamp=now,
    )
    notifications.enrollment_started(enrollment, by=enrolled_by)
    # Coming back to a course whose lessons were all done before completes it again.
    from learning.progress.services import course_completion_check

    course_completion_check(user=user, course_id=course.pk)
    enrollment.refresh_from_db()
    return enrollment


def _end(enrollment: Enrollment, *, status: str, from_statuses, extensions: dict) -> bool:
    """Move ``enrollment`` from one of ``from_statuses`` to ``status`` (conditional update),
    free its seat and log ``unenrolled``. False when it was in none of those statuses."""
    now = timezone.now()
    updated = Enrollment.objects.filter(pk=enrollment.pk, status__in=from_statuses).update(
        status=status, ended_at=now
    )
    if not updated:
        return False
    CourseEnrollmentStats.objects.filter(course_id=enrollment.course_id).update(
        learner_count=Greatest(F("learner_count") - 1, 0)
    )
    event_record(
        actor=enrollment.user,
        verb=Verb.UNENROLLED,
        object_type=ObjectType.COURSE,
        object_id=str(enrollment.course_id),
        course_id=enrollment.course_id,
        context={"registration": str(enrollment.pk), "extensions": extensions},
        timestamp=now,
    )
    notifications.enrollment_ended(enrollment, expired=status == Enrollment.Status.EXPIRED)
    return True


@transaction.atomic
def enrollment_cancel(*, enrollment: Enrollment, by=None) -> Enrollment:
    """End a current enrollment (the learner leaving, or staff removing them). Progress is
    kept: enrolling again resumes it."""
    extensions = {} if by is None or by.pk == enrollment.user_id else {"removed_by": by.pk}
    if not _end(
        enrollment,
        status=Enrollment.Status.CANCELLED,
        from_statuses=Enrollment.CURRENT,
        extensions=extensions,
    ):
        raise errors.NotEnrolled()
    enrollment.refresh_from_db()
    return enrollment


def enrollments_expire(*, now=None) -> int:
    """Expire active enrollments whose access period is over (completed ones keep theirs).
    Run by beat every few minutes; each enrollment in its own transaction."""
    now = now or timezone.now()
    expired = 0
    due = Enrollment.objects.filter(
        status=Enrollment.Status.ACTIVE, expires_at__lte=now
    ).select_related("user", "course")
    for enrollment in due.iterator():
        with transaction.atomic():
            expired += _end(
                enrollment,
                status=Enrollment.Status.EXPIRED,
                from_statuses=[Enrollment.Status.ACTIVE],
                extensions={"reason": "expired"},
            )
    return expired


def enrollment_invite(*, course: CoursePage, email: str, by) -> Enrollment | EnrollmentInvitation:
    """Course staff invite a learner by email address. An existing account is enrolled at
    once and told by email; an address without an account gets an invitation email and is
    enrolled when its owner signs up and verifies it (:func:`invitations_claim`).
    Open/window/price/prerequisite rules do not apply; capacity does."""
    email = email.strip()
    user = (
        get_user_model()
        .objects.filter(email__iexact=email, is_active=True, deleted_at__isnull=True)
        .first()
    )
    if user is None:
        return invitation_create(course=course, email=email, by=by)
    with transaction.atomic():
        enrollment = enrollment_create(
            user=user, course=course, source=Source.INVITE, enrolled_by=by
        )
        queue_email(
            "course_invitation",
            to=user.email,
            context={
                "name": user.public_name,
                "inviter": by.public_name,
                "course_title": course.title,
                "course_link": frontend_link("/courses/{id}", id=str(course.pk)),
            },
        )
    return enrollment


@transaction.atomic
def invitation_create(*, course: CoursePage, email: str, by) -> EnrollmentInvitation:
    if not course.live:
        raise errors.EnrollmentClosed("This course is not published.")
    invitation = EnrollmentInvitation(course=course, email=email.strip().lower(), invited_by=by)
    invitation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save(force_insert=True)
    except IntegrityError as exc:  # one pending invitation per course and address
        raise errors.AlreadyInvited() from exc
    queue_email(
        "course_invitation_signup",
        to=invitation.email,
        context={
            "inviter": by.public_name,
            "course_title": course.title,
            "signup_link": frontend_link(settings.FRONTEND_SIGNUP_PATH, email=invitation.email),
        },
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, invitation: EnrollmentInvitation) -> EnrollmentInvitation:
    updated = EnrollmentInvitation.objects.filter(
        pk=invitation.pk, status=EnrollmentInvitation.Status.PENDING
    ).update(status=EnrollmentInvitation.Status.REVOKED, decided_at=timezone.now())
    if not updated:
        raise errors.InvitationNotPending()
    invitation.refresh_from_db()
    return invitation


def invitations_claim(*, user) -> list[Enrollment]:
    """Turn the pending invitations of ``user``'s (verified) address into enrollments. An
    invitation that cannot be honoured yet (course full or unpublished) stays pending."""
    if user.email_verified_at is None:
        return []
    enrolled = []
    pending = EnrollmentInvitation.objects.filter(
        email=user.email.lower(), status=EnrollmentInvitation.Status.PENDING
    ).select_related("course", "invited_by")
    for invitation in pending:
        try:
            with transaction.atomic():
                try:
                    enrollment = enrollment_create(
                        user=user,
                        course=invitation.course,
                        source=Source.INVITE,
                        enrolled_by=invitation.invited_by,
                    )
                    enrolled.append(enrollment)
                except errors.AlreadyEnrolled:
                    enrollment = (
                        Enrollment.objects.current()
                        .filter(user=user, course=invitation.course)
                        .first()
                    )
                EnrollmentInvitation.objects.filter(pk=invitation.pk).update(
                    status=EnrollmentInvitation.Status.ACCEPTED,
                    decided_at=timezone.now(),
                    enrollment=enrollment,
                )
        except errors.EnrollmentError:
            continue
    return enrolled


@transaction.atomic
def email_verify_and_claim_invitations(*, token: str):
    """Confirm an email address with its verification token and turn the address's pending
    course invitations into enrollments, in one transaction: a failure while claiming leaves
    the address unverified (the link still works), never a verified learner missing the
    courses they were invited to. Invitations that cannot be honoured yet (course full or
    unpublished) stay pending, as in :func:`invitations_claim`."""
    user = account_services.email_verify(token=token)
    invitations_claim(user=user)
    return user
