"""Shapes of notifications, preferences and announcements (the same JSON the WebSocket
pushes: :mod:`learning.notifications.payloads`)."""

from __future__ import annotations

from rest_framework import serializers

from learning.notifications import registry
from learning.notifications.models import NotificationPreference
from learning.notifications.payloads import announcement_payload, notification_payload


class TargetSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="What it links to: course, section, announcement, …")
    id = serializers.CharField(allow_blank=True)
    url = serializers.CharField(allow_blank=True)


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(allow_null=True)


class NotificationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="A key of the notification kinds (see preferences).")
    title = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    target = TargetSerializer(allow_null=True)
    actor = PersonSerializer(allow_null=True)
    course_id = serializers.IntegerField(allow_null=True)
    data = serializers.DictField(help_text="Kind-specific details.")
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance):
        return notification_payload(instance)


class NotificationQuerySerializer(serializers.Serializer):
    unread = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: unread only; false: read"
    )
    kind = serializers.CharField(
        required=False, help_text="One kind, or several separated by commas."
    )

    def validate_kind(self, value: str) -> list[str]:
        wanted = [k.strip() for k in value.split(",") if k.strip()]
        unknown = sorted(set(wanted) - set(registry.keys()))
        if unknown:
            raise serializers.ValidationError(f"Unknown kinds: {', '.join(unknown)}.")
        return wanted


class UnreadCountSerializer(serializers.Serializer):
    unread_count = serializers.IntegerField()


class MarkAllReadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=(), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = registry.keys()


class MarkedSerializer(serializers.Serializer):
    updated = serializers.IntegerField()
    unread_count = serializers.IntegerField()


class PreferenceSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    in_app = serializers.BooleanField()
    email = serializers.ChoiceField(choices=NotificationPreference.Email.choices)
    switchable = serializers.BooleanField(
        help_text="false: always delivered (security and system notices)."
    )
    default_in_app = serializers.BooleanField()
    default_email = serializers.ChoiceField(choices=NotificationPreference.Email.choices)


class PreferenceChangeSerializer(serializers.Serializer):
    kind = serializers.CharField()
    in_app = serializers.BooleanField(required=False)
    email = serializers.ChoiceField(choices=NotificationPreference.Email.choices, required=False)


class PreferencesUpdateSerializer(serializers.Serializer):
    preferences = PreferenceChangeSerializer(many=True, allow_empty=False, max_length=100)


class PreferencesSerializer(serializers.Serializer):
    preferences = PreferenceSerializer(many=True)


class UnsubscribeSerializer(serializers.Serializer):
    kinds = serializers.ListField(child=serializers.CharField())
    detail = serializers.CharField()


class BroadcastSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(required=False, allow_blank=True, default="")
    url = serializers.URLField(required=False, allow_blank=True, default="")


class AnnouncementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    course_id = serializers.IntegerField()
    title = serializers.CharField()
    body = serializers.CharField()
    pinned = serializers.BooleanField()
    author = PersonSerializer(allow_null=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def to_representation(self, instance):
        return announcement_payload(instance)


class AnnouncementInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    body = serializers.CharField(max_length=20000)
    pinned = serializers.BooleanField(required=False, default=False)


class AnnouncementUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200, required=False)
    body = serializers.CharField(max_length=20000, required=False)
    pinned = serializers.BooleanField(required=False)
