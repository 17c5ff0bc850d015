"""Notification emails: per-kind templates, signed one-click unsubscribe links (RFC 8058) and
the daily digest. Sent by Celery tasks on the ``email`` queue (:mod:`.tasks`)."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string

from learning.notifications import errors, registry

UNSUBSCRIBE_SALT = "learning.notifications.unsubscribe"
ALL_KINDS = "*"


def unsubscribe_token(user_id: int, kind: str | None) -> str:
    """A signed token that turns off emails of ``kind`` (every kind when None) for one
    person, without signing in. It does not expire: an old email's link keeps working."""
    return signing.dumps({"u": user_id, "k": kind or ALL_KINDS}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str | None]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        raise errors.InvalidUnsubscribeToken() from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise errors.InvalidUnsubscribeToken()
    kind = data.get("k")
    if kind != ALL_KINDS:
        try:
            registry.get(kind)
        except registry.UnknownKind:
            raise errors.InvalidUnsubscribeToken() from None
    return data["u"], None if kind == ALL_KINDS else kind


def unsubscribe_url(user_id: int, kind: str | None) -> str:
    from django.urls import reverse

    path = reverse("v2:notifications-unsubscribe")
    return f"{settings.SITE_URL}{path}?token={unsubscribe_token(user_id, kind)}"


def _render(names: list[str], context: dict) -> str:
    for name in names:
        try:
            return render_to_string(name, context)
        except TemplateDoesNotExist:
            continue
    raise TemplateDoesNotExist(", ".join(names))


def build_message(*, to: str, template: str, context: dict, unsubscribe: str | None):
    """An email with text and HTML parts; ``unsubscribe`` adds RFC 2369 / RFC 8058 headers."""
    context = {"site_name": "Unpuzzle LMS", "site_url": settings.SITE_URL, **context}
    if unsubscribe:
        context["unsubscribe_url"] = unsubscribe
    names = [f"emails/notifications/{template}", "emails/notifications/notification"]
    subject = " ".join(_render([f"{n}_subject.txt" for n in names], context).split())
    text = _render([f"{n}.txt" for n in names], context)
    html = _render([f"{n}.html" for n in names], context)
    headers = {}
    if unsubscribe:
        headers["List-Unsubscribe"] = f"<{unsubscribe}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers
    )
    message.attach_alternative(html, "text/html")
    return message


def notification_message(notification):
    spec = registry.get(notification.kind)
    user = notification.recipient
    target = notification.target
    link = target["url"] if target and target.get("url") else settings.FRONTEND_URL
    unsubscribe = None if spec.mandatory else unsubscribe_url(user.pk, spec.key)
    return build_message(
        to=user.email,
        template=spec.key,
        context={
            "name": user.public_name,
            "notification": notification,
            "kind_label": spec.label,
            "link": link,
        },
        unsubscribe=unsubscribe,
    )


def digest_message(user, notifications: list, total: int):
    return build_message(
        to=user.email,
        template="digest",
        context={
            "name": user.public_name,
            "notifications": notifications,
            "total": total,
            "more": total - len(notifications),
            "link": settings.FRONTEND_URL,
        },
        unsubscribe=unsubscribe_url(user.pk, None),
    )
