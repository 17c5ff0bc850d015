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
            # Rollups read what was stored since their watermark.
            models.Index(fields=["stored_at"], name="analytics_event_stored_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.verb} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("Learning events are append-only and cannot be changed.")
        super().save(*args, **kwargs)


# --- Rollups ------------------------------------------------------------------------------------
# Aggregates computed from the log (and from the progress and assessment tables) by the rollups
# in ``learning.analytics.rollups``. Days are UTC calendar days. Every table is rebuilt per key
# (a day, a course, a lesson), so recomputing a key always gives the same rows.


class RollupState(models.Model):
    """How far one rollup has read its sources: everything changed up to ``watermark`` is
    reflected in its tables. Moved only after every key of a run is rebuilt, so a run that
    dies halfway is simply repeated."""

    name = models.CharField(max_length=64, primary_key=True)
    watermark = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_keys = models.PositiveIntegerField(default=0, help_text=_("Keys rebuilt by the last run."))
    last_duration_ms = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} @ {self.watermark}"


class CourseDay(models.Model):
    """One course on one UTC day, from the learning events of that day."""

    course_id = models.PositiveBigIntegerField()
    day = models.DateField()
    enrollments = models.PositiveIntegerField(default=0)
    unenrollments = models.PositiveIntegerField(default=0)
    active_learners = models.PositiveIntegerField(default=0)
    lesson_starts = models.PositiveIntegerField(default=0)
    lesson_completions = models.PositiveIntegerField(default=0)
    course_completions = models.PositiveIntegerField(default=0)
    answers = models.PositiveIntegerField(default=0)
    completion_seconds = models.JSONField(
        default=list,
        blank=True,
        help_text=_("Seconds from enrollment to completion of each completion of the day."),
    )

    class Meta:
        ordering = ["course_id", "day"]
        constraints = [
            models.UniqueConstraint(fields=["course_id", "day"], name="analytics_course_day_unique")
        ]

    def __str__(self) -> str:
        return f"course {self.course_id} on {self.day}"


class LearnerDay(models.Model):
    """One learner's activity in one course on one UTC day (distinct learners over any range,
    last activity, streaks)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_id = models.PositiveBigIntegerField()
    day = models.DateField()
    events = models.PositiveIntegerField(default=0)
    lesson_starts = models.PositiveIntegerField(default=0)
    lesson_completions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course_id", "day", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["course_id", "day", "user"], name="analytics_learner_day_unique"
            )
        ]
        indexes = [models.Index(fields=["user", "day"]), models.Index(fields=["day"])]

    def __str__(self) -> str:
        return f"{self.user_id} in course {self.course_id} on {self.day}"


class PlatformDay(models.Model):
    day = models.DateField(primary_key=True)
    signups = models.PositiveIntegerField(default=0)
    active_users = models.PositiveIntegerField(default=0)
    enrollments = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["day"]

    def __str__(self) -> str:
        return f"platform on {self.day}"


class LessonStats(models.Model):
    """A course's funnel: per lesson, the learners who started and completed it, and those
    for whom it was the last lesson they touched without completing the course (drop-off)."""

    course_id = models.PositiveBigIntegerField()
    lesson_id = models.UUIDField()
    starts = models.PositiveIntegerField(default=0)
    completions = models.PositiveIntegerField(default=0)
    dropoff = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "lesson stats"
        ordering = ["course_id", "lesson_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course_id", "lesson_id"], name="analytics_lesson_stats_unique"
            )
        ]

    def __str__(self) -> str:
        return f"lesson {self.lesson_id}"


class VideoBucket(models.Model):
    """One 10-second stretch of a video lesson: how many learners' watched coverage includes
    part of it, and how many learners who have not completed the lesson stopped in it."""

    course_id = models.PositiveBigIntegerField()
    lesson_id = models.UUIDField()
    bucket = models.PositiveIntegerField(help_text=_("Starts at bucket x bucket size seconds."))
    learners = models.PositiveIntegerField(default=0)
    exits = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["course_id", "lesson_id", "bucket"]
        constraints = [
            models.UniqueConstraint(
                fields=["course_id", "lesson_id", "bucket"], name="analytics_video_bucket_unique"
            )
        ]

    def __str__(self) -> str:
        return f"lesson {self.lesson_id} bucket {self.bucket}"


class WatchDay(models.Model):
    """New video coverage credited to a learner in one lesson on one UTC day (when the rollup
    saw their progress grow), kept as a running total per learner and lesson in
    ``WatchTotal`` so each second is credited once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_id = models.PositiveBigIntegerField()
    lesson_id = models.UUIDField()
    day = models.DateField()
    seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["day", "course_id", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course_id", "lesson_id", "day"],
                name="analytics_watch_day_unique",
            )
        ]
        indexes = [models.Index(fields=["course_id", "day"]), models.Index(fields=["user", "day"])]

    def __str__(self) -> str:
        return f"{self.user_id} watched {self.seconds:.0f} s on {self.day}"


class WatchTotal(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    course_id = models.PositiveBigIntegerField()
    lesson_id = models.UUIDField()
    seconds = models.FloatField(default=0.0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course_id", "lesson_id"], name="analytics_watch_total_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.seconds:.0f} s of {self.lesson_id}"


class QuestionStats(models.Model):
    """Item analysis of one quiz question over every graded attempt."""

    course_id = models.PositiveBigIntegerField()
    lesson_id = models.UUIDField()
    question_id = models.CharField(max_length=64)
    attempts = models.PositiveIntegerField(default=0)
    correct = models.PositiveIntegerField(default=0)
    discrimination = models.FloatField(
        null=True,
        blank=True,
        help_text=_(
            "Share correct in the top 27 % of attempts (by score) minus the share in the "
            "bottom 27 %; -1 to 1, higher separates strong from weak learners better."
        ),
    )
    top_wrong_answer = models.JSONField(null=True, blank=True)
    top_wrong_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "question stats"
        ordering = ["course_id", "lesson_id", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["course_id", "lesson_id", "question_id"],
                name="analytics_question_stats_unique",
            )
        ]

    def __str__(self) -> str:
        return f"question {self.question_id}"

    @property
    def percent_correct(self) -> float | None:
        return round(100 * self.correct / self.attempts, 1) if self.attempts else None


# --- xAPI forwarding to an external LRS --------------------------------------------------------


class XapiForwardState(models.Model):
    """Where forwarding to the LRS stands: every event up to the cursor ``(stored_at, id)`` was
    delivered (or dead-lettered); after a failure, nothing is sent before ``retry_at``."""

    name = models.CharField(max_length=32, primary_key=True, default="lrs")
    cursor_stored_at = models.DateTimeField(null=True, blank=True)
    cursor_event_id = models.BigIntegerField(default=0)
    delivered = models.PositiveBigIntegerField(default=0)
    failures = models.PositiveIntegerField(
        default=0, help_text=_("Failed attempts in a row (the backoff doubles with each).")
    )
    retry_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"xAPI forwarding: {self.delivered} delivered"


class XapiDeadLetter(models.Model):
    """A statement the LRS refused for good (a 4xx answer to it alone): kept here, shown in
    the admin, never sent again unless someone retries it."""

    event = models.ForeignKey(LearningEvent, on_delete=models.PROTECT, related_name="+")
    statement_id = models.UUIDField()
    status = models.PositiveSmallIntegerField(help_text=_("The LRS's HTTP status."))
    response = models.TextField(blank=True, help_text=_("What the LRS answered (cut)."))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["event"], name="analytics_dead_letter_once")]

    def __str__(self) -> str:
        return f"statement {self.statement_id}: {self.status}"
