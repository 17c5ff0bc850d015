"""Quiz attempts, their grades and history, and answers to in-video checkpoints.

An attempt points at the section revision its quiz was started from (``revision``): its
questions, answer keys, pass mark and time limit are read from that revision, so editing a
quiz never changes an open attempt. The order the questions and choices were shown in is
stored with the seed that produced it. Answers are saved while the attempt is open and
frozen when it is submitted; grading fills the per-question results and the score.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QuizAttempt(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        SUBMITTED = "submitted", _("Submitted and graded")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    lesson = models.ForeignKey(
        "cms.CourseLesson", on_delete=models.PROTECT, related_name="quiz_attempts"
    )
    course = models.ForeignKey("cms.CoursePage", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField(help_text=_("1 for the learner's first attempt, …"))
    revision = models.ForeignKey(
        "wagtailcore.Revision",
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The section revision the quiz was started from."),
    )
    graded_revision = models.ForeignKey(
        "wagtailcore.Revision",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The revision whose answer keys graded it (a newer one after a regrade)."),
    )
    seed = models.BigIntegerField(help_text=_("Seed of the shuffle, so the order reproduces."))
    layout = models.JSONField(
        default=list,
        help_text=_('Questions and choices in the order shown: [{"id", "choices": [ids]}].'),
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(default=timezone.now)
    deadline_at = models.DateTimeField(null=True, blank=True)
    answers = models.JSONField(default=dict, blank=True, help_text=_("Question id -> answer."))
    answers_saved_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    late = models.BooleanField(
        default=False, help_text=_("Closed after its deadline, graded with what was saved.")
    )
    results = models.JSONField(
        default=dict,
        blank=True,
        help_text=_('Question id -> {"points", "max_points", "correct"}.'),
    )
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    percent = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    regraded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["user", "lesson", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "number"], name="quiz_attempt_number_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "lesson"],
                condition=Q(status="open"),
                name="quiz_attempt_one_open",
            ),
            models.CheckConstraint(
                condition=Q(status="open") | Q(submitted_at__isnull=False, score__isnull=False),
                name="quiz_attempt_submitted_is_graded",
            ),
        ]
        indexes = [
            models.Index(fields=["lesson", "status"]),
            models.Index(
                fields=["deadline_at"],
                condition=Q(status="open", deadline_at__isnull=False),
                name="quiz_attempt_open_deadline",
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.user_id} at {self.lesson_id} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class QuizGrade(models.Model):
    """One learner's standing in one quiz: attempts used and the first, last and best
    scores, kept by the service that grades attempts (the gradebook reads these rows). Its
    row is also the lock that makes starting attempts one at a time per learner and quiz."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quiz_grades"
    )
    lesson = models.ForeignKey(
        "cms.CourseLesson", on_delete=models.PROTECT, related_name="quiz_grades"
    )
    course = models.ForeignKey("cms.CoursePage", on_delete=models.PROTECT, related_name="+")
    attempts_started = models.PositiveIntegerField(default=0)
    attempts_graded = models.PositiveIntegerField(default=0)
    first_percent = models.FloatField(null=True, blank=True)
    last_percent = models.FloatField(null=True, blank=True)
    best_percent = models.FloatField(null=True, blank=True)
    best_score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(default=False)
    passed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["course", "lesson", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="quiz_grade_unique")]
        indexes = [models.Index(fields=["course", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.lesson_id}: best {self.best_percent}"


class AttemptRegrade(models.Model):
    """The record of one regrade of one attempt (regrades are never silent)."""

    class Via(models.TextChoices):
        COMMAND = "command", _("Management command")
        ADMIN = "admin", _("Wagtail admin")

    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="regrades")
    from_revision = models.ForeignKey(
        "wagtailcore.Revision", null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_revision = models.ForeignKey(
        "wagtailcore.Revision", on_delete=models.PROTECT, related_name="+"
    )
    old_score = models.FloatField()
    new_score = models.FloatField()
    old_percent = models.FloatField()
    new_percent = models.FloatField()
    old_passed = models.BooleanField()
    new_passed = models.BooleanField()
    old_results = models.JSONField(default=dict)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=16, choices=Via.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Regrade of attempt {self.attempt_id}: {self.old_percent} -> {self.new_percent}"


class CheckpointAnswer(models.Model):
    """A learner's answer to a question a video stops at: graded like a quiz question,
    answered once per checkpoint."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="checkpoint_answers"
    )
    lesson = models.ForeignKey(
        "cms.CourseLesson", on_delete=models.PROTECT, related_name="checkpoint_answers"
    )
    course = models.ForeignKey("cms.CoursePage", on_delete=models.PROTECT, related_name="+")
    checkpoint_id = models.UUIDField()
    question_id = models.UUIDField()
    revision = models.ForeignKey("wagtailcore.Revision", on_delete=models.PROTECT, related_name="+")
    answer = models.JSONField()
    points = models.FloatField()
    max_points = models.FloatField()
    correct = models.BooleanField()
    graded = models.BooleanField(
        default=False, help_text=_("Counts toward the course grade (a checkpoint option).")
    )
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "lesson", "answered_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "checkpoint_id"], name="checkpoint_answer_once"
            )
        ]
        indexes = [models.Index(fields=["course", "user"])]

    def __str__(self) -> str:
        return f"{self.user_id} at checkpoint {self.checkpoint_id}: {self.correct}"
