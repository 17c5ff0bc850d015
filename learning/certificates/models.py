from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CertificateQuerySet(models.QuerySet):
    def valid(self):
        return self.filter(revoked_at__isnull=True)


class Certificate(models.Model):
    """A certificate of completion: what was true when it was issued (the learner's name,
    the course's title and instructors, the completion date, the estimated hours), under a
    verification code nobody can guess.

    One certificate is issued per enrollment completion (``replaces`` empty, a constraint);
    an editor can revoke it and re-issue a new one (new code, ``replaces`` the old one),
    so at most one unrevoked certificate exists per enrollment. Revoked codes stay
    verifiable as revoked. When the holder deletes their account the certificate stays,
    with the name and PDF removed (``holder_removed_at``)."""

    code = models.CharField(max_length=40, unique=True, editable=False)
    enrollment = models.ForeignKey(
        "enrollment.Enrollment", on_delete=models.PROTECT, related_name="certificates"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    course = models.ForeignKey(
        "cms.CoursePage", on_delete=models.PROTECT, related_name="certificates"
    )
    holder_name = models.CharField(
        max_length=300, blank=True, help_text=_("The learner's name when it was issued.")
    )
    course_title = models.CharField(max_length=255)
    instructors = models.JSONField(
        default=list, blank=True, help_text=_("Names of the course's instructors at issue.")
    )
    completed_at = models.DateTimeField()
    estimated_minutes = models.PositiveIntegerField(default=0)
    issued_at = models.DateTimeField(default=timezone.now)
    pdf = models.CharField(
        max_length=255, blank=True, help_text=_("Storage name of the rendered PDF.")
    )
    pdf_rendered_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        help_text=_("The revoked certificate this one was re-issued for."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who re-issued it (empty when issued on completion)."),
    )
    holder_removed_at = models.DateTimeField(null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    # Per-learner records, not content: Wagtail's reference index ("usage" of a course page)
    # would grow a row per certificate on every issue.
    wagtail_reference_index_ignore = True

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(replaces__isnull=True),
                name="certificate_one_issue_per_completion",
            ),
            models.UniqueConstraint(
                fields=["enrollment"],
                condition=Q(revoked_at__isnull=True),
                name="certificate_one_valid_per_enrollment",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoke_reason=""),
                name="certificate_revoked_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["user", "issued_at"])]
        permissions = [("manage_certificates", "Can revoke and re-issue certificates")]

    def __str__(self) -> str:
        return f"{self.course_title}: {self.holder_display} ({self.status})"

    class Status(models.TextChoices):
        VALID = "valid", _("Valid")
        REVOKED = "revoked", _("Revoked")
        UNKNOWN = "unknown", _("Unknown")

    @property
    def status(self) -> str:
        return self.Status.REVOKED if self.revoked_at else self.Status.VALID

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None

    @property
    def holder_removed(self) -> bool:
        return self.holder_removed_at is not None

    @property
    def holder_display(self) -> str:
        return str(_("Holder removed")) if self.holder_removed else self.holder_name

    @property
    def hours(self) -> float:
        return round(self.estimated_minutes / 60, 1)
