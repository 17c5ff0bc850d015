"""Enrollment and progress API: enroll/unenroll, the learner dashboard, heartbeats, marking
readings complete and course rosters. Rules live in learning.enrollment and learning.progress;
who may do what in learning.access."""

from __future__ import annotations

import csv

from django.http import Http404, StreamingHttpResponse
from drf_spectacular.utils import (
    OpenApiResponse,
    OpenApiTypes,
    extend_schema,
    extend_schema_view,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.exceptions import flatten_errors
from api.learning import serializers as s
from api.throttles import by_user
from cms import selectors as cms_selectors
from cms.models import CourseLesson, CoursePage
from learning.enrollment import errors as enrollment_errors
from learning.enrollment import exports, selectors, services
from learning.enrollment.models import Enrollment, EnrollmentInvitation
from learning.progress import selectors as progress_selectors
from learning.progress import services as progress_services
from learning.progress.services import Heartbeat, InvalidHeartbeat

ENROLLMENT_TAG = ["enrollment"]
PROGRESS_TAG = ["progress"]
ROSTER_TAG = ["rosters"]


def _live_course(course_id: int) -> CoursePage:
    course = cms_selectors.live_course(course_id)
    if course is None:
        raise Http404
    return course


def _enrollment_context(user, enrollments) -> dict:
    course_ids = {e.course_id for e in enrollments}
    return {
        "lesson_ids": progress_selectors.live_lesson_ids(course_ids),
        "states": progress_selectors.lesson_states_for_courses(user, course_ids),
    }


def enrollment_data(user, enrollment: Enrollment) -> dict:
    return s.EnrollmentSerializer(enrollment, context=_enrollment_context(user, [enrollment])).data


class CourseEnrollmentView(APIView):
    @extend_schema(
        tags=ENROLLMENT_TAG,
        operation_id="courses_enrollment_retrieve",
        responses={200: s.EnrollmentSerializer},
        description="Your current enrollment in the course, with percent complete and the "
        "lesson to resume. 404 `not_enrolled` when you have none.",
    )
    def get(self, request, course_id: int):
        enrollment = selectors.current_enrollment(request.user, course_id)
        if enrollment is None:
            raise enrollment_errors.NotEnrolled()
        return Response(enrollment_data(request.user, enrollment))

    @extend_schema(
        tags=ENROLLMENT_TAG,
        operation_id="courses_enrollment_create",
        request=None,
        responses={
            201: s.EnrollmentSerializer,
            402: OpenApiResponse(description="`payment_required`: a paid course."),
            409: OpenApiResponse(
                description="`already_enrolled`, `enrollment_closed`, "
                "`enrollment_not_open_yet`, `enrollment_window_ended` or `course_full`."
            ),
        },
        description="Enroll yourself in a published course. Refused with a distinct code "
        "when: already enrolled (409), enrollment closed or outside its window (409), no "
        "seats left (409), prerequisites not completed (403 `prerequisites_missing`), email "
        "not verified (403 `email_not_verified`), or the course is paid (402). Enrolling "
        "again after leaving resumes your earlier progress.",
    )
    def post(self, request, course_id: int):
        course = _live_course(course_id)
        enrollment = services.enrollment_create(user=request.user, course=course)
        enrollment = selectors.current_enrollment(request.user, course.pk)
        return Response(enrollment_data(request.user, enrollment), status=status.HTTP_201_CREATED)

    @extend_schema(
        tags=ENROLLMENT_TAG,
        operation_id="courses_enrollment_destroy",
        responses={204: None},
        description="Leave the course. Your progress is kept; enrolling again resumes it.",
    )
    def delete(self, request, course_id: int):
        enrollment = selectors.current_enrollment(request.user, course_id)
        if enrollment is None:
            raise enrollment_errors.NotEnrolled()
        services.enrollment_cancel(enrollment=enrollment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        tags=ENROLLMENT_TAG,
        operation_id="me_enrollments_list",
        parameters=[s.EnrollmentStatusQuerySerializer],
        description="The learner dashboard: your courses with percent complete, the last "
        "lesson you opened, the lesson to resume and the completion date. Most recently "
        "active first.",
    )
)
class MyEnrollmentsView(ListAPIView):
    serializer_class = s.DashboardEnrollmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        query = s.EnrollmentStatusQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.learner_enrollments(
            self.request.user, status=query.validated_data.get("status")
        )

    def get_serializer(self, *args, **kwargs):
        if args and not getattr(self, "swagger_fake_view", False):
            kwargs.setdefault("context", self.get_serializer_context())
            kwargs["context"].update(_enrollment_context(self.request.user, list(args[0])))
        return super().get_serializer(*args, **kwargs)


# --- Progress ---------------------------------------------------------------------------------


def _event_id(raw):
    value = raw.get("client_event_id") if isinstance(raw, dict) else None
    try:
        return serializers.UUIDField().to_internal_value(value) if value else None
    except serializers.ValidationError:
        return None


def _heartbeat_parser():
    """Parse one raw event into a Heartbeat, or an InvalidHeartbeat with its errors in the
    problem-details shape. One serializer checks every event (building one per event is most
    of the cost)."""
    validator = s.HeartbeatSerializer()

    def parse(index: int, raw) -> Heartbeat | InvalidHeartbeat:
        try:
            event = validator.run_validation(raw)
        except serializers.ValidationError as exc:
            return InvalidHeartbeat(index, _event_id(raw), flatten_errors(exc.get_full_details()))
        return Heartbeat(index=index, **event)

    return parse


class HeartbeatView(APIView):
    throttle_classes = [by_user("progress_events_user")]

    @extend_schema(
        tags=PROGRESS_TAG,
        operation_id="progress_events_create",
        request=inline_serializer("HeartbeatBatch", {"events": s.HeartbeatEventDoc(many=True)}),
        responses={200: s.HeartbeatResponseSerializer},
        description="Report what a video player played: a batch of events, each a span "
        "`[start, end]` of media seconds actually played, the playhead `position` and a "
        "`client_event_id`. Only lessons the learner has started are credited: open the "
        "lesson first (`POST /api/v2/courses/{id}/lessons/{lesson_id}/open/`) or fetch its "
        "video's playback URL; events for a lesson never started are rejected "
        "(`not_started`). The server keeps the union of spans per lesson (seeking adds "
        "nothing), counts each event id once, never lets progress go back, and pays new "
        "coverage from one allowance per learner (shared by every lesson, tab and device) "
        "that refills with wall time x `PROGRESS_MAX_PLAYBACK_RATE`; a span it cannot pay "
        "for is cut short (`faster_than_playback`). A video lesson completes when the "
        "watched share reaches the course's threshold. Each event gets its own result; "
        "invalid events are rejected with reasons and per-field `errors` while the valid ones "
        "in the batch still count. See the README (Heartbeats) for the full rule.",
    )
    def post(self, request):
        batch = s.HeartbeatBatchSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        recorded = progress_services.heartbeats_record(
            user=request.user, events=batch.validated_data["events"], parse=_heartbeat_parser()
        )
        return Response(s.HeartbeatResponseSerializer(recorded).data)


def _live_lesson(course_id: int, lesson_id) -> CourseLesson:
    lesson = progress_selectors.live_lesson(course_id, lesson_id)
    if lesson is None:
        raise Http404
    return lesson


class LessonOpenView(APIView):
    @extend_schema(
        tags=PROGRESS_TAG,
        operation_id="courses_lessons_open",
        request=None,
        responses={
            200: s.LessonProgressSerializer,
            404: OpenApiResponse(
                description="`not_enrolled` without a current enrollment, or `not_found` "
                "for a lesson that is not in this published course."
            ),
        },
        description="The learner opens a lesson: it starts, the first time (a video's "
        "watching is credited from this moment, or from the earlier issue of its playback "
        "URL), and becomes the enrollment's last lesson (where to resume). Idempotent: "
        "opening again keeps the start. `GET` of the lesson only reads; players call this "
        "when the learner opens the lesson.",
    )
    def post(self, request, course_id: int, lesson_id):
        lesson = _live_lesson(course_id, lesson_id)
        progress = progress_services.lesson_open(user=request.user, lesson=lesson)
        return Response(s.LessonProgressSerializer(progress).data)


class LessonCompleteView(APIView):
    @extend_schema(
        tags=PROGRESS_TAG,
        operation_id="courses_lessons_complete",
        request=None,
        responses={
            200: s.LessonProgressSerializer,
            409: OpenApiResponse(description="`completion_not_manual`: not a reading lesson."),
        },
        description="Mark a reading lesson complete (idempotent). Videos complete by "
        "watching and quizzes by passing. 404 `not_enrolled` without a current enrollment.",
    )
    def post(self, request, course_id: int, lesson_id):
        lesson = _live_lesson(course_id, lesson_id)
        progress = progress_services.reading_mark_complete(user=request.user, lesson=lesson)
        return Response(s.LessonProgressSerializer(progress).data)


# --- Rosters ----------------------------------------------------------------------------------


def _staff_course(request, course_id: int) -> CoursePage:
    return selectors.staff_course(request.user, course_id)


def _roster_query(request) -> dict:
    query = s.RosterQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data


@extend_schema_view(
    get=extend_schema(
        tags=ROSTER_TAG,
        operation_id="courses_roster_list",
        parameters=[s.RosterQuerySerializer],
        description="The course's learners with their progress, for the course's "
        "instructors and for reviewers (403 `not_course_staff` for others). Search with "
        "`q`, filter by `status`, sort with `ordering`.",
    )
)
class RosterView(ListAPIView):
    serializer_class = s.RosterEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        course = _staff_course(self.request, self.kwargs["course_id"])
        return selectors.course_roster(course, **_roster_query(self.request))

    @extend_schema(
        tags=ROSTER_TAG,
        operation_id="courses_roster_invite",
        request=s.InviteSerializer,
        responses={
            201: OpenApiResponse(s.RosterEntrySerializer, description="Enrolled at once."),
            202: OpenApiResponse(
                s.InvitationSerializer,
                description="No account uses the address: an invitation was emailed; the "
                "person is enrolled once they sign up and verify the address.",
            ),
        },
        description="Enroll a learner by email address (an invite); they get an email. "
        "Skips the open/window/price/prerequisite rules; capacity still applies. 409 "
        "`already_enrolled` or `already_invited` for repeats.",
    )
    def post(self, request, course_id: int):
        course = _staff_course(request, course_id)
        data = s.InviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.enrollment_invite(
            course=course, email=data.validated_data["email"], by=request.user
        )
        if isinstance(result, EnrollmentInvitation):
            return Response(s.InvitationSerializer(result).data, status=status.HTTP_202_ACCEPTED)
        entry = selectors.roster_row(course, result.pk)
        return Response(s.RosterEntrySerializer(entry).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        tags=ROSTER_TAG,
        operation_id="courses_invitations_list",
        description="Pending invitations of addresses without an account, newest first.",
    )
)
class InvitationListView(ListAPIView):
    serializer_class = s.InvitationSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return EnrollmentInvitation.objects.none()
        course = _staff_course(self.request, self.kwargs["course_id"])
        return selectors.pending_invitations(course)


class InvitationDetailView(APIView):
    @extend_schema(
        tags=ROSTER_TAG,
        operation_id="courses_invitations_revoke",
        responses={204: None},
        description="Withdraw a pending invitation.",
    )
    def delete(self, request, course_id: int, invitation_id: int):
        course = _staff_course(request, course_id)
        invitation = selectors.invitation(course, invitation_id)
        services.invitation_revoke(invitation=invitation)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RosterEntryView(APIView):
    @extend_schema(
        tags=ROSTER_TAG,
        operation_id="courses_roster_remove",
        responses={204: None},
        description="Remove a learner from the course (their progress is kept).",
    )
    def delete(self, request, course_id: int, enrollment_id: int):
        course = _staff_course(request, course_id)
        enrollment = selectors.roster_entry(course, enrollment_id)
        services.enrollment_cancel(enrollment=enrollment, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _Echo:
    def write(self, value):
        return value


class RosterExportView(APIView):
    @extend_schema(
        tags=ROSTER_TAG,
        operation_id="courses_roster_export",
        parameters=[s.RosterQuerySerializer],
        responses={(200, "text/csv"): OpenApiTypes.STR},
        description="The roster (same filters) as a CSV file, streamed.",
    )
    def get(self, request, course_id: int):
        course = _staff_course(request, course_id)
        entries = selectors.course_roster(course, **_roster_query(request))
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(row) for row in exports.roster_csv_rows(entries)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="roster-course-{course.pk}.csv"'
        return response
