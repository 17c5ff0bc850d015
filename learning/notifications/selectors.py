"""Notification reads, shaped for their callers."""

from __future__ import annotations

from django.db.models import QuerySet

from cms.models import CoursePage
from learning.notifications import registry
from learning.notifications.models import Announcement, Notification, NotificationPreference

CATCH_UP_LIMIT = 100


def notifications_for(
    user, *, unread: bool | None = None, kinds: list[str] | None = None
) -> QuerySet[Notification]:
    """A person's notifications, newest first (by id: the cursor order)."""
    rows = Notification.objects.visible().filter(recipient=user).select_related("actor")
    if unread is True:
        rows = rows.filter(read_at__isnull=True)
    elif unread is False:
        rows = rows.filter(read_at__isnull=False)
    if kinds:
        rows = rows.filter(kind__in=kinds)
    return rows.order_by("-id")


def unread_count(user) -> int:
    return Notification.objects.visible().unread().filter(recipient=user).count()


def notifications_since(user, since_id: int, *, limit: int = CATCH_UP_LIMIT) -> list[Notification]:
    """What a reconnecting client missed: notifications after ``since_id``, oldest first
    (at most ``limit``; the client pages the rest through the HTTP API)."""
    return list(
        Notification.objects.visible()
        .filter(recipient_id=user.pk, pk__gt=since_id, read_at__isnull=True)
        .select_related("actor")
        .order_by("id")[:limit]
    )


def preferences_of(user) -> list[dict]:
    """Every registered kind with this person's effective choices."""
    stored = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    rows = []
    for spec in registry.kinds():
        pref = stored.get(spec.key)
        in_app, email = (
            (True, spec.email)
            if spec.mandatory or pref is None
            else (
                pref.in_app,
                pref.email,
            )
        )
        rows.append(
            {
                "kind": spec.key,
                "label": spec.label,
                "description": spec.description,
                "in_app": in_app,
                "email": str(email),
                "switchable": not spec.mandatory,
                "default_in_app": spec.in_app,
                "default_email": str(spec.email),
            }
        )
    return rows


def course_announcements(course: CoursePage) -> QuerySet[Announcement]:
    return (
        Announcement.objects.filter(course=course)
        .select_related("author")
        .order_by("-pinned", "-created_at", "-id")
    )


def current_course_ids(user_id: int) -> list[int]:
    """Courses whose groups a person's sockets join: their current enrollments."""
    from learning.enrollment.models import Enrollment

    return list(
        Enrollment.objects.current()
        .filter(user_id=user_id)
        .order_by("course_id")
        .values_list("course_id", flat=True)
    )


def notifications_export(user) -> list[dict]:
    return [
        {
            "kind": n.kind,
            "title": n.title,
            "body": n.body,
            "target": n.target,
            "created_at": n.created_at.isoformat(),
            "read_at": n.read_at.isoformat() if n.read_at else None,
        }
        for n in Notification.objects.filter(recipient=user).order_by("id")
    ]


def preferences_export(user) -> list[dict]:
    return [
        {"kind": p.kind, "in_app": p.in_app, "email": p.email}
        for p in NotificationPreference.objects.filter(user=user).order_by("kind")
    ]
