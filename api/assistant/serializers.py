"""Shapes of the AI tutor API. Check questions never carry their right choice before the
learner has answered."""

from __future__ import annotations

from rest_framework import serializers

from api.serializers import ProblemSerializer
from learning.assistant.models import CheckQuestion, Conversation, Message, Reflection


class ConversationSerializer(serializers.ModelSerializer):
    course_id = serializers.IntegerField(read_only=True)
    course_title = serializers.CharField(source="course.title", read_only=True)
    message_count = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = Conversation
        fields = [
            "id",
            "course_id",
            "course_title",
            "lesson_id",
            "title",
            "message_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ConversationCreateSerializer(serializers.Serializer):
    course_id = serializers.IntegerField(min_value=1)
    lesson_id = serializers.UUIDField(required=False, allow_null=True)
    title = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class ConversationRenameSerializer(serializers.Serializer):
    title = serializers.CharField(allow_blank=True, max_length=200)


class ConversationListQuerySerializer(serializers.Serializer):
    course_id = serializers.IntegerField(required=False, min_value=1)


class MessageSerializer(serializers.ModelSerializer):
    feedback = serializers.ChoiceField(
        choices=Message.Feedback.choices,
        allow_blank=True,
        read_only=True,
        help_text="The learner's rating; empty until they rate the answer.",
    )

    class Meta:
        model = Message
        fields = [
            "id",
            "role",
            "agent",
            "content",
            "citations",
            "context",
            "status",
            "error_code",
            "provider",
            "model",
            "tokens_in",
            "tokens_out",
            "latency_ms",
            "cost",
            "cached",
            "feedback",
            "feedback_comment",
            "created_at",
        ]
        read_only_fields = fields


class ContextSerializer(serializers.Serializer):
    """Where the learner is: the lesson, the moment in its video, the text they selected."""

    lesson_id = serializers.UUIDField(required=False, allow_null=True)
    video_time_seconds = serializers.FloatField(required=False, allow_null=True, min_value=0)
    selected_text = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )

    def service_kwargs(self) -> dict:
        data = self.validated_data
        return {
            "lesson_id": data.get("lesson_id"),
            "video_time": data.get("video_time_seconds"),
            "selected_text": data.get("selected_text") or "",
        }


class SendMessageSerializer(ContextSerializer):
    content = serializers.CharField(allow_blank=True, trim_whitespace=False)


class HintSerializer(ContextSerializer):
    level = serializers.ChoiceField(choices=["nudge", "hint", "step"], default="nudge")
    content = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, default=""
    )


class QuotaProblemSerializer(ProblemSerializer):
    """``assistant_quota_exceeded``: the problem details say which quota ran out."""

    period = serializers.ChoiceField(choices=["day", "month"])
    unit = serializers.ChoiceField(choices=["interactions", "tokens"])
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    resets_at = serializers.DateTimeField()
    plan = serializers.CharField()
    upgrade_message = serializers.CharField()


class FeedbackSerializer(serializers.Serializer):
    feedback = serializers.ChoiceField(choices=Message.Feedback.choices)
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class CheckQuestionSerializer(serializers.ModelSerializer):
    correct_index = serializers.SerializerMethodField()

    class Meta:
        model = CheckQuestion
        fields = [
            "id",
            "lesson_id",
            "question",
            "choices",
            "answered_index",
            "is_correct",
            "correct_index",
            "answered_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_correct_index(self, check) -> int | None:
        # Revealed only once the learner has answered (graded on the server).
        return check.correct_index if check.answered_at is not None else None


class CheckAnswerSerializer(serializers.Serializer):
    choice = serializers.IntegerField(min_value=0)


class MessageWithCheckSerializer(serializers.Serializer):
    message = MessageSerializer()
    check = CheckQuestionSerializer()


class PathRecommendationSerializer(serializers.Serializer):
    lesson_id = serializers.UUIDField()
    title = serializers.CharField()
    reason = serializers.CharField()


class PathSerializer(serializers.Serializer):
    message = MessageSerializer()
    recommendations = PathRecommendationSerializer(many=True)


class ReflectionSerializer(serializers.ModelSerializer):
    course_id = serializers.IntegerField(read_only=True)
    user_id = serializers.IntegerField(read_only=True)
    link = serializers.URLField(read_only=True, allow_blank=True, help_text="Empty when none.")
    file_url = serializers.SerializerMethodField()

    class Meta:
        model = Reflection
        fields = [
            "id",
            "user_id",
            "course_id",
            "lesson_id",
            "prompt",
            "text",
            "link",
            "file_url",
            "created_at",
        ]
        read_only_fields = fields

    def get_file_url(self, reflection) -> str | None:
        return reflection.file.url if reflection.file else None


class CourseReflectionSerializer(ReflectionSerializer):
    learner_name = serializers.CharField(source="user.public_name", read_only=True)

    class Meta(ReflectionSerializer.Meta):
        fields = [*ReflectionSerializer.Meta.fields, "learner_name"]
        read_only_fields = fields


class ReflectionCreateSerializer(serializers.Serializer):
    course_id = serializers.IntegerField(min_value=1)
    lesson_id = serializers.UUIDField()
    text = serializers.CharField(required=False, allow_blank=True, default="")
    link = serializers.URLField(required=False, allow_blank=True, max_length=500, default="")
    prompt = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_null=True)


class ReflectionQuerySerializer(serializers.Serializer):
    course_id = serializers.IntegerField(required=False, min_value=1)
    lesson_id = serializers.UUIDField(required=False)


class StruggleQuerySerializer(serializers.Serializer):
    course_id = serializers.IntegerField(min_value=1)
    lesson_id = serializers.UUIDField(required=False)


class StruggleSerializer(serializers.Serializer):
    suggested_agent = serializers.CharField(allow_null=True)
    signals = serializers.ListField(child=serializers.CharField())


class UsagePeriodSerializer(serializers.Serializer):
    limit = serializers.IntegerField()
    used = serializers.IntegerField()
    remaining = serializers.IntegerField()
    resets_at = serializers.DateTimeField()
    tokens = serializers.IntegerField(help_text="Tokens in + out of this period's calls.")
    token_limit = serializers.IntegerField(
        allow_null=True, help_text="Tokens allowed in this period by the plan; null: no limit."
    )
    tokens_remaining = serializers.IntegerField(
        allow_null=True, help_text="Tokens left before the token limit; null: no limit."
    )


class UsageSerializer(serializers.Serializer):
    plan = serializers.CharField()
    day = UsagePeriodSerializer()
    month = UsagePeriodSerializer()
    provider = serializers.CharField()


class UsageReportQuerySerializer(serializers.Serializer):
    course_id = serializers.IntegerField(required=False, min_value=1)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)


class UsageReportRowSerializer(serializers.Serializer):
    course_id = serializers.IntegerField(allow_null=True)
    course_title = serializers.CharField()
    day = serializers.DateField()
    calls = serializers.IntegerField()
    failed_calls = serializers.IntegerField()
    learners = serializers.IntegerField()
    tokens_in = serializers.IntegerField()
    tokens_out = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=14, decimal_places=6)
