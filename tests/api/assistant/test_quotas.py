"""Quotas per plan, the 429 shape, the usage endpoint and the usage report, and the race:
parallel requests with one interaction left (real threads, PostgreSQL)."""

import threading
from datetime import UTC, datetime

import pytest
from django.db import connection, connections

from learning.assistant import services
from learning.assistant.models import LedgerEntry, Message, UsageCounter
from tests.factories import assistant as af
from tests.factories import learning as lf

BASE = "/api/v2/assistant"


@pytest.fixture
def setup(db, student, instructor, as_user):
    course, _lessons = af.tutor_course(instructors=[instructor])
    lf.enroll(student, course)
    client = as_user(student)
    conversation = client.post(f"{BASE}/conversations/", {"course_id": course.pk}).json()
    return course, client, f"{BASE}/conversations/{conversation['id']}/messages/"


@pytest.mark.django_db
def test_free_plan_day_limit_429_then_premium(setup, openai_server, student, admin_user, as_user):
    course, client, url = setup
    for n in range(3):
        assert client.post(url, {"content": f"loop {n}"}).status_code == 201
    response = client.post(url, {"content": "one more"})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "assistant_quota_exceeded"
    assert body["limit"] == 3 and body["used"] == 3 and body["period"] == "day"
    assert body["plan"] == "free" and "Upgrade" in body["upgrade_message"]
    today = datetime.now(UTC).date()
    assert body["resets_at"].startswith(str(today.fromordinal(today.toordinal() + 1)))
    assert len(openai_server.requests) == 3
    assert Message.objects.filter(content="one more").count() == 0  # refused: nothing saved
    usage = client.get("/api/v2/me/assistant/usage/").json()
    assert usage["plan"] == "free" and usage["day"]["used"] == 3 and usage["day"]["remaining"] == 0
    assert usage["month"] == {**usage["month"], "limit": 50, "used": 3}
    assert usage["day"]["tokens"] == sum(101 + n + 20 for n in range(3))
    services.tutor_plan_set(user=student, plan="premium")
    assert client.post(url, {"content": "now premium"}).status_code == 201
    assert client.get("/api/v2/me/assistant/usage/").json()["day"]["limit"] == 50
    # The usage report: per course and day, for course staff and admins.
    report = as_user(admin_user).get(f"{BASE}/usage/report/").json()
    assert report[0]["course_id"] == course.pk and report[0]["calls"] == 4
    assert report[0]["learners"] == 1 and report[0]["tokens_out"] == 80


@pytest.mark.django_db
def test_monthly_limit(setup, offline_tutor, settings, student):
    _, client, url = setup
    settings.ASSISTANT_PLAN_LIMITS = {"free": {"day": 10, "month": 2}}
    assert client.post(url, {"content": "print"}).status_code == 201
    assert client.post(url, {"content": "print"}).status_code == 201
    body = client.post(url, {"content": "print"}).json()
    assert body["period"] == "month" and body["limit"] == 2 and body["used"] == 2
    # The day counter was not taken by the refused request either.
    assert UsageCounter.objects.get(user=student, period="day").used == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    "postgresql" not in connection.settings_dict["ENGINE"], reason="row locks: PostgreSQL"
)
def test_parallel_requests_with_one_left_exactly_one_succeeds(student, instructor, offline_tutor):
    from learning.assistant.models import Conversation

    course, _ = af.tutor_course(instructors=[instructor])
    lf.enroll(student, course)
    conversation = Conversation.objects.create(user=student, course=course)
    starts = services.selectors.period_starts()
    for period, start in starts.items():
        UsageCounter.objects.create(
            user=student, period=period, period_start=start, used=2 if period == "day" else 0
        )
    parallel = 8
    barrier = threading.Barrier(parallel)
    results: list[str] = []

    def ask() -> None:
        try:
            barrier.wait()
            services.message_send(user=student, conversation=conversation, content="print text")
            results.append("ok")
        except services.errors.QuotaExceeded:
            results.append("429")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["429"] * (parallel - 1) + ["ok"]
    assert UsageCounter.objects.get(user=student, period="day").used == 3
    assert UsageCounter.objects.get(user=student, period="month").used == 1
    assert LedgerEntry.objects.filter(ok=True).count() == 1
    assert Message.objects.filter(role="assistant").count() == 1


@pytest.mark.django_db
def test_daily_token_limit_from_the_ledger_429(setup, openai_server, settings, student):
    """Optional tokens per day: counted from the provider's usage the ledger records; once
    reached, the next interaction is refused before any provider call."""
    _, client, url = setup
    settings.ASSISTANT_PLAN_LIMITS = {"free": {"day": 10, "month": 100}}
    settings.ASSISTANT_PLAN_TOKEN_LIMITS = {"free": {"day": 240, "month": 0}}
    assert client.post(url, {"content": "loop one"}).status_code == 201  # 101 + 20 tokens
    assert client.post(url, {"content": "loop two"}).status_code == 201  # 102 + 20: 243
    response = client.post(url, {"content": "loop three"})
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "assistant_quota_exceeded" and body["unit"] == "tokens"
    assert body["period"] == "day" and body["limit"] == 240 and body["used"] == 243
    today = datetime.now(UTC).date()
    assert body["resets_at"].startswith(str(today.fromordinal(today.toordinal() + 1)))
    assert "240 tutor tokens" in body["detail"]
    assert len(openai_server.requests) == 2  # refused before calling the provider
    ledger = LedgerEntry.objects.filter(user=student, ok=True)
    assert sum(e.tokens_in + e.tokens_out for e in ledger) == 243
    day = UsageCounter.objects.get(user=student, period="day")
    assert (day.used, day.tokens) == (2, 243)  # the refused request took nothing
    usage = client.get("/api/v2/me/assistant/usage/").json()
    assert usage["day"]["token_limit"] == 240 and usage["day"]["tokens"] == 243
    assert usage["day"]["tokens_remaining"] == 0
    assert usage["month"]["token_limit"] is None and usage["month"]["tokens_remaining"] is None
    assert usage["day"]["remaining"] == 8  # interactions are left; tokens are not


@pytest.mark.django_db
def test_monthly_token_limit_per_plan_and_failed_calls_cost_no_tokens(
    setup, openai_server, settings, student
):
    _, client, url = setup
    settings.ASSISTANT_PLAN_LIMITS = {
        "free": {"day": 10, "month": 100},
        "premium": {"day": 10, "month": 100},
    }
    settings.ASSISTANT_PLAN_TOKEN_LIMITS = {
        "free": {"day": 0, "month": 100},
        "premium": {"day": 0, "month": 1000},
    }
    openai_server.mode = "error"
    assert client.post(url, {"content": "loop"}).status_code == 503
    assert UsageCounter.objects.get(user=student, period="month").tokens == 0
    openai_server.mode = "ok"
    assert client.post(url, {"content": "loop"}).status_code == 201
    body = client.post(url, {"content": "loop"}).json()
    assert body["unit"] == "tokens" and body["period"] == "month" and body["limit"] == 100
    assert body["used"] == UsageCounter.objects.get(user=student, period="month").tokens > 100
    services.tutor_plan_set(user=student, plan="premium")
    assert client.post(url, {"content": "loop"}).status_code == 201
    usage = client.get("/api/v2/me/assistant/usage/").json()
    assert usage["plan"] == "premium" and usage["month"]["token_limit"] == 1000
    assert usage["month"]["tokens_remaining"] == 1000 - usage["month"]["tokens"]
