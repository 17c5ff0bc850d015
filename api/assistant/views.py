"""AI tutor API: conversations and messages, the agents (hint, check, reflect, path),
reflections, struggle suggestions and usage. Rules live in learning.assistant; the
streaming variant of sending a message is in :mod:`api.assistant.streaming`."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from api.assistant import serializers as s
from api.problems import PROBLEM_CONTENT_TYPE
from cms.models import CoursePage
from learning import access
from learning.assistant import errors, selectors, services
from learning.assistant.models import CheckQuestion, Conversation, Message, Reflection
from learning.assistant.providers import get_provider

TAG = ["assistant"]
ERRORS_DESCRIPTION = (
    "Refusals have distinct codes: 400 `message_empty`, 413 `message_too_long`, 400 "
    "`lesson_not_in_course`, 403 `enrollment_required` (not enrolled and not a free preview "
    "lesson), 403 `email_not_verified`, 403 `tutor_disabled`, 429 "
    "`assistant_quota_exceeded` (with `limit`, `used`, `resets_at`, `period`, `plan`), 503 "
    "`provider_error` / `provider_timeout` / `provider_rate_limited` / "
    "`provider_bad_response` / `provider_circuit_open` (the learner's message is kept and "
    "the interaction is not charged)."
)
# What every tutor interaction may answer besides its success.
INTERACTION_ERRORS = {
    (429, PROBLEM_CONTENT_TYPE): OpenApiResponse(
        s.QuotaProblemSerializer, description="`assistant_quota_exceeded`"
    ),
    503: OpenApiResponse(description="the provider failed; not charged"),
}


def own_conversation(request, conversation_id: int) -> Conversation:
    conversation = selectors.conversation_of(request.user, conversation_id)
    if conversation is None:
        raise errors.ConversationNotFound()
    return conversation


class ConversationListView(ListAPIView):
    serializer_class = s.ConversationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Conversation.objects.none()
        query = s.ConversationListQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.conversations_of(
            self.request.user, course_id=query.validated_data.get("course_id")
        )

    @extend_schema(
        tags=TAG,
        operation_id="assistant_conversations_list",
        parameters=[s.ConversationListQuerySerializer],
        description="Your tutor conversations, most recently active first.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAG,
        operation_id="assistant_conversations_create",
        request=s.ConversationCreateSerializer,
        responses={201: s.ConversationSerializer, **INTERACTION_ERRORS},
        description="Start a conversation about a course (and optionally one of its lessons). "
        + ERRORS_DESCRIPTION,
    )
    def post(self, request):
        data = s.ConversationCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.conversation_create(user=request.user, **data.validated_data)
        conversation.message_count = 0
        return Response(s.ConversationSerializer(conversation).data, status=201)


class ConversationDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="assistant_conversation_retrieve",
        responses={200: s.ConversationSerializer},
    )
    def get(self, request, conversation_id: int):
        conversation = own_conversation(request, conversation_id)
        conversation.message_count = conversation.messages.count()
        return Response(s.ConversationSerializer(conversation).data)

    @extend_schema(
        tags=TAG,
        operation_id="assistant_conversation_rename",
        request=s.ConversationRenameSerializer,
        responses={200: s.ConversationSerializer},
    )
    def patch(self, request, conversation_id: int):
        conversation = own_conversation(request, conversation_id)
        data = s.ConversationRenameSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        conversation = services.conversation_rename(
            conversation=conversation, title=data.validated_data["title"]
        )
        conversation.message_count = conversation.messages.count()
        return Response(s.ConversationSerializer(conversation).data)

    @extend_schema(tags=TAG, operation_id="assistant_conversation_destroy", responses={204: None})
    def delete(self, request, conversation_id: int):
        services.conversation_delete(conversation=own_conversation(request, conversation_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MessageListView(ListAPIView):
    serializer_class = s.MessageSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Message.objects.none()
        return selectors.messages_of(own_conversation(self.request, self.kwargs["conversation_id"]))

    @extend_schema(
        tags=TAG,
        operation_id="assistant_messages_list",
        description="The conversation's messages, oldest first.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAG,
        operation_id="assistant_messages_create",
        request=s.SendMessageSerializer,
        responses={
            201: s.MessageSerializer,
            **INTERACTION_ERRORS,
        },
        description="Ask the tutor and get the whole answer with its citations (the JSON "
        "variant; `POST …/messages/stream/` streams it as Server-Sent Events). Context: the "
        "lesson, the learner's video time (the transcript within ±30 s is used) and "
        "selected text. " + ERRORS_DESCRIPTION,
    )
    def post(self, request, conversation_id: int):
        conversation = own_conversation(request, conversation_id)
        data = s.SendMessageSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_send(
            user=request.user,
            conversation=conversation,
            content=data.validated_data["content"],
            **data.service_kwargs(),
        )
        return Response(s.MessageSerializer(message).data, status=201)


class MessageFeedbackView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="assistant_message_feedback",
        request=s.FeedbackSerializer,
        responses={200: s.MessageSerializer},
        description="Thumbs up or down (and a comment) on one of the tutor's answers.",
    )
    def post(self, request, message_id: int):
        message = (
            Message.objects.filter(
                pk=message_id,
                conversation__user=request.user,
                role=Message.Role.ASSISTANT,
            )
            .select_related("conversation")
            .first()
        )
        if message is None:
            raise errors.MessageNotFound()
        data = s.FeedbackSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.message_feedback(
            message=message,
            feedback=data.validated_data["feedback"],
            comment=data.validated_data["comment"],
        )
        return Response(s.MessageSerializer(message).data)


class HintView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="assistant_hint",
        request=s.HintSerializer,
        responses={201: s.MessageSerializer, **INTERACTION_ERRORS},
        description="The hint ladder for the learner's moment: `nudge`, then `hint`, then "
        "`step` (one worked step). Never the answer to a graded question. " + ERRORS_DESCRIPTION,
    )
    def post(self, request, conversation_id: int):
        conversation = own_conversation(request, conversation_id)
        data = s.HintSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.hint(
            user=request.user,
            conversation=conversation,
            level=data.validated_data["level"],
            content=data.validated_data["content"],
            **data.service_kwargs(),
        )
        return Response(s.MessageSerializer(message).data, status=201)


class CheckView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="assistant_check_create",
        request=s.ContextSerializer,
        responses={201: s.CheckQuestionSerializer, **INTERACTION_ERRORS},
        description="A multiple-choice question about the learner's moment (the transcript "
        "window). The right choice stays on the server until the learner answers. "
        + ERRORS_DESCRIPTION,
    )
    def post(self, request, conversation_id: int):
        conversation = own_conversation(request, conversation_id)
        data = s.ContextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.check_create(
            user=request.user, conversation=conversation, **data.service_kwargs()
        )
        return Response(s.CheckQuestionSerializer(check).data, status=201)


class CheckAnswerView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="assistant_check_answer",
        request=s.CheckAnswerSerializer,
        responses={200: s.CheckQuestionSerializer},
        description="Answer a check question: graded on the server, once (409 "
        "`check_already_answered`); the right choice is returned with the grade.",
    )
    def post(self, request, check_id: int):
        check = CheckQuestion.objects.filter(pk=check_id, user=request.user).first()
        if check is None:
            raise errors.CheckNotFound()
        data = s.CheckAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.check_answer(check=check, choice=data.validated_data["choice"])
        return Response(s.CheckQuestionSerializer(check).data)


class ReflectView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="assistant_reflect",
        request=s.ContextSerializer,
        responses={201: s.MessageSerializer, **INTERACTION_ERRORS},
        description="A reflection prompt for the lesson (save the reflection with "
        "`POST /assistant/reflections/`). " + ERRORS_DESCRIPTION,
    )
    def post(self, request, conversation_id: int):
        conversation = own_conversation(request, conversation_id)
        data = s.ContextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message = services.reflect(
            user=request.user, conversation=conversation, **data.service_kwargs()
        )
        return Response(s.MessageSerializer(message).data, status=201)


class PathView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="assistant_path",
        request=s.ContextSerializer,
        responses={201: s.PathSerializer, **INTERACTION_ERRORS},
        description="Next lessons of the course for the learner (real lesson ids with "
        "reasons), from their struggles and progress. " + ERRORS_DESCRIPTION,
    )
    def post(self, request, conversation_id: int):
        conversation = own_conversation(request, conversation_id)
        data = s.ContextSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        message, chosen = services.path_recommend(
            user=request.user, conversation=conversation, **data.service_kwargs()
        )
        return Response(
            {"message": s.MessageSerializer(message).data, "recommendations": chosen},
            status=201,
        )


class StruggleView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="assistant_struggle",
        parameters=[s.StruggleQuerySerializer],
        responses={200: s.StruggleSerializer},
        description="Which agent the player could offer now (`hint`, `check`, `path` or "
        "null) and the signals behind it: `rewatching`, `long_pause`, `wrong_answers`, "
        "`many_hints`.",
    )
    def get(self, request):
        query = s.StruggleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        allowed = services.tutor_access(
            request.user, query.validated_data["course_id"], query.validated_data.get("lesson_id")
        )
        struggle = selectors.struggle_for(
            request.user, allowed.course.pk, query.validated_data.get("lesson_id")
        )
        return Response({"suggested_agent": struggle.suggested_agent, "signals": struggle.signals})


class ReflectionListView(ListAPIView):
    serializer_class = s.ReflectionSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reflection.objects.none()
        query = s.ReflectionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.reflections_of(self.request.user, **query.validated_data)

    @extend_schema(
        tags=TAG,
        operation_id="assistant_reflections_list",
        parameters=[s.ReflectionQuerySerializer],
        description="Your reflections, newest first; filter by course and lesson.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAG,
        operation_id="assistant_reflections_create",
        request={
            "multipart/form-data": s.ReflectionCreateSerializer,
            "application/json": s.ReflectionCreateSerializer,
        },
        responses={201: s.ReflectionSerializer},
        description="Save a reflection on a lesson: text, a link, or an audio/image file "
        "(stored in the media storage). The course's instructors can read it.",
    )
    def post(self, request):
        from django.conf import settings

        data = s.ReflectionCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("file")
        if upload is not None:
            kind = (getattr(upload, "content_type", "") or "").split("/")[0]
            if kind not in ("audio", "image"):
                raise errors.AssistantError(
                    "Reflection files must be audio or images.", code="reflection_file_type"
                )
            if upload.size > settings.ASSISTANT_MAX_REFLECTION_FILE_BYTES:
                raise errors.MessageTooLong(
                    "This file is larger than reflections accept.", code="reflection_too_large"
                )
        reflection = services.reflection_create(user=request.user, **data.validated_data)
        return Response(s.ReflectionSerializer(reflection).data, status=201)


class CourseReflectionsView(ListAPIView):
    serializer_class = s.CourseReflectionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Reflection.objects.none()
        course = CoursePage.objects.filter(pk=self.kwargs["course_id"]).first()
        if course is None:
            raise errors.CourseNotFound()
        if not access.is_course_staff(self.request.user, course):
            raise PermissionDenied("Only this course's instructors and reviewers may do this.")
        query = s.ReflectionQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.course_reflections(
            course.pk, lesson_id=query.validated_data.get("lesson_id")
        )

    @extend_schema(
        tags=TAG,
        operation_id="courses_reflections_list",
        parameters=[s.ReflectionQuerySerializer],
        description="Learners' reflections on the course's lessons, for its instructors "
        "and reviewers.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class MyUsageView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="me_assistant_usage",
        responses={200: s.UsageSerializer},
        description="Your tutor plan, and interactions used and left today and this month, "
        "with the tokens used and, when the plan limits tokens, the token limit and what is "
        "left.",
    )
    def get(self, request):
        plan = services.plan_of(request.user)
        limits = services.plan_limits(plan)
        token_limits = services.plan_token_limits(plan)
        counters = selectors.usage_counters(request.user)
        starts = selectors.period_starts()
        body = {"plan": plan, "provider": get_provider().name}
        for period, start in starts.items():
            counter = counters.get(period)
            used = counter.used if counter else 0
            tokens = counter.tokens if counter else 0
            token_limit = token_limits.get(period)
            body[period] = {
                "limit": limits[period],
                "used": used,
                "remaining": max(0, limits[period] - used),
                "resets_at": selectors.period_resets_at(period, start),
                "tokens": tokens,
                "token_limit": token_limit,
                "tokens_remaining": None if token_limit is None else max(0, token_limit - tokens),
            }
        return Response(s.UsageSerializer(body).data)


class UsageReportView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="assistant_usage_report",
        parameters=[s.UsageReportQuerySerializer],
        responses={200: s.UsageReportRowSerializer(many=True)},
        description="Tutor use per course and day (calls, failed calls, learners, tokens, "
        "cost): instructors see their courses, reviewers and admins every course. Default: "
        "the last 30 days.",
    )
    def get(self, request):
        if not access.can_view_rosters(request.user):
            raise PermissionDenied("Only instructors and reviewers may see tutor usage.")
        query = s.UsageReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        today = timezone.now().date()
        until = query.validated_data.get("until") or today
        since = query.validated_data.get("since") or until - timedelta(days=30)
        courses = CoursePage.objects.filter(access.staff_courses_filter(request.user))
        if "course_id" in query.validated_data:
            courses = courses.filter(pk=query.validated_data["course_id"])
        rows = selectors.usage_report(course_ids=courses.values("pk"), since=since, until=until)
        return Response(s.UsageReportRowSerializer(rows, many=True).data)
