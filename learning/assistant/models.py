"""The AI tutor's records: the course index (passages), conversations and their messages,
check questions, reflections, plans, quota counters and the provider-call ledger."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Passage(models.Model):
    """A searchable piece of a live lesson: reading text, quiz instructions, video notes, or
    a stretch of a video's transcript (with its time range). Never answer keys or
    explanations. Rebuilt per course when the course or one of its sections is published.

    Full-text search: ``search_vector`` (title weight A, body weight B, in the course
    language's configuration, GIN index) on PostgreSQL; the FTS5 table
    ``assistant_passage_fts`` (rowid = passage id) on SQLite. Both are created by the
    migration for their database only."""

    class Kind(models.TextChoices):
        TEXT = "text", _("Lesson text")
        TRANSCRIPT = "transcript", _("Video transcript")

    course = models.ForeignKey(
        "cms.CoursePage", on_delete=models.CASCADE, related_name="assistant_passages"
    )
    lesson_id = models.UUIDField()
    lesson_title = models.CharField(max_length=200)
    section_title = models.CharField(max_length=255, blank=True)
    lesson_kind = models.CharField(max_length=16)
    free_preview = models.BooleanField(default=False)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    position = models.PositiveIntegerField(help_text=_("Order inside the lesson."))
    lesson_position = models.PositiveIntegerField(default=0)
    body = models.TextField()
    start_seconds = models.FloatField(null=True, blank=True)
    end_seconds = models.FloatField(null=True, blank=True)
    search_config = models.CharField(max_length=32, default="english")
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["course", "lesson_position", "kind", "position", "pk"]
        indexes = [models.Index(fields=["course", "lesson_id"])]

    def __str__(self) -> str:
        return f"{self.lesson_title} #{self.position}"


class Conversation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistant_conversations"
    )
    course = models.ForeignKey(
        "cms.CoursePage", on_delete=models.CASCADE, related_name="assistant_conversations"
    )
    lesson_id = models.UUIDField(null=True, blank=True)
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["user", "-updated_at"])]

    def __str__(self) -> str:
        return self.title or f"Conversation {self.pk}"


class Agent(models.TextChoices):
    CHAT = "chat", _("Chat")
    HINT = "hint", _("Hint")
    CHECK = "check", _("Check")
    REFLECT = "reflect", _("Reflect")
    PATH = "path", _("Path")


class Message(models.Model):
    class Role(models.TextChoices):
        USER = "user", _("Learner")
        ASSISTANT = "assistant", _("Tutor")

    class Status(models.TextChoices):
        COMPLETE = "complete", _("Complete")
        FAILED = "failed", _("Failed")  # the provider failed; nothing was charged

    class Feedback(models.TextChoices):
        UP = "up", _("Thumbs up")
        DOWN = "down", _("Thumbs down")

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    agent = models.CharField(max_length=16, choices=Agent.choices, default=Agent.CHAT)
    content = models.TextField(blank=True)
    context = models.JSONField(default=dict, blank=True)
    citations = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.COMPLETE)
    error_code = models.CharField(max_length=64, blank=True)
    provider = models.CharField(max_length=32, blank=True)
    model = models.CharField(max_length=100, blank=True)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    cached = models.BooleanField(default=False)
    feedback = models.CharField(max_length=8, choices=Feedback.choices, blank=True)
    feedback_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["conversation", "created_at"])]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"


class CheckQuestion(models.Model):
    """A multiple-choice question the *check* agent made from the learner's moment. The
    correct choice stays here until the learner answers; it is graded on the server."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistant_checks"
    )
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="checks")
    course = models.ForeignKey("cms.CoursePage", on_delete=models.CASCADE, related_name="+")
    lesson_id = models.UUIDField(null=True, blank=True)
    question = models.TextField()
    choices = models.JSONField()
    correct_index = models.PositiveSmallIntegerField()
    source = models.JSONField(default=dict, blank=True)
    answered_index = models.PositiveSmallIntegerField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "created_at"])]

    def __str__(self) -> str:
        return self.question[:60]


def reflection_upload_to(instance, filename: str) -> str:
    return f"assistant/reflections/{instance.user_id}/{timezone.now():%Y%m}/{filename}"


class Reflection(models.Model):
    """What a learner wrote (or linked, or uploaded) after a lesson. Visible to the learner
    and to the course's instructors and reviewers."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistant_reflections"
    )
    course = models.ForeignKey(
        "cms.CoursePage", on_delete=models.CASCADE, related_name="assistant_reflections"
    )
    lesson_id = models.UUIDField()
    prompt = models.TextField(blank=True)
    text = models.TextField(blank=True)
    link = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=reflection_upload_to, max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["user", "course", "lesson_id"]),
            models.Index(fields=["course", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"Reflection {self.pk} on {self.lesson_id}"


class Plan(models.TextChoices):
    FREE = "free", _("Free")
    PREMIUM = "premium", _("Premium")
    ENTERPRISE = "enterprise", _("Enterprise")


class TutorPlan(models.Model):
    """A learner's tutor plan, set by administrators until subscriptions exist. Learners
    without a row are on the free plan."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tutor_plan"
    )
    plan = models.CharField(max_length=16, choices=Plan.choices, default=Plan.FREE)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.plan}"


class UsageCounter(models.Model):
    """Interactions a learner used in one day or month (UTC). Taken with a conditional
    UPDATE (``used < limit``), so parallel requests cannot both take the last one."""

    class Period(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    period = models.CharField(max_length=8, choices=Period.choices)
    period_start = models.DateField()
    used = models.PositiveIntegerField(default=0)
    tokens = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "period", "period_start"], name="assistant_usage_one_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.period} {self.period_start}: {self.used}"


class LedgerEntry(models.Model):
    """One provider call: tokens from the provider's usage, the model and its cost from the
    price table (``ASSISTANT_PRICES``). Failed calls are recorded with ``ok=False`` and
    cost nothing."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    course = models.ForeignKey(
        "cms.CoursePage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.ForeignKey(
        Message, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agent = models.CharField(max_length=16, choices=Agent.choices)
    provider = models.CharField(max_length=32)
    model = models.CharField(max_length=100)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=12, decimal_places=6, default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    ok = models.BooleanField(default=True)
    error_code = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "ledger entries"
        indexes = [
            models.Index(fields=["course", "created_at"]),
            models.Index(fields=["user", "created_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ok=True) | Q(cost=0), name="assistant_failed_free")
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.model} {self.tokens_in}/{self.tokens_out}"
