"""Notifications API: a person's notifications, unread count, read/unread/delete,
preferences, one-click unsubscribe, administrators' broadcasts and course announcements.
Rules live in learning.notifications; who may do what in learning.access."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from api.notifications import serializers as s
from api.pagination import NewestFirstCursorPagination
from cms.models import CourseInstructor, CoursePage
from learning import access
from learning.accounts.models import User
from learning.notifications import emails, errors, selectors, services
from learning.notifications.models import Announcement, Notification

TAG = ["notifications"]
ANNOUNCEMENTS_TAG = ["announcements"]


class NotificationListView(ListAPIView):
    serializer_class = s.NotificationSerializer
    pagination_class = NewestFirstCursorPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notification.objects.none()
        query = s.NotificationQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.notifications_for(
            self.request.user,
            unread=query.validated_data.get("unread"),
            kinds=query.validated_data.get("kind"),
        )

    @extend_schema(
        tags=TAG,
        operation_id="notifications_list",
        parameters=[s.NotificationQuerySerializer],
        description="Your notifications, newest first, with cursor pagination (`cursor`, "
        "`page_size` ≤ 100). Filter with `unread=true|false` and `kind` (comma-separated). "
        "Expired notifications are left out.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class UnreadCountView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="notifications_unread_count",
        responses={200: s.UnreadCountSerializer},
        description="How many of your notifications are unread (one query).",
    )
    def get(self, request):
        return Response({"unread_count": selectors.unread_count(request.user)})


class NotificationDetailView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="notifications_retrieve",
        responses={200: s.NotificationSerializer},
        description="One of your notifications; 404 for anyone else's.",
    )
    def get(self, request, notification_id: int):
        notification = selectors.notifications_for(request.user).filter(pk=notification_id).first()
        if notification is None:
            raise errors.NotificationNotFound()
        return Response(s.NotificationSerializer(notification).data)

    @extend_schema(
        tags=TAG,
        operation_id="notifications_destroy",
        responses={204: None},
        description="Delete one of your notifications; 404 for anyone else's.",
    )
    def delete(self, request, notification_id: int):
        services.notification_delete(user=request.user, notification_id=notification_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MarkReadView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="notifications_mark_read",
        request=None,
        responses={200: s.NotificationSerializer},
        description="Mark one of your notifications read (idempotent); 404 for anyone else's.",
    )
    def post(self, request, notification_id: int):
        notification = services.notification_mark_read(
            user=request.user, notification_id=notification_id
        )
        return Response(s.NotificationSerializer(notification).data)


class MarkUnreadView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="notifications_mark_unread",
        request=None,
        responses={200: s.NotificationSerializer},
        description="Mark one of your notifications unread again; 404 for anyone else's.",
    )
    def post(self, request, notification_id: int):
        notification = services.notification_mark_unread(
            user=request.user, notification_id=notification_id
        )
        return Response(s.NotificationSerializer(notification).data)


class MarkAllReadView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="notifications_mark_all_read",
        request=s.MarkAllReadSerializer,
        responses={200: s.MarkedSerializer},
        description="Mark all your notifications read (or those of one `kind`).",
    )
    def post(self, request):
        data = s.MarkAllReadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        updated = services.notifications_mark_all_read(
            user=request.user, kind=data.validated_data.get("kind")
        )
        return Response({"updated": updated, "unread_count": selectors.unread_count(request.user)})


class PreferencesView(APIView):
    @extend_schema(
        tags=TAG,
        operation_id="me_notification_preferences_retrieve",
        responses={200: s.PreferencesSerializer},
        description="Every kind of notification with your choices: shown in the app "
        "(`in_app`) and email (`off`, `immediate` or in the daily `digest`). Kinds you "
        "never changed follow their defaults; `switchable: false` kinds always reach you.",
    )
    def get(self, request):
        return Response({"preferences": selectors.preferences_of(request.user)})

    @extend_schema(
        tags=TAG,
        operation_id="me_notification_preferences_update",
        request=s.PreferencesUpdateSerializer,
        responses={
            200: s.PreferencesSerializer,
            400: OpenApiResponse(
                description="`unknown_notification_kind`, or `preference_locked` for a kind "
                "that cannot be switched off."
            ),
        },
        description='Change some kinds: `{"preferences": [{"kind": "announcement", '
        '"email": "digest"}]}`. Fields left out keep their value. All or nothing.',
    )
    def patch(self, request):
        data = s.PreferencesUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.preferences_update(user=request.user, changes=data.validated_data["preferences"])
        return Response({"preferences": selectors.preferences_of(request.user)})


class UnsubscribeView(APIView):
    """Reached from the link in every notification email (no sign-in: the token is signed)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser, MultiPartParser, JSONParser]

    def _read(self, request):
        token = request.query_params.get("token") or ""
        user_id, kind = emails.read_unsubscribe_token(token)
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise errors.InvalidUnsubscribeToken()
        return user, kind

    @extend_schema(
        tags=TAG,
        operation_id="notifications_unsubscribe_preview",
        parameters=[OpenApiParameter("token", str, required=True)],
        responses={200: s.UnsubscribeSerializer},
        description="What the link would switch off (changes nothing: mail scanners open "
        "links). 400 `token_invalid` for a bad link.",
    )
    def get(self, request):
        _user, kind = self._read(request)
        return Response(
            {
                "kinds": [kind] if kind else ["*"],
                "detail": "POST to this URL to stop these emails.",
            }
        )

    @extend_schema(
        tags=TAG,
        operation_id="notifications_unsubscribe",
        parameters=[OpenApiParameter("token", str, required=True)],
        request=None,
        responses={200: s.UnsubscribeSerializer},
        description="One-click unsubscribe (RFC 8058: mail clients POST "
        "`List-Unsubscribe=One-Click` here). Stops emails of the link's kind (the digest's "
        "link: every kind that can be switched off); in-app notifications continue.",
    )
    def post(self, request):
        user, kind = self._read(request)
        switched = services.email_unsubscribe(user=user, kind=kind)
        return Response({"kinds": switched, "detail": "You will no longer get these emails."})


class IsSuperuser(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.is_superuser)


class BroadcastView(APIView):
    permission_classes = [IsSuperuser]

    @extend_schema(
        tags=TAG,
        operation_id="notifications_broadcast",
        request=s.BroadcastSerializer,
        responses={202: None},
        description="Administrators: a system alert to every active account (in the app, "
        "cannot be switched off). Connected clients get it at once; rows are written by a "
        "worker.",
    )
    def post(self, request):
        data = s.BroadcastSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.system_alert_broadcast(actor=request.user, **data.validated_data)
        return Response(status=status.HTTP_202_ACCEPTED)


# --- Announcements ---------------------------------------------------------------------------


def _course(course_id: int) -> CoursePage:
    course = (
        CoursePage.objects.filter(pk=course_id)
        .prefetch_related(Prefetch("course_instructors", queryset=CourseInstructor.objects.all()))
        .first()
    )
    if course is None:
        raise Http404
    return course


def _staff_course(request, course_id: int) -> CoursePage:
    """404 for unknown courses and unpublished ones the user cannot edit; 403
    `not_course_staff` for published ones."""
    course = _course(course_id)
    if not access.is_course_staff(request.user, course):
        if not course.live:
            raise Http404
        raise errors.NotCourseStaff()
    return course


def _readable_course(request, course_id: int) -> CoursePage:
    """Staff, and the course's current learners (403 `not_course_member` for others)."""
    course = _course(course_id)
    if access.is_course_staff(request.user, course):
        return course
    if not course.live:
        raise Http404
    if not access.is_current_learner(request.user, course):
        raise errors.NotCourseMember()
    return course


class AnnouncementListView(ListAPIView):
    serializer_class = s.AnnouncementSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Announcement.objects.none()
        course = _readable_course(self.request, self.kwargs["course_id"])
        return selectors.course_announcements(course)

    @extend_schema(
        tags=ANNOUNCEMENTS_TAG,
        operation_id="courses_announcements_list",
        description="The course's announcements, pinned first, then newest. For its current "
        "learners, instructors and reviewers (403 `not_course_member` for others).",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=ANNOUNCEMENTS_TAG,
        operation_id="courses_announcements_create",
        request=s.AnnouncementInputSerializer,
        responses={201: s.AnnouncementSerializer},
        description="Post an announcement (the course's instructors and reviewers; 403 "
        "`not_course_staff` for others). Connected learners get it at once; every current "
        "learner gets a notification (and an email, per their preferences) from a worker.",
    )
    def post(self, request, course_id: int):
        course = _staff_course(request, course_id)
        data = s.AnnouncementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        announcement = services.announcement_create(
            course=course, author=request.user, **data.validated_data
        )
        return Response(s.AnnouncementSerializer(announcement).data, status=status.HTTP_201_CREATED)


class AnnouncementDetailView(APIView):
    def _get(self, course, announcement_id: int) -> Announcement:
        announcement = selectors.course_announcements(course).filter(pk=announcement_id).first()
        if announcement is None:
            raise Http404
        return announcement

    @extend_schema(
        tags=ANNOUNCEMENTS_TAG,
        operation_id="courses_announcements_retrieve",
        responses={200: s.AnnouncementSerializer},
    )
    def get(self, request, course_id: int, announcement_id: int):
        course = _readable_course(request, course_id)
        return Response(s.AnnouncementSerializer(self._get(course, announcement_id)).data)

    @extend_schema(
        tags=ANNOUNCEMENTS_TAG,
        operation_id="courses_announcements_update",
        request=s.AnnouncementUpdateSerializer,
        responses={200: s.AnnouncementSerializer},
        description="Edit or (un)pin an announcement (course staff). Learners are not "
        "notified again; connected clients get the new version.",
    )
    def patch(self, request, course_id: int, announcement_id: int):
        course = _staff_course(request, course_id)
        announcement = self._get(course, announcement_id)
        data = s.AnnouncementUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        announcement = services.announcement_update(
            announcement=announcement, **data.validated_data
        )
        return Response(s.AnnouncementSerializer(announcement).data)

    @extend_schema(
        tags=ANNOUNCEMENTS_TAG,
        operation_id="courses_announcements_destroy",
        responses={204: None},
        description="Delete an announcement (course staff) and its notifications.",
    )
    def delete(self, request, course_id: int, announcement_id: int):
        course = _staff_course(request, course_id)
        services.announcement_delete(announcement=self._get(course, announcement_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
