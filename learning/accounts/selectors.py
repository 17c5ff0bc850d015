from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from learning.accounts.models import AuthSession, InstructorRequest


def user_with_groups(user_id: int):
    return get_user_model().objects.prefetch_related("groups").get(pk=user_id)


def active_sessions(*, user) -> QuerySet[AuthSession]:
    return AuthSession.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).order_by("-last_used_at", "id")


def instructor_requests_of(*, user) -> QuerySet[InstructorRequest]:
    return InstructorRequest.objects.filter(user=user).order_by("-created_at", "-id")


def user_for_session(*, user_id, session_id):
    """The active user signed in with an active session, in one query; else ``None``."""
    return (
        get_user_model()
        .objects.filter(
            pk=user_id,
            is_active=True,
            auth_sessions__pk=session_id,
            auth_sessions__revoked_at__isnull=True,
            auth_sessions__expires_at__gt=timezone.now(),
        )
        .first()
    )
