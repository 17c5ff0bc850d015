from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Verb(models.TextChoices):
    """What happened. Each maps to an xAPI verb IRI (see ``xapi.VERB_IRIS``)."""

    ENROLLED = "enrolled", _("enrolled")
    UNENROLLED = "unenrolled", _("unenrolled")
    LESSON_STARTED = "lesson_started", _("started a lesson")
    PROGRESSED = "progressed", _("progressed")
    LESSON_COMPLETED = "lesson_completed", _("completed a lesson")
    COURSE_COMPLETED = "course_completed", _("completed a course")
    ANSWERED = "answered", _("answered")
    PASSED = "passed", _("passed")
    FAILED = "failed", _("failed")


class ObjectType(models.TextChoices):
    COURSE = "course", _("course")
    LESSON = "lesson", _("lesson")
    QUESTION = "question", _("question")


class LearningEvent(models.Model):
    """One append-only, xAPI-shaped learning record: *actor* *verb* *object* with a *result*
    in a *context* at a *timestamp*. Analytics and LRS export read this one log.

    Rows are never updated or deleted by the product; when an account is deleted its events
    stay, tied to the anonymised account, so course statistics remain true.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_events"
    )
    verb = models.CharField(max_length=32, choices=Verb.choices)
    object_type = models.CharField(max_length=16, choices=ObjectType.choices)
    object_id = models.CharField(
        max_length=64, help_text=_("Course page id, lesson id or question id.")
    )
    course_id = models.PositiveBigIntegerField(
        db_index=True, help_text=_("The course (page id) the object belongs to.")
    )
    result = models.JSONField(
        default=dict, blank=True, help_text=_("xAPI result: score, success, completion, duration…")
    )
    context = models.JSONField(
        default=dict,
        blank=True,
        help_text=_("xAPI context: registration (enrollment), extensions…"),
    )
    timestamp = models.DateTimeField(default=timezone.now, help_text=_("When it happened."))
    stored_at = models.DateTimeField(auto_now_add=True, help_text=_("When it was recorded."))

    class Meta:
        ordering = ["timestamp", "id"]
        indexes = [
            models.Index(fields=["actor", "timestamp"]),
            models.Index(fields=["course_id", "verb", "timestamp"]),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Learning events are append-only and cannot be changed.")
        super().save(*args, **kwargs)
