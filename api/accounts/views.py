"""Accounts API: registration, verification, JWT sessions, passwords, profile, data rights,
instructor requests and (admins) roles. Business rules live in learning.accounts.services."""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth import update_session_auth_hash
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from api.accounts import serializers as s
from api.throttles import by_account, by_ip
from learning.accounts import data_rights, selectors, services
from learning.accounts.models import AuthSession, InstructorRequest, User
from learning.enrollment import services as enrollment_services

AUTH_TAG = ["auth"]
ME_TAG = ["me"]


def _client_ip(request) -> str | None:
    return BaseThrottle().get_ident(request) or None


def _token_pair(session, refresh) -> dict:
    access = refresh.access_token
    return {
        "access": str(access),
        "refresh": str(refresh),
        "access_expires_at": datetime.fromtimestamp(access["exp"], tz=UTC),
        "refresh_expires_at": datetime.fromtimestamp(refresh["exp"], tz=UTC),
        "session_id": session.id,
    }


REFRESH_COOKIE_NAME = "unpuzzle_refresh"
REFRESH_COOKIE_PATH = "/api/v2/auth/"
REFRESH_COOKIE_HEADER = "HTTP_X_REFRESH_COOKIE"


def _set_refresh_cookie(request, response, body: dict) -> None:
    """Cookie mode: the refresh token travels only in an httpOnly cookie, never in the body."""
    response.set_cookie(
        REFRESH_COOKIE_NAME,
        body["refresh"],
        expires=body["refresh_expires_at"],
        path=REFRESH_COOKIE_PATH,
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    response.data["refresh"] = ""


def _refresh_from(request, data) -> tuple[str, bool]:
    """The refresh token of a request: the body's, or in cookie mode the cookie's. Cookie mode
    needs a custom header, which a cross-site form cannot send (and fetch only after CORS)."""
    if data.get("refresh"):
        return data["refresh"], False
    cookie = request.COOKIES.get(REFRESH_COOKIE_NAME)
    if cookie and request.META.get(REFRESH_COOKIE_HEADER) == "1":
        return cookie, True
    raise ValidationError(
        {"refresh": ["Send the refresh token, or the cookie with `X-Refresh-Cookie: 1`."]},
        code="required",
    )


def _validated(serializer_class, request, **kwargs):
    serializer = serializer_class(data=request.data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class PublicAuthView(APIView):
    """Public endpoints: no session cookie is read, so no CSRF token is needed."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


class RegisterView(PublicAuthView):
    throttle_classes = [by_ip("register_ip"), by_account("register_account")]

    @extend_schema(
        tags=AUTH_TAG,
        operation_id="auth_register",
        request=s.RegisterSerializer,
        responses={201: s.ProfileSerializer},
        description="Create a student account and email a verification link. An address that "
        "differs only by letter case from an existing one is refused (`email_taken`).",
    )
    def post(self, request):
        data = _validated(s.RegisterSerializer, request)
        user = services.user_register(
            email=data["email"],
            password=data["password"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            display_name=data["display_name"],
            timezone_name=data["timezone"],
            language=data["language"],
        )
        return Response(
            s.ProfileSerializer(user, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


class VerifyEmailView(PublicAuthView):
    throttle_classes = [by_ip("verify_ip")]

    @extend_schema(
        tags=AUTH_TAG,
        operation_id="auth_verify_email",
        request=s.TokenSerializer,
        responses={200: s.ProfileSerializer},
        description="Confirm an email address with the token from the verification email; "
        "pending course invitations of the address become enrollments. "
        "Errors: `token_expired`, `token_used`, `token_invalid`.",
    )
    def post(self, request):
        data = _validated(s.TokenSerializer, request)
        # Courses that invited this address before the account existed enroll it now.
        user = enrollment_services.email_verify_and_claim_invitations(token=data["token"])
        return Response(s.ProfileSerializer(user, context={"request": request}).data)


class ResendVerificationView(PublicAuthView):
    throttle_classes = [by_ip("verify_ip"), by_account("verify_account")]

    @extend_schema(
        tags=AUTH_TAG,
        operation_id="auth_verify_email_resend",
        request=s.EmailSerializer,
        responses={202: s.DetailSerializer},
        description="Send a new verification link. Answers the same whether or not the "
        "address has an account.",
    )
    def post(self, request):
        data = _validated(s.EmailSerializer, request)
        services.verification_resend(email=data["email"])
        return Response(
            {"detail": "If the address has an unverified account, a new link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class LoginView(PublicAuthView):
    throttle_classes = [by_ip("login_ip"), by_account("login_account")]

    @extend_schema(
        tags=AUTH_TAG,
        operation_id="auth_login",
        request=s.LoginSerializer,
        responses={200: s.LoginResponseSerializer},
        description="Sign in; starts a session (see `/api/v2/me/sessions/`). A wrong password "
        "and an unknown address give the same `invalid_credentials` answer. With "
        "`refresh_cookie: true` the refresh token is set as an httpOnly cookie and `refresh` "
        "is empty.",
    )
    def post(self, request):
        data = _validated(s.LoginSerializer, request)
        session, refresh = services.session_start(
            email=data["email"],
            password=data["password"],
            user_agent=request.META.get("HTTP_USER_AGENT", ""),
            ip_address=_client_ip(request),
            request=request,
        )
        body = _token_pair(session, refresh)
        body["user"] = s.ProfileSerializer(session.user, context={"request": request}).data
        response = Response(body)
        if data["refresh_cookie"]:
            _set_refresh_cookie(request, response, body)
        return response


class RefreshView(PublicAuthView):
    throttle_classes = [by_ip("token_refresh_ip")]

    @extend_schema(
        tags=AUTH_TAG,
        operation_id="auth_refresh",
        request=s.RefreshSerializer,
        responses={200: s.TokenPairSerializer},
        description="Exchange a refresh token for a new access + refresh pair. The old refresh "
        "token stops working; presenting it again signs the session out (`token_reused`). "
        "In cookie mode (signed in with `refresh_cookie`) send no body token and the header "
        "`X-Refresh-Cookie: 1`: the token is read from, and the new one set in, the cookie.",
    )
    def post(self, request):
        data = _validated(s.RefreshSerializer, request)
        token, from_cookie = _refresh_from(request, data)
        session, refresh = services.session_refresh(refresh=token)
        response = Response(_token_pair(session, refresh))
        if from_cookie:
            _set_refresh_cookie(request, response, response.data)
        return response


class LogoutView(PublicAuthView):
    @extend_schema(
        tags=AUTH_TAG,
        operation_id="auth_logout",
        request=s.RefreshSerializer,
        responses={204: None},
        description="Sign out: the session of this refresh token ends, its access tokens too. "
        "In cookie mode send `X-Refresh-Cookie: 1` and no body token; the cookie is cleared.",
    )
    def post(self, request):
        data = _validated(s.RefreshSerializer, request)
        token, from_cookie = _refresh_from(request, data)
        services.session_logout(refresh=token)
        response = Response(status=status.HTTP_204_NO_CONTENT)
        if from_cookie:
            response.delete_cookie(REFRESH_COOKIE_NAME, path=REFRESH_COOKIE_PATH, samesite="Strict")
        return response


class PasswordResetView(PublicAuthView):
    throttle_classes = [by_ip("password_reset_ip"), by_account("password_reset_account")]

    @extend_schema(
        tags=AUTH_TAG,
        operation_id="auth_password_reset",
        request=s.EmailSerializer,
        responses={202: s.DetailSerializer},
        description="Email a password reset link. Answers the same whether or not the "
        "address has an account.",
    )
    def post(self, request):
        data = _validated(s.EmailSerializer, request)
        services.password_reset_request(email=data["email"])
        return Response(
            {"detail": "If the address has an account, a reset link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(PublicAuthView):
    throttle_classes = [by_ip("password_reset_ip")]

    @extend_schema(
        tags=AUTH_TAG,
        operation_id="auth_password_reset_confirm",
        request=s.PasswordResetConfirmSerializer,
        responses={204: None},
        description="Set a new password with the emailed token. Every session is signed out; "
        "the token stops working once the password has changed.",
    )
    def post(self, request):
        data = _validated(s.PasswordResetConfirmSerializer, request)
        services.password_reset_confirm(token=data["token"], new_password=data["new_password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- /me --------------------------------------------------------------------------------------


class MeView(APIView):
    permission_classes = [IsAuthenticated]
    documents_delete_body = True
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def _profile(self, request, user=None):
        return s.ProfileSerializer(
            user or selectors.user_with_groups(request.user.pk), context={"request": request}
        ).data

    @extend_schema(tags=ME_TAG, operation_id="me_retrieve", responses={200: s.ProfileSerializer})
    def get(self, request):
        return Response(self._profile(request))

    @extend_schema(
        tags=ME_TAG,
        operation_id="me_update",
        request={
            "application/json": s.ProfileUpdateSerializer,
            "multipart/form-data": s.ProfileUpdateSerializer,
        },
        responses={200: s.ProfileSerializer},
    )
    def patch(self, request):
        data = dict(_validated(s.ProfileUpdateSerializer, request))
        avatar = data.pop("avatar", None)
        remove_avatar = data.pop("remove_avatar", False)
        services.profile_update(
            user=request.user, avatar=avatar, clear_avatar=remove_avatar, **data
        )
        return Response(self._profile(request))

    @extend_schema(
        tags=ME_TAG,
        operation_id="me_delete",
        request=s.PasswordConfirmSerializer,
        responses={204: None},
        description="Delete my account: personal data is erased and every session ends; "
        "anonymous learning records are kept for course statistics. Needs the password.",
    )
    def delete(self, request):
        data = _validated(s.PasswordConfirmSerializer, request)
        services.account_delete(user=request.user, password=data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordChangeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=ME_TAG,
        operation_id="me_password_change",
        request=s.PasswordChangeSerializer,
        responses={204: None},
        description="Change my password. Every other session is signed out; this one stays.",
    )
    def post(self, request):
        data = _validated(s.PasswordChangeSerializer, request)
        services.password_change(
            user=request.user,
            current_password=data["current_password"],
            new_password=data["new_password"],
            keep_session_id=getattr(request.user, "auth_session_id", None),
        )
        if request.session and request.user.is_authenticated:
            update_session_auth_hash(request, request.user)  # keep a cookie session signed in
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(
        tags=ME_TAG,
        operation_id="me_sessions_list",
        description="My signed-in devices (active sessions), most recently used first; "
        "paginated like every list.",
    )
)
class SessionListView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.SessionSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return AuthSession.objects.none()
        return selectors.active_sessions(user=self.request.user)

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["current_session_id"] = getattr(self.request.user, "auth_session_id", None)
        return context


class SessionDetailView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=ME_TAG,
        operation_id="me_sessions_revoke",
        responses={204: None},
        description="Sign one of my sessions out. Its tokens stop working at once.",
    )
    def delete(self, request, session_id):
        session = get_object_or_404(selectors.active_sessions(user=request.user), pk=session_id)
        services.session_revoke(user=request.user, session_id=session.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExportView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=ME_TAG,
        operation_id="me_export",
        responses={
            200: OpenApiResponse(
                response={
                    "type": "object",
                    "properties": {
                        "format": {"type": "string", "enum": ["unpuzzle-account-export/1"]},
                        "exported_at": {"type": "string", "format": "date-time"},
                    },
                    "required": ["format", "exported_at"],
                    # One member per data section (account, sessions, enrollments, ...).
                    "additionalProperties": {},
                },
                description="All personal data held about me, as JSON: `format`, "
                "`exported_at`, then one member per data section.",
            )
        },
    )
    def get(self, request):
        response = Response(data_rights.export_user_data(request.user))
        response["Content-Disposition"] = 'attachment; filename="unpuzzle-account-export.json"'
        return response


@extend_schema_view(
    get=extend_schema(
        tags=ME_TAG,
        operation_id="me_instructor_request_list",
        description="My requests to become an instructor, newest first; paginated like every list.",
    )
)
class InstructorRequestView(ListAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = s.InstructorRequestSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return InstructorRequest.objects.none()
        return selectors.instructor_requests_of(user=self.request.user)

    @extend_schema(
        tags=ME_TAG,
        operation_id="me_instructor_request_create",
        request=s.InstructorRequestCreateSerializer,
        responses={201: s.InstructorRequestSerializer},
        description="Ask to become an instructor. Editors decide in the admin; you are told by "
        "email. Errors: `request_pending`, `already_instructor` (409).",
    )
    def post(self, request):
        data = _validated(s.InstructorRequestCreateSerializer, request)
        created = services.instructor_request_create(
            user=request.user, motivation=data["motivation"]
        )
        return Response(s.InstructorRequestSerializer(created).data, status=status.HTTP_201_CREATED)


# --- Admin: users and roles -------------------------------------------------------------------


class IsSuperuser(BasePermission):
    message = "Only admins can change roles."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_superuser)


class UserRolesView(APIView):
    permission_classes = [IsAuthenticated, IsSuperuser]

    @extend_schema(
        tags=["users"],
        operation_id="users_roles_set",
        request=s.RolesSerializer,
        responses={200: s.UserAdminSerializer},
        description="Admins only: give a user exactly these roles.",
    )
    def put(self, request, user_id):
        user = get_object_or_404(User, pk=user_id)
        data = _validated(s.RolesSerializer, request)
        services.roles_set(user=user, roles_wanted=data["roles"], actor=request.user)
        return Response(
            s.UserAdminSerializer(
                selectors.user_with_groups(user.pk), context={"request": request}
            ).data
        )
