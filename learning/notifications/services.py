"""Notification writes: ``notify`` (the one way to send one), reading, deleting, preferences,
course fan-out, announcements, digests and pruning."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from learning.notifications import errors, kinds, push, registry
from learning.notifications.models import Announcement, Notification, NotificationPreference
from learning.notifications.payloads import announcement_payload, notification_payload

EmailState = Notification.EmailState


@dataclass(frozen=True)
class Target:
    """What a notification links to: a typed object and a URL the client can open."""

    type: str
    id: str | int = ""
    url: str = ""


def _user_ids(recipients) -> list[int]:
    ids = []
    for r in recipients:
        ids.append(r if isinstance(r, int) else r.pk)
    return list(dict.fromkeys(ids))


def _preferences(user_ids: list[int], kind: str) -> dict[int, NotificationPreference]:
    rows = NotificationPreference.objects.filter(user_id__in=user_ids, kind=kind)
    return {p.user_id: p for p in rows}


def _effective(kind: registry.NotificationKind, pref: NotificationPreference | None):
    """(in_app, email channel) for one person."""
    if kind.mandatory or pref is None:
        return True, kind.email
    return pref.in_app, registry.Channel(pref.email)


def notify(
    *,
    recipients: Iterable,
    kind: str,
    context: dict | None = None,
    title: str | None = None,
    body: str | None = None,
    target: Target | None = None,
    actor=None,
    course_id: int | None = None,
    data: dict | None = None,
    expires_at: datetime | None = None,
    dedupe_key: str = "",
    push_to_users: bool = True,
) -> list[Notification]:
    """Notify ``recipients`` (users or user ids) of one ``kind``.

    Rows are written in one bulk insert (a constant number of queries however many
    recipients); after commit each recipient's sockets get the notification and their
    unread count, and emails are queued per preference (or left for the daily digest).
    People who switched a kind off in the app still get its emails: their row is written
    already read and is not pushed. With ``dedupe_key``, a recipient who already has a
    notification with that key gets no second one (idempotent retries and beat jobs).
    """
    spec = registry.get(kind)
    title_text, body_text = spec.render(context or {})
    title_text = (title if title is not None else title_text)[:200]
    body_text = body if body is not None else body_text
    ids = _user_ids(recipients)
    if not ids:
        return []
    User = get_user_model()
    people = dict(
        User.objects.filter(pk__in=ids, is_active=True, deleted_at__isnull=True).values_list(
            "pk", "email_verified_at"
        )
    )
    if dedupe_key:
        already = set(
            Notification.objects.filter(
                recipient_id__in=list(people), dedupe_key=dedupe_key
            ).values_list("recipient_id", flat=True)
        )
        people = {pk: v for pk, v in people.items() if pk not in already}
    if not people:
        return []
    prefs = {} if spec.mandatory else _preferences(list(people), kind)
    now = timezone.now()
    rows = []
    for user_id in ids:
        if user_id not in people:
            continue
        in_app, channel = _effective(spec, prefs.get(user_id))
        if people[user_id] is None:  # never email an unverified address
            channel = registry.Channel.OFF
        if not in_app and channel == registry.Channel.OFF:
            continue
        rows.append(
            Notification(
                recipient_id=user_id,
                kind=kind,
                title=title_text,
                body=body_text,
                target_type=target.type if target else "",
                target_id=str(target.id) if target else "",
                target_url=target.url if target else "",
                actor=actor,
                course_id=course_id,
                data=data or {},
                created_at=now,
                read_at=None if in_app else now,
                expires_at=expires_at,
                email_state={
                    registry.Channel.IMMEDIATE: EmailState.IMMEDIATE,
                    registry.Channel.DIGEST: EmailState.DIGEST,
                }.get(channel, EmailState.NONE),
                dedupe_key=dedupe_key,
            )
        )
    if not rows:
        return []
    try:
        with transaction.atomic():
            created = Notification.objects.bulk_create(rows)
    except IntegrityError:  # a concurrent run took some dedupe keys first: keep theirs
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        created = list(
            Notification.objects.filter(
                recipient_id__in=[r.recipient_id for r in rows],
                dedupe_key=dedupe_key,
                created_at=now,
            )
        )
    _after_commit(created, push_to_users=push_to_users)
    return created


def _after_commit(created: list[Notification], *, push_to_users: bool) -> None:
    emails = [n.pk for n in created if n.email_state == EmailState.IMMEDIATE]
    if emails:
        from learning.notifications.tasks import send_notification_email

        def queue_emails():
            for pk in emails:
                send_notification_email.delay(pk)

        transaction.on_commit(queue_emails)
    if not push_to_users:
        return
    shown = [n for n in created if n.read_at is None]
    if not shown:
        return
    user_ids = [n.recipient_id for n in shown]
    payloads = [(n.recipient_id, notification_payload(n)) for n in shown]

    def push_all():
        counts = unread_counts(user_ids)
        push.send_many(
            [
                (
                    push.user_group(user_id),
                    {
                        "type": "notification.new",
                        "notification": payload,
                        "unread_count": counts.get(user_id, 0),
                    },
                )
                for user_id, payload in payloads
            ]
        )

    transaction.on_commit(push_all)


def unread_counts(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Notification.objects.visible()
        .unread()
        .filter(recipient_id__in=user_ids)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {r["recipient_id"]: r["n"] for r in rows}


def _push_unread(user_id: int) -> None:
    def _send():
        count = unread_counts([user_id]).get(user_id, 0)
        push.send(push.user_group(user_id), {"type": "notification.unread", "unread_count": count})

    transaction.on_commit(_send)


# --- Reading and deleting ---------------------------------------------------------------------


def _own(user, notification_id: int) -> Notification:
    notification = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if notification is None:  # someone else's is "not found", never "forbidden"
        raise errors.NotificationNotFound()
    return notification


@transaction.atomic
def notification_mark_read(*, user, notification_id: int) -> Notification:
    notification = _own(user, notification_id)
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now()
    ):
        _push_unread(user.pk)
    notification.refresh_from_db()
    return notification


@transaction.atomic
def notification_mark_unread(*, user, notification_id: int) -> Notification:
    notification = _own(user, notification_id)
    if Notification.objects.filter(pk=notification.pk, read_at__isnull=False).update(read_at=None):
        _push_unread(user.pk)
    notification.refresh_from_db()
    return notification


@transaction.atomic
def notifications_mark_all_read(*, user, kind: str | None = None) -> int:
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if kind:
        rows = rows.filter(kind=kind)
    updated = rows.update(read_at=timezone.now())
    if updated:
        _push_unread(user.pk)
    return updated


@transaction.atomic
def notification_delete(*, user, notification_id: int) -> None:
    notification = _own(user, notification_id)
    was_unread = notification.read_at is None
    notification.delete()
    if was_unread:
        _push_unread(user.pk)


# --- Preferences ------------------------------------------------------------------------------


@transaction.atomic
def preferences_update(*, user, changes: list[dict]) -> None:
    """``changes``: ``[{"kind", "in_app"?, "email"?}]``. Mandatory kinds cannot be turned off."""
    for change in changes:
        try:
            spec = registry.get(change["kind"])
        except registry.UnknownKind:
            raise errors.UnknownNotificationKind(
                f"Unknown notification kind: {change['kind']}."
            ) from None
        current = NotificationPreference.objects.filter(user=user, kind=spec.key).first()
        in_app, email = _effective(spec, current)
        in_app = change.get("in_app", in_app)
        email = registry.Channel(change.get("email", email))
        off = registry.Channel.OFF
        if spec.mandatory and (not in_app or (spec.email != off and email == off)):
            raise errors.PreferenceLocked(f"“{spec.label}” cannot be switched off.")
        NotificationPreference.objects.update_or_create(
            user=user, kind=spec.key, defaults={"in_app": in_app, "email": email}
        )


@transaction.atomic
def email_unsubscribe(*, user, kind: str | None) -> list[str]:
    """Stop emails of one kind (or of every switchable kind when ``kind`` is None, the
    digest's link). Returns the kinds switched off. Pending emails of those kinds are
    dropped."""
    specs = [registry.get(kind)] if kind else registry.kinds()
    switched = []
    for spec in specs:
        if spec.mandatory:
            continue
        current = NotificationPreference.objects.filter(user=user, kind=spec.key).first()
        in_app, _email = _effective(spec, current)
        NotificationPreference.objects.update_or_create(
            user=user, kind=spec.key, defaults={"in_app": in_app, "email": registry.Channel.OFF}
        )
        switched.append(spec.key)
    Notification.objects.filter(
        recipient=user,
        kind__in=switched,
        email_state__in=[EmailState.IMMEDIATE, EmailState.DIGEST],
    ).update(email_state=EmailState.NONE)
    return switched


# --- Fan-out to a course's learners and to everyone --------------------------------------------


def _batches(ids_query, size: int):
    """Keyset-paginated batches of user ids (one query per batch)."""
    last = 0
    while True:
        batch = list(
            ids_query.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:size]
        )
        if not batch:
            return
        yield batch
        last = batch[-1]


def course_learner_ids_query(course_id: int):
    from learning.enrollment.models import Enrollment

    return get_user_model().objects.filter(
        pk__in=Enrollment.objects.current().filter(course_id=course_id).values("user_id")
    )


def fanout(
    *,
    audience: dict,
    kind: str,
    context: dict | None = None,
    target: dict | None = None,
    actor_id: int | None = None,
    course_id: int | None = None,
    data: dict | None = None,
    dedupe_key: str = "",
    live_event: dict | None = None,
) -> int:
    """Notify an audience too large for one request (run by a Celery task).

    ``audience`` is ``{"course": id}`` (the course's current learners) or ``{"all": True}``
    (every active account). One message goes to the audience's group for connected clients
    (``live_event``, or the notification itself), then rows are written in batches of
    ``NOTIFICATIONS_FANOUT_BATCH_SIZE`` (a few queries per batch, none per person), each in
    its own transaction. Idempotent with ``dedupe_key``."""
    spec = registry.get(kind)
    if "course" in audience:
        group = push.course_group(audience["course"])
        query = course_learner_ids_query(audience["course"])
    else:
        group = push.BROADCAST_GROUP
        query = get_user_model().objects.filter(is_active=True, deleted_at__isnull=True)
    title, body = spec.render(context or {})
    push.send(
        group,
        live_event
        or {
            "type": "notification.broadcast",
            "notification": {
                "kind": kind,
                "title": title,
                "body": body,
                "target": target,
                "course_id": course_id,
                "data": data or {},
            },
        },
    )
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    total = 0
    for batch in _batches(query, settings.NOTIFICATIONS_FANOUT_BATCH_SIZE):
        with transaction.atomic():
            total += len(
                notify(
                    recipients=batch,
                    kind=kind,
                    title=title,
                    body=body,
                    target=Target(**target) if target else None,
                    actor=actor,
                    course_id=course_id,
                    data=data,
                    dedupe_key=dedupe_key,
                    push_to_users=False,
                )
            )
    return total


def _queue_fanout(**kwargs) -> None:
    from learning.notifications.tasks import fanout_notification

    transaction.on_commit(lambda: fanout_notification.delay(**kwargs))


def course_learners_notify(
    *,
    course,
    kind: str,
    context: dict,
    target: Target | None = None,
    actor=None,
    data: dict | None = None,
    dedupe_key: str = "",
    live_event: dict | None = None,
) -> None:
    """Queue a fan-out to the course's current learners (after commit)."""
    _queue_fanout(
        audience={"course": course.pk},
        kind=kind,
        context={"course_title": course.title, **context},
        target=target.__dict__ if target else None,
        actor_id=actor.pk if actor else None,
        course_id=course.pk,
        data=data,
        dedupe_key=dedupe_key,
        live_event=live_event,
    )


def system_alert_broadcast(*, actor, title: str, body: str = "", url: str = "") -> None:
    """An administrator's notice to every active account (in the app; mandatory)."""
    if not actor.is_superuser:
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("Only administrators may broadcast system alerts.")
    _queue_fanout(
        audience={"all": True},
        kind=kinds.SYSTEM_ALERT,
        context={"title": title, "body": body},
        target={"type": "url", "id": "", "url": url} if url else None,
        actor_id=actor.pk,
    )


# --- Announcements ----------------------------------------------------------------------------


def _announcement_target(announcement: Announcement) -> Target:
    from learning.accounts.emails import frontend_link

    return Target(
        type="announcement",
        id=announcement.pk,
        url=frontend_link("/courses/{id}/announcements", id=str(announcement.course_id)),
    )


@transaction.atomic
def announcement_create(
    *, course, author, title: str, body: str, pinned: bool = False
) -> Announcement:
    announcement = Announcement(course=course, author=author, title=title, body=body, pinned=pinned)
    announcement.full_clean()
    announcement.save()
    announcement_announce(announcement=announcement)
    return announcement


def announcement_announce(*, announcement: Announcement) -> None:
    """Tell the course's learners about a new announcement (after commit, in a worker;
    idempotent). Called by :func:`announcement_create` and by the Wagtail admin's snippet."""
    course = announcement.course
    course_learners_notify(
        course=course,
        kind=kinds.ANNOUNCEMENT,
        context={"announcement_title": announcement.title, "announcement_body": announcement.body},
        target=_announcement_target(announcement),
        actor=announcement.author,
        data={"announcement_id": announcement.pk},
        dedupe_key=f"announcement:{announcement.pk}",
        live_event={
            "type": "course.announcement",
            "announcement": announcement_payload(announcement),
        },
    )


@transaction.atomic
def announcement_update(*, announcement: Announcement, **fields) -> Announcement:
    """Edit or pin; learners are not notified again (connected clients get the new text)."""
    for name in ("title", "body", "pinned"):
        if name in fields and fields[name] is not None:
            setattr(announcement, name, fields[name])
    announcement.full_clean()
    announcement.save()
    announcement_changed(announcement=announcement)
    return announcement


def announcement_changed(*, announcement: Announcement) -> None:
    push.after_commit(
        push.course_group(announcement.course_id),
        {"type": "course.announcement", "announcement": announcement_payload(announcement)},
    )


@transaction.atomic
def announcement_delete(*, announcement: Announcement) -> None:
    pk, course_id = announcement.pk, announcement.course_id
    announcement.delete()
    announcement_removed(announcement_id=pk, course_id=course_id)


def announcement_removed(*, announcement_id: int, course_id: int) -> None:
    """An announcement is gone: so are its notifications, and connected clients drop it."""
    pk = announcement_id
    Notification.objects.filter(kind=kinds.ANNOUNCEMENT, dedupe_key=f"announcement:{pk}").delete()
    push.after_commit(
        push.course_group(course_id),
        {"type": "course.announcement_deleted", "announcement_id": pk, "course_id": course_id},
    )


# --- Retention and account deletion -----------------------------------------------------------


def notifications_prune(*, read_before: datetime, now: datetime | None = None) -> int:
    """Delete notifications read before ``read_before`` and those past their expiry."""
    now = now or timezone.now()
    deleted, _ = Notification.objects.filter(
        Q(read_at__lt=read_before) | Q(expires_at__lt=now)
    ).delete()
    return deleted


def notifications_erase(user) -> None:
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
