from __future__ import annotations

import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

TEMPLATES = {
    "verify_email",
    "password_reset",
    "password_changed",
    "instructor_decision",
    "course_invitation",
    "course_invitation_signup",
}


@shared_task(
    name="learning.accounts.tasks.send_templated_email",
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=6,
    soft_time_limit=30,
    time_limit=45,
)
def send_templated_email(template: str, to: str, context: dict) -> str:
    """Render ``emails/<template>_subject.txt``, ``.txt`` and ``.html`` and send them."""
    if template not in TEMPLATES:
        raise ValueError(f"Unknown email template {template!r}")
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()
    return subject
