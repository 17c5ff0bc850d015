"""The "Tutor usage" report in the Wagtail admin: per course and day from the ledger, each
role seeing the courses it may, with the numbers rendered and exported."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client

from learning.assistant.models import LedgerEntry
from tests.factories import assistant as af

pytestmark = pytest.mark.django_db

REPORT = "/admin/reports/tutor-usage/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def usage(instructor, other_instructor, student, other_student):
    """Two courses; ledger rows on two days (one failed call)."""
    mine, _ = af.tutor_course(instructors=[instructor], title="Python basics", index=False)
    theirs, _ = af.tutor_course(instructors=[other_instructor], title="Rust deep", index=False)
    today = datetime.now(UTC).replace(hour=10, minute=0, second=0, microsecond=0)
    yesterday = today - timedelta(days=1)
    rows = [
        (mine, student, today, 1200, 300, "0.000360", True),
        (mine, other_student, today, 800, 200, "0.000240", True),
        (mine, student, today, 0, 0, "0", False),
        (mine, student, yesterday, 500, 100, "0.000135", True),
        (theirs, student, today, 9999, 7777, "0.009999", True),
    ]
    for course, user, at, tokens_in, tokens_out, cost, ok in rows:
        LedgerEntry.objects.create(
            user=user,
            course=course,
            agent="chat",
            provider="openai",
            model="gpt-4o-mini",
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            cost=Decimal(cost),
            ok=ok,
            error_code="" if ok else "provider_timeout",
            created_at=at,
        )
    return mine, theirs, today.date(), yesterday.date()


def table_rows(html: str) -> list[list[str]]:
    import re

    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([re.sub(r"<[^>]+>|\s+", " ", c).strip() for c in cells])
    return rows


def test_instructor_sees_their_course_per_day_with_numbers(usage, instructor):
    response = login(instructor).get(REPORT)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tutor usage" in html
    assert "Rust deep" not in html and "9999" not in html
    rows = table_rows(html)
    assert len(rows) == 2
    # Day, course, calls, failed calls, learners, tokens in, tokens out, cost.
    assert any(r[1:8] == ["Python basics", "2", "1", "2", "2000", "500", "0.000600"] for r in rows)
    assert any(r[1:8] == ["Python basics", "1", "0", "1", "500", "100", "0.000135"] for r in rows)


def test_admin_sees_every_course_and_can_filter_and_export(usage, admin_user):
    mine, theirs, today, _ = usage
    client = login(admin_user)
    rows = table_rows(client.get(REPORT).content.decode())
    assert {r[1] for r in rows} == {"Python basics", "Rust deep"}
    assert any(r[1:7] == ["Rust deep", "1", "0", "1", "9999", "7777"] for r in rows)
    rows = table_rows(client.get(REPORT, {"course": theirs.pk}).content.decode())
    assert [r[1] for r in rows] == ["Rust deep"]
    day = today.isoformat()
    rows = table_rows(client.get(REPORT, {"since": day, "until": day}).content.decode())
    assert len(rows) == 2  # yesterday's row is outside the range
    export = client.get(REPORT, {"export": "csv", "course": mine.pk})
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode().lstrip("\ufeff")
    lines = list(csv.DictReader(io.StringIO(text)))
    assert [(r["Day (UTC)"], r["Calls"], r["Tokens in"]) for r in lines] == [
        (str(today - timedelta(days=1)), "1", "500"),
        (str(today), "2", "2000"),
    ]


def test_instructor_cannot_pick_another_instructors_course(usage, instructor):
    _, theirs, _, _ = usage
    response = login(instructor).get(REPORT, {"course": theirs.pk})
    assert response.status_code == 302  # Wagtail's "permission denied" redirect
    assert b"Rust deep" not in response.content


@pytest.mark.parametrize("role", ["student", "unverified"])
def test_learners_are_refused(usage, role, request):
    user = request.getfixturevalue(role)
    response = login(user).get(REPORT)
    assert response.status_code in (302, 403)
    assert b"Python basics" not in response.content


def test_menu_item_in_the_reports_menu_for_instructors(usage, instructor):
    assert REPORT in login(instructor).get("/admin/").content.decode()
