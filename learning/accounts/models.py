import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from learning.accounts.managers import UserManager


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def avatar_upload_to(instance: "User", filename: str) -> str:
    return f"avatars/{instance.pk}/{uuid.uuid4().hex}.webp"


class User(AbstractUser):
    """A person using the product. The email address is the login and is unique regardless
    of case; there is no separate username. Roles are groups (see ``roles.py``)."""

    username = None
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    display_name = models.CharField(
        _("display name"),
        max_length=80,
        blank=True,
        help_text=_(
            "How the person is shown to others (e.g. in discussions). Defaults to the full name."
        ),
    )
    avatar = models.ImageField(_("avatar"), upload_to=avatar_upload_to, blank=True)
    bio = models.TextField(_("bio"), max_length=2000, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    language = models.CharField(
        _("language"), max_length=16, choices=settings.LANGUAGES, default="en"
    )
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    deleted_at = models.DateTimeField(
        _("deleted at"),
        null=True,
        blank=True,
        help_text=_("Set when the person deleted their account; personal data is then erased."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_ci_unique",
                violation_error_message=_("A user with this email address already exists."),
            ),
        ]

    def __str__(self) -> str:
        return self.public_name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email)

    @property
    def full_name(self) -> str:
        return self.get_full_name()

    @property
    def public_name(self) -> str:
        return self.display_name or self.get_full_name() or self.email.split("@", 1)[0]

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class AuthSession(models.Model):
    """A signed-in device: one chain of rotating refresh tokens.

    Only the refresh token whose id is ``refresh_jti`` is valid; every older one in the chain
    is revoked by rotation. Presenting an older one again means the chain leaked, so the
    whole session is revoked -- except the token spent just before, within a few seconds of
    its rotation: that is two tabs refreshing at once, answered with a retryable conflict.
    Access tokens carry the session id and stop working as soon as the session is revoked.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="auth_sessions"
    )
    refresh_jti = models.CharField(max_length=64, unique=True)
    previous_refresh_jti = models.CharField(max_length=64, blank=True)
    rotated_at = models.DateTimeField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class RevokeReason(models.TextChoices):
        LOGOUT = "logout", _("Signed out")
        USER = "user", _("Revoked by the user")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        PASSWORD_RESET = "password_reset", _("Password reset")
        TOKEN_REUSED = "token_reused", _("An old refresh token was reused")
        ACCOUNT_DELETED = "account_deleted", _("Account deleted")

    revoke_reason = models.CharField(max_length=32, choices=RevokeReason.choices, blank=True)

    class Meta:
        ordering = ["-last_used_at", "id"]
        indexes = [models.Index(fields=["user", "revoked_at", "expires_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.user_agent[:40] or 'unknown device'}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class InstructorRequest(models.Model):
    """A learner asking to become an instructor; editors and admins decide in the admin."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="instructor_requests"
    )
    motivation = models.TextField(
        max_length=4000, help_text=_("What the person wants to teach and why.")
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(
        max_length=2000,
        blank=True,
        help_text=_("Shown to the person in the decision email."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("review_instructorrequest", "Can approve or reject instructor requests")]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(status="pending"),
                name="accounts_one_pending_instructor_request",
                violation_error_message=_("You already have a pending request."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_status_display()})"
