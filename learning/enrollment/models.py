from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class EnrollmentQuerySet(models.QuerySet):
    def current(self):
        """Active or completed: the enrollments that open a course."""
        return self.filter(status__in=Enrollment.CURRENT)


class Enrollment(models.Model):
    """A learner's place in a course. At most one *current* (active or completed) enrollment
    per learner and course; cancelled and expired ones stay as history. Progress belongs to
    the learner and the lesson, not to the enrollment, so re-enrolling resumes it."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    class Source(models.TextChoices):
        SELF = "self", _("Enrolled themselves")
        INVITE = "invite", _("Invited by course staff")
        ADMIN = "admin", _("Added by an administrator")
        PAID = "paid", _("Bought")

    CURRENT = (Status.ACTIVE, Status.COMPLETED)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="enrollments"
    )
    course = models.ForeignKey(
        "cms.CoursePage", on_delete=models.PROTECT, related_name="enrollments"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.SELF)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who enrolled the learner, for invites and admin enrollments."),
    )
    enrolled_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When it was cancelled or expired.")
    )
    expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("An active enrollment expires then (the course's access days)."),
    )
    last_activity_at = models.DateTimeField(null=True, blank=True)
    last_lesson_id = models.UUIDField(null=True, blank=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        ordering = ["-enrolled_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course"],
                condition=Q(status__in=["active", "completed"]),
                name="enrollment_one_current_per_course",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_at__isnull=False),
                name="enrollment_completed_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["course", "status"]),
            models.Index(fields=["user", "status"]),
            models.Index(
                fields=["expires_at"],
                condition=Q(status="active", expires_at__isnull=False),
                name="enrollment_expiring",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in course {self.course_id} ({self.status})"

    @property
    def is_current(self) -> bool:
        return self.status in self.CURRENT


class EnrollmentInvitation(models.Model):
    """Course staff invited an email address that has no account yet. When someone proves
    they own the address (verifies it), the invitation becomes an enrollment."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    course = models.ForeignKey(
        "cms.CoursePage", on_delete=models.CASCADE, related_name="enrollment_invitations"
    )
    email = models.EmailField(help_text=_("Stored in lower case."))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "email"],
                condition=Q(status="pending"),
                name="enrollment_invitation_one_pending",
            )
        ]
        indexes = [models.Index(fields=["email", "status"])]

    def __str__(self) -> str:
        return f"{self.email} to course {self.course_id} ({self.status})"


class CourseEnrollmentStats(models.Model):
    """Enrollment's own numbers about a course. ``learner_count`` is the course's current
    active learners, kept by the enrollment services with ``F()`` updates (the catalog's
    "popular" order reads it); the row is also the seat lock: enrollments in one course are
    counted and created one at a time under ``select_for_update`` on it."""

    course = models.OneToOneField(
        "cms.CoursePage",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="enrollment_stats",
    )
    learner_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "course enrollment stats"

    def __str__(self) -> str:
        return f"Enrollment stats of course {self.course_id}"
