from __future__ import annotations

import zoneinfo

from rest_framework import serializers

from learning.analytics.periods import INTERVALS


class TimeZoneField(serializers.CharField):
    default_error_messages = {"unknown_time_zone": "Unknown time zone."}

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if value not in zoneinfo.available_timezones():
            self.fail("unknown_time_zone")
        return value


class RangeQuerySerializer(serializers.Serializer):
    start = serializers.DateField(
        required=False, help_text="First day (YYYY-MM-DD, inclusive). Default: 30 days before end."
    )
    end = serializers.DateField(
        required=False,
        help_text="Last day (YYYY-MM-DD, inclusive). Default: today in `tz`.",
    )
    interval = serializers.ChoiceField(
        choices=INTERVALS,
        default="day",
        help_text="Period of each time-series row: day, week (from Monday) or month.",
    )
    tz = TimeZoneField(
        help_text="IANA time zone of the viewer (default: their profile's). Days are UTC "
        "calendar days; the zone decides which date is today (day granularity)."
    )
    format = serializers.ChoiceField(
        choices=["json", "csv"],
        required=False,
        help_text="`csv` returns the response's table as text/csv.",
    )


class LearnerQuerySerializer(serializers.Serializer):
    at_risk = serializers.BooleanField(
        required=False, default=False, help_text="Only learners flagged at risk."
    )
    tz = TimeZoneField(help_text="IANA time zone that decides which date is today.")
    format = serializers.ChoiceField(choices=["json", "csv"], required=False)


class SeriesRowSerializer(serializers.Serializer):
    period = serializers.DateField(help_text="First date of the period.")
    enrollments = serializers.IntegerField()
    unenrollments = serializers.IntegerField()
    active_learners = serializers.IntegerField(help_text="Distinct learners active in it.")
    lesson_starts = serializers.IntegerField()
    lesson_completions = serializers.IntegerField()
    course_completions = serializers.IntegerField()
    watch_seconds = serializers.IntegerField(help_text="Video seconds newly watched.")


class SeriesSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()
    start = serializers.DateField()
    end = serializers.DateField()
    interval = serializers.CharField()
    tz = serializers.CharField()
    results = SeriesRowSerializer(many=True)


class OverviewSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()
    title = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    enrollments_total = serializers.IntegerField()
    completions_total = serializers.IntegerField()
    completion_rate = serializers.FloatField(
        allow_null=True, help_text="Completions per enrollment, all time (percent)."
    )
    enrollments = serializers.IntegerField(help_text="In the range.")
    active_learners = serializers.IntegerField(help_text="Distinct learners active in the range.")
    lesson_starts = serializers.IntegerField()
    lesson_completions = serializers.IntegerField()
    course_completions = serializers.IntegerField()
    median_days_to_complete = serializers.FloatField(
        allow_null=True, help_text="Median days from enrollment to completion (range)."
    )
    watch_seconds = serializers.IntegerField()
    learning_now = serializers.IntegerField(
        help_text="Learners with a heartbeat in the last two minutes (live)."
    )


class FunnelRowSerializer(serializers.Serializer):
    lesson_id = serializers.UUIDField()
    title = serializers.CharField()
    kind = serializers.CharField()
    position = serializers.IntegerField()
    is_live = serializers.BooleanField(help_text="False for lessons no longer in the course.")
    starts = serializers.IntegerField(help_text="Learners who started it.")
    completions = serializers.IntegerField(help_text="Learners who completed it.")
    completion_rate = serializers.FloatField(allow_null=True)
    dropoff = serializers.IntegerField(
        help_text="Learners whose last lesson it was (without completing the course)."
    )


class FunnelSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()
    results = FunnelRowSerializer(many=True)


class BucketSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    learners = serializers.IntegerField(help_text="Learners who watched part of it.")
    exits = serializers.IntegerField(help_text="Learners not done with the video who left here.")


class HeatmapSerializer(serializers.Serializer):
    lesson_id = serializers.UUIDField()
    title = serializers.CharField()
    duration_seconds = serializers.FloatField(allow_null=True)
    bucket_seconds = serializers.IntegerField()
    buckets = BucketSerializer(many=True)


class QuestionRowSerializer(serializers.Serializer):
    lesson_id = serializers.UUIDField()
    lesson_title = serializers.CharField()
    question_id = serializers.CharField()
    attempts = serializers.IntegerField()
    percent_correct = serializers.FloatField(allow_null=True)
    discrimination = serializers.FloatField(
        allow_null=True, help_text="Upper minus lower 27 % share correct (-1 to 1)."
    )
    top_wrong_answer = serializers.JSONField(allow_null=True)
    top_wrong_count = serializers.IntegerField()


class QuestionsSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()
    results = QuestionRowSerializer(many=True)


class LearnerRowSerializer(serializers.Serializer):
    enrollment_id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    email = serializers.EmailField()
    status = serializers.CharField()
    enrolled_at = serializers.DateTimeField()
    last_active = serializers.DateField(allow_null=True, help_text="Last active UTC day.")
    lessons_completed = serializers.IntegerField()
    pace = serializers.FloatField(help_text="Lessons completed per day enrolled.")
    at_risk = serializers.BooleanField()
    reasons = serializers.ListField(
        child=serializers.ChoiceField(choices=["inactive", "behind_pace"])
    )
    roster_url = serializers.CharField(help_text="The learner's roster entry (API).")


class PlatformRowSerializer(serializers.Serializer):
    period = serializers.DateField()
    signups = serializers.IntegerField()
    active_users = serializers.IntegerField()
    enrollments = serializers.IntegerField()
    completions = serializers.IntegerField()


class PlatformSeriesSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    interval = serializers.CharField()
    tz = serializers.CharField()
    results = PlatformRowSerializer(many=True)


class TopCourseSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()
    enrollments = serializers.IntegerField()
    completions = serializers.IntegerField()


class PlatformOverviewSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    signups = serializers.IntegerField()
    enrollments = serializers.IntegerField()
    completions = serializers.IntegerField()
    active_users = serializers.IntegerField()
    active_courses = serializers.IntegerField()
    top_courses = TopCourseSerializer(many=True)


class ActivityDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    watch_seconds = serializers.IntegerField(help_text="Video seconds newly watched that day.")
    lessons_completed = serializers.IntegerField()
    active = serializers.BooleanField()


class ActivityWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The Monday starting the week.")
    lessons_completed = serializers.IntegerField()


class ActivitySerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    streak_days = serializers.IntegerField(
        help_text="Consecutive active days ending today or yesterday."
    )
    days = ActivityDaySerializer(many=True)
    weeks = ActivityWeekSerializer(many=True)


class LiveSerializer(serializers.Serializer):
    course_id = serializers.IntegerField()
    learning_now = serializers.IntegerField()
