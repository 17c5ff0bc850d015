import uuid

from django.conf import settings
from django.db import connections, models
from django.utils import timezone
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

    The row exists once the learner *started* the lesson (``started_at``: they opened it with
    the explicit open request, or were given its video's playback URL, whichever came first);
    heartbeats for a lesson without one are credited nothing. New coverage is paid from the
    learner's one :class:`PlaybackAllowance`.
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
    progressed_bucket = models.PositiveSmallIntegerField(
        default=0, help_text=_("Last quarter (25/50/75) logged as a progressed event.")
    )
    started_at = models.DateTimeField(
        default=timezone.now,
        help_text=_("When the learner started the lesson; watching is credited from here."),
    )
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


class PlaybackAllowance(models.Model):
    """The one allowance a learner's watching is paid from, across all lessons, tabs and
    devices (nobody watches two videos at once).

    ``balance`` is the media time (seconds) the learner could have played and has not been
    credited yet, as of ``refilled_at``: it refills with wall time x
    ``PROGRESS_MAX_PLAYBACK_RATE`` up to ``PROGRESS_MAX_CREDIT_SECONDS`` x that rate, and new
    coverage spends it. Heartbeats lock this row first (``SELECT … FOR UPDATE``) and read the
    clock after the lock, so concurrent requests are paid one after the other and a request
    that waited cannot move the clock back. Created empty when the learner first starts a
    lesson.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="playback_allowance",
    )
    balance = models.FloatField(default=0.0)
    refilled_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.user_id}: {self.balance:.1f} s at {self.refilled_at:%Y-%m-%d %H:%M:%S}"


class HeartbeatReceiptManager(models.Manager):
    def claim(self, user_id: int, event_ids: list[uuid.UUID], *, received_at) -> set[uuid.UUID]:
        """Record receipts for ``event_ids`` (distinct) and return those that had none: the
        events counted now. One statement (``INSERT … ON CONFLICT DO NOTHING RETURNING``, on
        PostgreSQL and SQLite alike), so a batch reads and writes its receipts at once."""
        if not event_ids:
            return set()
        connection = connections[self.db]
        meta = self.model._meta
        event_field = meta.get_field("client_event_id")
        user_column, event_column, received_column = (
            connection.ops.quote_name(meta.get_field(name).column)
            for name in ("user", "client_event_id", "received_at")
        )
        stamp = meta.get_field("received_at").get_db_prep_value(received_at, connection)
        params: list = []
        for event_id in event_ids:
            params += [user_id, event_field.get_db_prep_value(event_id, connection), stamp]
        # Only quoted identifiers and placeholders go into the text; values are parameters.
        table = connection.ops.quote_name(meta.db_table)
        columns = f"{user_column}, {event_column}, {received_column}"
        rows = ", ".join(["(%s, %s, %s)"] * len(event_ids))
        conflict = f"({user_column}, {event_column}) DO NOTHING RETURNING {event_column}"
        sql = " ".join(
            ["INSERT INTO", table, f"({columns})", "VALUES", rows, "ON CONFLICT", conflict]
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return {event_field.to_python(row[0]) for row in cursor.fetchall()}


class HeartbeatReceipt(models.Model):
    """A client event id already counted, so a retried heartbeat counts once. Receipts older
    than ``PROGRESS_RECEIPT_RETENTION_DAYS`` are pruned by a periodic task."""

    # The unique (user, client_event_id) index serves lookups by user: no index of its own.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    client_event_id = models.UUIDField()
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = HeartbeatReceiptManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "client_event_id"], name="heartbeat_receipt_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.client_event_id}"
