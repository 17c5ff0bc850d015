from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LessonStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class LessonProgress(models.Model):
    """One learner's progress in one lesson of a course.

    For videos, ``watched`` is the merged union of the media intervals actually played
    (``[[start, end], ...]`` in seconds, clipped to the video's duration); ``fraction`` is the
    share of the video covered. Progress only grows: a completed lesson stays completed, and
    late or repeated heartbeats never shrink ``watched``.

    ``allowance`` is the media time (seconds) the learner could have played since the last
    heartbeat, refilled by wall time x the highest playback rate and spent by new coverage:
    it is what makes seeking to the end (or forging intervals) earn nothing.
    """

    class CompletedBy(models.TextChoices):
        WATCHING = "watching", _("Watched enough of the video")
        LEARNER = "learner", _("Marked complete by the learner")
        ASSESSMENT = "assessment", _("Passed the quiz")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(
        "cms.CourseLesson", on_delete=models.PROTECT, related_name="progress"
    )
    course = models.ForeignKey("cms.CoursePage", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=LessonStatus.choices, default=LessonStatus.IN_PROGRESS
    )
    fraction = models.FloatField(
        default=0.0, help_text=_("Share of the lesson done, 0 to 1 (1 once completed).")
    )
    watched = models.JSONField(default=list, blank=True)
    watched_seconds = models.FloatField(default=0.0)
    position = models.FloatField(default=0.0, help_text=_("Resume position in seconds."))
    position_client_time = models.DateTimeField(null=True, blank=True)
    allowance = models.FloatField(default=0.0)
    allowance_at = models.DateTimeField(null=True, blank=True)
    progressed_bucket = models.PositiveSmallIntegerField(
        default=0, help_text=_("Last quarter (25/50/75) logged as a progressed event.")
    )
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.CharField(
        max_length=16, choices=CompletedBy.choices, blank=True, default=""
    )

    class Meta:
        verbose_name_plural = "lesson progress"
        ordering = ["course", "lesson__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="lesson_progress_unique"),
            models.CheckConstraint(
                condition=models.Q(fraction__gte=0) & models.Q(fraction__lte=1),
                name="lesson_progress_fraction_range",
            ),
        ]
        indexes = [models.Index(fields=["user", "course"])]

    def __str__(self) -> str:
        return f"{self.user_id} / {self.lesson_id}: {self.status}"


class HeartbeatReceipt(models.Model):
    """A client event id already counted, so a retried heartbeat counts once. Receipts older
    than ``PROGRESS_RECEIPT_RETENTION_DAYS`` are pruned by a periodic task."""

    # The unique (user, client_event_id) index serves lookups by user: no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    client_event_id = models.UUIDField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_event_id"], name="heartbeat_receipt_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.client_event_id}"
