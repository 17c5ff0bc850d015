"""Notification emails leave through a real Celery worker: immediate ones after commit, the
daily digest from the beat task, each with RFC 8058 one-click unsubscribe headers whose link
works without signing in."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import pytest
from rest_framework.test import APIClient

from learning.notifications import kinds, services
from learning.notifications.models import Notification, NotificationPreference
from learning.notifications.tasks import send_digests
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for_mail(folder, needle: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = "\n".join(p.read_text() for p in folder.glob("*.log"))
        if needle in text:
            time.sleep(0.3)  # the file appears before the worker has finished writing it
            return "\n".join(p.read_text() for p in folder.glob("*.log"))
        time.sleep(0.2)
    raise AssertionError(f"no email containing {needle!r}")


def unsubscribe_link(message: str) -> str:
    header = re.search(r"^List-Unsubscribe:\s+<([^>]+)>", message, re.M)  # may be folded
    assert header, message
    assert re.search(r"^List-Unsubscribe-Post: List-Unsubscribe=One-Click", message, re.M)
    return header.group(1)


def one_click(url: str):
    path = url.split("://", 1)[1].split("/", 1)[1]
    return APIClient().post(
        "/" + path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def test_immediate_email_and_one_click_unsubscribe(worker_mail_dir):
    person = UserFactory(email="finisher@example.com")
    services.notify(
        recipients=[person], kind=kinds.COURSE_COMPLETED, context={"course_title": "Go basics"}
    )
    message = wait_for_mail(worker_mail_dir, "You completed Go basics")
    assert "To: finisher@example.com" in message
    assert "text/html" in message
    assert Notification.objects.get(recipient=person).email_state == "sent"

    response = one_click(unsubscribe_link(message))
    assert response.status_code == 200 and response.json()["kinds"] == [kinds.COURSE_COMPLETED]
    pref = NotificationPreference.objects.get(user=person, kind=kinds.COURSE_COMPLETED)
    assert (pref.in_app, pref.email) == (True, "off")
    services.notify(recipients=[person], kind=kinds.COURSE_COMPLETED, context={})
    assert Notification.objects.filter(recipient=person).latest("id").email_state == ""


def test_daily_digest_at_the_recipients_morning(worker_mail_dir):
    berlin = UserFactory(email="digest@example.com", timezone="Europe/Berlin")
    tokyo = UserFactory(email="later@example.com", timezone="Asia/Tokyo")
    for person in (berlin, tokyo):
        for title in ("Part two", "Part three"):
            services.notify(
                recipients=[person],
                kind=kinds.COURSE_UPDATED,
                context={"course_title": "Rust", "section_title": title},
            )
    # 07:00 UTC is 08:00 in Berlin (the digest hour) and 16:00 in Tokyo.
    morning = datetime(2026, 11, 30, 7, 0, tzinfo=UTC).isoformat()
    assert send_digests.delay(now=morning).get(timeout=90) == 1
    message = wait_for_mail(worker_mail_dir, "To: digest@example.com")
    assert "New in Rust: Part two" in message and "New in Rust: Part three" in message
    assert "later@example.com" not in message
    assert set(
        Notification.objects.filter(recipient=berlin).values_list("email_state", flat=True)
    ) == {"sent"}
    assert set(
        Notification.objects.filter(recipient=tokyo).values_list("email_state", flat=True)
    ) == {"digest"}

    response = one_click(unsubscribe_link(message))
    assert response.status_code == 200
    assert kinds.COURSE_UPDATED in response.json()["kinds"]
    assert kinds.SYSTEM_ALERT not in response.json()["kinds"]  # cannot be switched off
    assert NotificationPreference.objects.filter(user=berlin, email="off").count() == len(
        response.json()["kinds"]
    )
