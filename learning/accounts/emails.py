"""Account emails: rendered from ``templates/emails/`` by a Celery task on the ``email``
queue, queued only after the surrounding transaction commits."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db import transaction


def frontend_link(path_template: str, **params: str) -> str:
    quoted = {key: quote(str(value), safe="") for key, value in params.items()}
    return settings.FRONTEND_URL.rstrip("/") + path_template.format(**quoted)


def queue_email(template: str, *, to: str, context: dict) -> None:
    from learning.accounts.tasks import send_templated_email

    context = {"site_name": "Unpuzzle LMS", "site_url": settings.SITE_URL, **context}
    transaction.on_commit(lambda: send_templated_email.delay(template, to, context))
