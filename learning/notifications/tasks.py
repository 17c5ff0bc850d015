"""Notification background work: fan-out, emails (immediate and digest), pruning.
Thin: load by id, call a service; idempotent."""

from __future__ import annotations

import logging
import smtplib
import zoneinfo
from datetime import datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from learning.notifications import emails, services
from learning.notifications.models import Notification

logger = logging.getLogger(__name__)
EmailState = Notification.EmailState
TRANSIENT = (smtplib.SMTPException, ConnectionError, TimeoutError, OSError)


@shared_task(name="learning.notifications.tasks.fanout_notification", time_limit=900)
def fanout_notification(**kwargs) -> int:
    return services.fanout(**kwargs)


def _retry_delay(retries: int) -> int:
    return min(settings.NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS, 30 * 2**retries)


@shared_task(
    bind=True,
    name="learning.notifications.tasks.send_notification_email",
    max_retries=6,
    soft_time_limit=30,
    time_limit=45,
)
def send_notification_email(self, notification_id: int) -> str:
    """Send one notification's email. A failing send retries with exponential backoff, then
    is marked ``failed``; it never blocks the request that caused it."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None or notification.email_state != EmailState.IMMEDIATE:
        return "skipped"
    try:
        emails.notification_message(notification).send()
    except TRANSIENT as exc:
        if self.request.retries >= self.max_retries:
            Notification.objects.filter(pk=notification_id).update(email_state=EmailState.FAILED)
            logger.warning("Giving up on the email of notification %s: %s", notification_id, exc)
            return "failed"
        raise self.retry(exc=exc, countdown=_retry_delay(self.request.retries)) from exc
    Notification.objects.filter(pk=notification_id, email_state=EmailState.IMMEDIATE).update(
        email_state=EmailState.SENT, emailed_at=timezone.now()
    )
    return "sent"


def _local_hour(tz_name: str, now: datetime) -> int:
    try:
        tz = zoneinfo.ZoneInfo(tz_name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(tz).hour


@shared_task(name="learning.notifications.tasks.send_digests", time_limit=600)
def send_digests(now: str | None = None) -> int:
    """Hourly (beat): queue a digest for everyone with pending digest notifications whose
    local time is ``NOTIFICATIONS_DIGEST_HOUR`` (or whose oldest pending one is over a day
    old, so a time zone change never starves a digest)."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    pending = (
        Notification.objects.filter(email_state=EmailState.DIGEST)
        .values_list("recipient_id", "recipient__timezone", "created_at")
        .order_by("recipient_id", "created_at")
    )
    due, seen = [], set()
    for user_id, tz_name, created_at in pending.iterator():
        if user_id in seen:
            continue
        seen.add(user_id)
        if _local_hour(tz_name, moment) == settings.NOTIFICATIONS_DIGEST_HOUR or (
            moment - created_at > timedelta(hours=25)
        ):
            due.append(user_id)
    for user_id in due:
        send_digest.delay(user_id)
    return len(due)


@shared_task(
    bind=True,
    name="learning.notifications.tasks.send_digest",
    max_retries=6,
    soft_time_limit=60,
    time_limit=90,
)
def send_digest(self, user_id: int) -> int:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return 0
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(recipient=user, email_state=EmailState.DIGEST)
            .order_by("-id")
        )
        if not rows:
            return 0
        try:
            message = emails.digest_message(
                user, rows[: settings.NOTIFICATIONS_DIGEST_MAX_ITEMS], len(rows)
            )
            message.send()
        except TRANSIENT as exc:
            raise self.retry(exc=exc, countdown=_retry_delay(self.request.retries)) from exc
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
            email_state=EmailState.SENT, emailed_at=timezone.now()
        )
    return len(rows)


@shared_task(name="learning.notifications.tasks.prune_notifications", time_limit=600)
def prune_notifications() -> int:
    days = settings.NOTIFICATIONS_RETENTION_DAYS
    return services.notifications_prune(read_before=timezone.now() - timedelta(days=days))


@shared_task(name="learning.notifications.tasks.notify_expiring_enrollments", time_limit=600)
def notify_expiring_enrollments() -> int:
    from learning.notifications import handlers

    return handlers.enrollments_expiring_notify()
