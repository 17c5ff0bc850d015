"""Shapes of enrollment and progress: the learner dashboard, per-lesson state, heartbeats
and course rosters."""

from __future__ import annotations

import math

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.courses.serializers import (
    CourseDetailSerializer,
    CourseSummarySerializer,
    LessonStateSerializer,
)
from learning.enrollment.models import Enrollment, EnrollmentInvitation
from learning.progress import selectors as progress_selectors
from learning.progress.models import LessonProgress
from learning.progress.services import Outcome, Reason


class EnrollmentSerializer(serializers.Serializer):
    """An enrollment with the learner's progress in its course."""

    id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=Enrollment.Status.choices)
    source = serializers.ChoiceField(choices=Enrollment.Source.choices)
    enrolled_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    ended_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(
        allow_null=True, help_text="When access ends unless the course is completed first."
    )
    last_activity_at = serializers.DateTimeField(allow_null=True)
    last_lesson_id = serializers.UUIDField(allow_null=True)
    percent_complete = serializers.SerializerMethodField(
        help_text="0-100, weighted by the lessons' estimated minutes; optional and removed "
        "lessons do not count (see README, Progress)."
    )
    next_lesson_id = serializers.SerializerMethodField(
        help_text="The lesson to resume: the last one if unfinished, else the next unfinished "
        "one; null when every lesson is done."
    )

    def get_percent_complete(self, enrollment) -> int:
        return progress_selectors.percent(
            getattr(enrollment, "minutes_done", 0.0), getattr(enrollment, "minutes_total", 0)
        )

    @extend_schema_field(serializers.UUIDField(allow_null=True))
    def get_next_lesson_id(self, enrollment):
        ordered = self.context.get("lesson_ids", {}).get(enrollment.course_id, [])
        states = self.context.get("states", {}).get(enrollment.course_id, {})
        last = str(enrollment.last_lesson_id) if enrollment.last_lesson_id else None
        return progress_selectors.next_lesson_id(ordered, states, last)


class CourseWithLearnerSerializer(CourseDetailSerializer):
    """A course with its outline; for a learner also their enrollment (percent complete and
    the lesson to resume) and, on every outline lesson, their state."""

    my_enrollment = EnrollmentSerializer(
        allow_null=True, help_text="Your current enrollment; null when you have none."
    )


class DashboardEnrollmentSerializer(EnrollmentSerializer):
    course = CourseSummarySerializer()
    course_available = serializers.SerializerMethodField(
        help_text="False when the course has been unpublished since."
    )

    def get_course_available(self, enrollment) -> bool:
        return bool(enrollment.course.live)


class EnrollmentStatusQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=Enrollment.Status.choices,
        required=False,
        help_text="Only enrollments in this state; by default active and completed ones.",
    )


# --- Heartbeats -------------------------------------------------------------------------------


class FiniteFloatField(serializers.FloatField):
    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("invalid")
        return value


class HeartbeatSerializer(serializers.Serializer):
    client_event_id = serializers.UUIDField(
        help_text="Made by the player, unique per event: a retried event counts once."
    )
    lesson_id = serializers.UUIDField(help_text="A video lesson of a course you are enrolled in.")
    start = FiniteFloatField(min_value=0, help_text="Start of the span played, media seconds.")
    end = FiniteFloatField(min_value=0, help_text="End of the span played, media seconds.")
    position = FiniteFloatField(min_value=0, help_text="Playhead position (resume point).")
    playback_rate = FiniteFloatField(
        default=1.0, help_text="Rate the span was played at (1 = normal)."
    )
    client_time = serializers.DateTimeField(help_text="When the player recorded the event.")

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": "The span ends before it starts."})
        return attrs


class AnyJSONField(serializers.Field):
    """Any JSON value, null included, taken as is (each event is judged on its own later)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return value


class HeartbeatBatchSerializer(serializers.Serializer):
    events = serializers.ListField(
        child=AnyJSONField(),
        allow_empty=False,
        help_text=f"Up to {settings.PROGRESS_MAX_BATCH_EVENTS} heartbeat objects "
        "(`HeartbeatEvent`); each is judged on its own: one that is not well formed (not an "
        "object, a missing, `null`, non-numeric or out-of-range value) is rejected "
        "(`invalid`, with `errors`) while the others still count. Events past the limit are "
        "rejected (`batch_too_large`) unread.",
    )


class HeartbeatEventDoc(HeartbeatSerializer):
    """Documentation of one event (the batch accepts them as loose JSON, checked one by one)."""


class HeartbeatFieldErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class HeartbeatResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the event in the batch.")
    client_event_id = serializers.UUIDField(allow_null=True)
    status = serializers.ChoiceField(
        choices=[(o, o) for o in (Outcome.ACCEPTED, Outcome.DUPLICATE, Outcome.REJECTED)]
    )
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=[(r, r) for r in Reason.ALL]),
        help_text="Why it was rejected, or what was cut from an accepted event (see the "
        "README, Heartbeats): `invalid`, `batch_too_large`, `lesson_not_available`, "
        "`not_a_video_lesson`, `video_not_ready`, `not_started` (the lesson was not opened "
        "and no playback URL was issued for its video), `beyond_duration`, "
        "`clamped_to_duration`, `faster_than_playback` (cut to what the learner's one "
        "allowance could pay), `playback_rate_out_of_range`, `client_time_in_future`, "
        "`duplicate_event`.",
    )
    errors = serializers.DictField(
        child=HeartbeatFieldErrorSerializer(many=True),
        required=False,
        help_text="Only for `invalid` events: the problems per field, as in problem details "
        '(`{"start": [{"code": "invalid", "message": "…"}]}`; `non_field_errors` when the '
        "event is not an object).",
    )
    credited_seconds = serializers.FloatField(help_text="New unique seconds watched it added.")

    def to_representation(self, instance):
        # The fields above, built directly: ten results per batch on the hottest write path
        # (DRF's per-field calls were a tenth of a heartbeat request's time). The contract
        # tests check the result against the fields' schema.
        data = {
            "index": instance.index,
            "client_event_id": None
            if instance.client_event_id is None
            else str(instance.client_event_id),
            "status": instance.status,
            "reasons": list(instance.reasons),
            "credited_seconds": float(instance.credited_seconds),
        }
        if instance.errors:
            data["errors"] = instance.errors
        return data


class LessonProgressSerializer(LessonStateSerializer):
    """A learner's progress in one lesson (from a :class:`LessonProgress` row)."""

    lesson_id = serializers.UUIDField()
    course_id = serializers.IntegerField()
    watched_seconds = serializers.FloatField(help_text="Unique seconds of the video watched.")

    def to_representation(self, instance):
        if isinstance(instance, LessonProgress):
            instance = {
                **progress_selectors.lesson_state(instance),
                "lesson_id": instance.lesson.lesson_id,
                "course_id": instance.course_id,
                "watched_seconds": instance.watched_seconds,
            }
        return super().to_representation(instance)


class HeartbeatResponseSerializer(serializers.Serializer):
    """What :func:`learning.progress.services.heartbeats_record` returns."""

    results = HeartbeatResultSerializer(many=True)
    lessons = LessonProgressSerializer(many=True, help_text="Progress of each lesson credited.")


# --- Rosters ----------------------------------------------------------------------------------


class LearnerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="public_name")
    email = serializers.EmailField()


class RosterEntrySerializer(serializers.Serializer):
    """A roster row is an enrollment: ``id`` is the enrollment's (as in
    ``/me/enrollments/``), the learner nested."""

    id = serializers.IntegerField(source="pk")
    course_id = serializers.IntegerField()
    learner = LearnerSerializer(source="user")
    status = serializers.ChoiceField(choices=Enrollment.Status.choices)
    source = serializers.ChoiceField(choices=Enrollment.Source.choices)
    enrolled_at = serializers.DateTimeField()
    completed_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)
    percent_complete = serializers.SerializerMethodField()

    def get_percent_complete(self, enrollment) -> int:
        return progress_selectors.percent(enrollment.minutes_done, enrollment.minutes_total)


class RosterQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=100, help_text="Name or email contains."
    )
    status = serializers.ChoiceField(
        choices=Enrollment.Status.choices,
        required=False,
        help_text="By default active and completed enrollments.",
    )
    ordering = serializers.ChoiceField(
        choices=[
            "name",
            "email",
            "enrolled_at",
            "-enrolled_at",
            "progress",
            "-progress",
            "last_activity",
            "-last_activity",
        ],
        default="name",
    )


class InviteSerializer(serializers.Serializer):
    email = serializers.EmailField(help_text="The learner's account email address.")


class InvitationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    status = serializers.ChoiceField(choices=EnrollmentInvitation.Status.choices)
    created_at = serializers.DateTimeField()
    invited_by = serializers.SerializerMethodField()

    def get_invited_by(self, invitation) -> str | None:
        return invitation.invited_by.public_name if invitation.invited_by else None
