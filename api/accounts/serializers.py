from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from learning.accounts.models import AuthSession, InstructorRequest, User, validate_timezone
from learning.accounts.roles import ROLES, roles_of

LANGUAGES = settings.LANGUAGES


def timezone_field(**kwargs):
    return serializers.CharField(
        max_length=64,
        validators=[validate_timezone],
        help_text="An IANA time zone name, e.g. `Europe/Amsterdam`.",
        **kwargs,
    )


# --- Output -----------------------------------------------------------------------------------


class ProfileSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)
    avatar_url = serializers.SerializerMethodField()
    email_verified = serializers.BooleanField(read_only=True)
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "full_name",
            "display_name",
            "avatar_url",
            "bio",
            "timezone",
            "language",
            "email_verified",
            "email_verified_at",
            "roles",
            "date_joined",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_avatar_url(self, user) -> str | None:
        if not user.avatar:
            return None
        url = user.avatar.url
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request and url.startswith("/") else url

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=ROLES)))
    def get_roles(self, user) -> list[str]:
        return roles_of(user)


class TokenPairSerializer(serializers.Serializer):
    access = serializers.CharField(
        help_text="Short-lived access token: `Authorization: Bearer <access>`."
    )
    refresh = serializers.CharField(
        allow_blank=True,
        help_text="Refresh token. Single use: each refresh returns a new one; reusing an old "
        "one signs the whole session out. Empty in cookie mode (`refresh_cookie`): the token "
        "is then only in the httpOnly cookie.",
    )
    access_expires_at = serializers.DateTimeField()
    refresh_expires_at = serializers.DateTimeField()
    session_id = serializers.UUIDField()


class LoginResponseSerializer(TokenPairSerializer):
    user = ProfileSerializer()


class SessionSerializer(serializers.ModelSerializer):
    current = serializers.SerializerMethodField()

    class Meta:
        model = AuthSession
        fields = [
            "id",
            "user_agent",
            "ip_address",
            "created_at",
            "last_used_at",
            "expires_at",
            "current",
        ]
        read_only_fields = fields

    def get_current(self, session) -> bool:
        return str(session.id) == self.context.get("current_session_id")


class InstructorRequestSerializer(serializers.ModelSerializer):
    class Meta:
        model = InstructorRequest
        fields = ["id", "status", "motivation", "created_at", "decided_at", "decision_note"]
        read_only_fields = fields


class UserAdminSerializer(ProfileSerializer):
    class Meta(ProfileSerializer.Meta):
        fields = [*ProfileSerializer.Meta.fields, "is_active", "last_login"]
        read_only_fields = fields


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


# --- Input ------------------------------------------------------------------------------------


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        max_length=128, write_only=True, style={"input_type": "password"}
    )
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    display_name = serializers.CharField(
        max_length=80, required=False, allow_blank=True, default=""
    )
    timezone = timezone_field(required=False, default="UTC")
    language = serializers.ChoiceField(choices=LANGUAGES, required=False, default="en")


REFRESH_COOKIE_HELP = (
    "Cookie mode, for first-party browser clients: the refresh token is set as an httpOnly "
    "cookie (scoped to `/api/v2/auth/`, SameSite=Strict) instead of being returned, so scripts "
    "never read it. Refresh and logout then take it from the cookie; they need the header "
    "`X-Refresh-Cookie: 1`."
)


class LoginSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(max_length=128, style={"input_type": "password"})
    refresh_cookie = serializers.BooleanField(default=False, help_text=REFRESH_COOKIE_HELP)


class RefreshSerializer(serializers.Serializer):
    refresh = serializers.CharField(
        max_length=2000,
        required=False,
        help_text="The refresh token; leave out in cookie mode (it is read from the cookie).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=2000)


class EmailSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)


class PasswordResetConfirmSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=2000)
    new_password = serializers.CharField(max_length=128, style={"input_type": "password"})


class PasswordChangeSerializer(serializers.Serializer):
    current_password = serializers.CharField(max_length=128, style={"input_type": "password"})
    new_password = serializers.CharField(max_length=128, style={"input_type": "password"})


class PasswordConfirmSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, style={"input_type": "password"})


class ProfileUpdateSerializer(serializers.Serializer):
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    display_name = serializers.CharField(max_length=80, required=False, allow_blank=True)
    bio = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    timezone = timezone_field(required=False)
    language = serializers.ChoiceField(choices=LANGUAGES, required=False)
    avatar = serializers.FileField(
        required=False,
        help_text="JPEG, PNG, WebP or GIF (checked by content), at most 5 MB; stored resized "
        "to at most 512x512 as WebP. Send as multipart/form-data.",
    )
    remove_avatar = serializers.BooleanField(required=False, default=False)


class InstructorRequestCreateSerializer(serializers.Serializer):
    motivation = serializers.CharField(min_length=20, max_length=4000)


class RolesSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.ChoiceField(choices=ROLES), allow_empty=True)
