from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def visible(self, now=None):
        """Not expired."""
        now = now or timezone.now()
        return self.filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class Notification(models.Model):
    """One message to one person. Written in bulk by
    :func:`learning.notifications.services.notify`; the kind (a key of the registry in
    :mod:`learning.notifications.registry`) says what it is about."""

    class EmailState(models.TextChoices):
        NONE = "", _("No email")
        IMMEDIATE = "immediate", _("Email queued")
        DIGEST = "digest", _("Waiting for the daily digest")
        SENT = "sent", _("Emailed")
        FAILED = "failed", _("Email failed")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # What the notification is about, for the client to link to: {type, id, url}.
    target_type = models.CharField(max_length=32, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_url = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    course = models.ForeignKey(
        "cms.CoursePage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The course it belongs to, if any."),
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(
        max_length=16, choices=EmailState.choices, blank=True, default=EmailState.NONE
    )
    emailed_at = models.DateTimeField(null=True, blank=True)
    # Makes sending idempotent: one notification per recipient and key (e.g. "expiring:<id>").
    dedupe_key = models.CharField(max_length=100, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_one_per_dedupe_key",
            )
        ]
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient_idx"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True),
                name="notification_unread_idx",
            ),
            models.Index(
                fields=["recipient", "created_at"],
                condition=Q(email_state="digest"),
                name="notification_digest_idx",
            ),
            models.Index(
                fields=["read_at"], condition=Q(read_at__isnull=False), name="notification_read_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id}: {self.title}"

    @property
    def target(self) -> dict | None:
        if not (self.target_type or self.target_url):
            return None
        return {"type": self.target_type, "id": self.target_id, "url": self.target_url}


class NotificationPreference(models.Model):
    """A person's choice for one kind; kinds without a row use the registry's defaults."""

    class Email(models.TextChoices):
        OFF = "off", _("Never")
        IMMEDIATE = "immediate", _("At once")
        DIGEST = "digest", _("Daily digest")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    in_app = models.BooleanField(default=True)
    email = models.CharField(max_length=16, choices=Email.choices, default=Email.OFF)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: in_app={self.in_app} email={self.email}"


class Announcement(models.Model):
    """A message from a course's staff to its learners. Publishing one notifies every current
    learner (in the app, and by email per their preferences)."""

    course = models.ForeignKey(
        "cms.CoursePage", on_delete=models.CASCADE, related_name="announcements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    title = models.CharField(max_length=200)
    body = models.TextField()
    pinned = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-pinned", "-created_at", "-id"]
        indexes = [models.Index(fields=["course", "-pinned", "-created_at"])]
        permissions = [("manage_all_announcements", "Can manage announcements of every course")]

    def __str__(self) -> str:
        return self.title
