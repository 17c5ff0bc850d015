"""Conversations and messages against a local OpenAI-compatible server (real HTTP)."""

import pytest

from learning.assistant.models import Conversation, LedgerEntry, Message, UsageCounter
from tests.factories import assistant as af
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db

BASE = "/api/v2/assistant"


def problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    return body


@pytest.fixture
def course(instructor):
    return af.tutor_course(instructors=[instructor])


@pytest.fixture
def learner(student, course):
    lf.enroll(student, course[0])
    return student


def start(client, course, lesson_id=None) -> dict:
    body = {"course_id": course.pk}
    if lesson_id:
        body["lesson_id"] = lesson_id
    response = client.post(f"{BASE}/conversations/", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_conversation_lifecycle_and_cited_answer(learner, as_user, course, openai_server):
    page, lessons = course
    client = as_user(learner)
    conversation = start(client, page, lessons["loops"])
    assert conversation["lesson_id"] == lessons["loops"] and conversation["message_count"] == 0
    url = f"{BASE}/conversations/{conversation['id']}/messages/"
    response = client.post(
        url,
        {
            "content": "What does break do?",
            "lesson_id": lessons["loops"],
            "video_time_seconds": 55,
            "selected_text": "break",
        },
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert answer["role"] == "assistant" and answer["content"].startswith("Use print()")
    assert answer["tokens_in"] == 101 and answer["tokens_out"] == 20
    assert answer["model"] == "gpt-4o-mini" and answer["provider"] == "openai"
    assert float(answer["cost"]) == pytest.approx((101 * 0.15 + 20 * 0.60) / 1_000_000, abs=1e-6)
    cited = answer["citations"][0]  # the reply cites [1]: the transcript window
    assert cited["lesson_id"] == lessons["loops"] and cited["kind"] == "transcript"
    assert cited["start_seconds"] == 20.0 and "break" in cited["excerpt"]
    # What the model was sent: titles, the ±30 s transcript, passages, progress, the question.
    prompt = openai_server.requests[-1]["messages"]
    user_turn = prompt[-1]["content"]
    assert 'Course: "Python basics"' in user_turn and 'lesson: "Loops"' in user_turn
    assert "(0:50) Use break to leave a loop early." in user_turn
    assert "(0:20) The loop variable" in user_turn and "(1:10) Nested" in user_turn
    assert "(0:00)" not in user_turn and "(1:30)" not in user_turn  # outside 25-85 s
    assert "0 of 4 required lessons completed" in user_turn
    assert "<course_content>" in user_turn and '"""What does break do?"""' in user_turn
    ledger = LedgerEntry.objects.get()
    assert ledger.ok and ledger.tokens_in == 101 and ledger.model == "gpt-4o-mini"
    # Listing, renaming (the first question titled it), deleting.
    listed = client.get(f"{BASE}/conversations/").json()
    assert listed["count"] == 1 and listed["results"][0]["title"] == "What does break do?"
    assert listed["results"][0]["message_count"] == 2
    messages = client.get(url).json()["results"]
    assert [m["role"] for m in messages] == ["user", "assistant"]
    assert messages[0]["context"]["video_time_seconds"] == 55
    renamed = client.patch(f"{BASE}/conversations/{conversation['id']}/", {"title": "Loops"})
    assert renamed.json()["title"] == "Loops"
    feedback = client.post(
        f"{BASE}/messages/{answer['id']}/feedback/", {"feedback": "up", "comment": "clear"}
    )
    assert feedback.json()["feedback"] == "up"
    assert client.delete(f"{BASE}/conversations/{conversation['id']}/").status_code == 204
    assert not Conversation.objects.exists() and not Message.objects.exists()


def test_history_is_sent_within_budget(learner, as_user, course, openai_server, settings):
    page, _lessons = course
    client = as_user(learner)
    conversation = start(client, page)
    url = f"{BASE}/conversations/{conversation['id']}/messages/"
    settings.ASSISTANT_PLAN_LIMITS = {"free": {"day": 100, "month": 100}}
    for n in range(4):
        assert client.post(url, {"content": f"question number {n} " + "x " * 50}).status_code == 201
    last = openai_server.requests[-1]["messages"]
    assert last[0]["role"] == "system" and last[-1]["role"] == "user"
    turns = last[1:-1]
    assert turns and turns[-1]["role"] == "assistant"
    assert any("question number 2" in t["content"] for t in turns)
    settings.ASSISTANT_HISTORY_TOKENS = 60  # room for the latest turns only
    client.post(url, {"content": "one more"})
    assert len(openai_server.requests[-1]["messages"]) < len(last) + 2


def test_bad_input_distinct_codes_and_nothing_changes(
    learner, as_user, course, instructor, openai_server, settings
):
    page, _lessons = course
    other, other_lessons = af.tutor_course(instructors=[instructor], title="Other")
    client = as_user(learner)
    conversation = start(client, page)
    url = f"{BASE}/conversations/{conversation['id']}/messages/"
    problem(client.post(url, {"content": "   "}), 400, "message_empty")
    settings.ASSISTANT_MAX_MESSAGE_CHARS = 50
    problem(client.post(url, {"content": "x" * 51}), 413, "message_too_long")
    problem(
        client.post(url, {"content": "hi", "lesson_id": other_lessons["printing"]}),
        400,
        "lesson_not_in_course",
    )
    problem(client.post(url, {"content": "hi", "video_time_seconds": -1}), 400, "invalid")
    problem(client.post(url, {"content": "hi", "lesson_id": "nope"}), 400, "invalid")
    # Not enrolled in the other course: refused, except for its free preview lesson.
    problem(
        client.post(f"{BASE}/conversations/", {"course_id": other.pk}), 403, "enrollment_required"
    )
    problem(
        client.post(
            f"{BASE}/conversations/", {"course_id": other.pk, "lesson_id": other_lessons["quiz"]}
        ),
        403,
        "enrollment_required",
    )
    problem(client.post(f"{BASE}/conversations/", {"course_id": 999999}), 404, "course_not_found")
    assert not Message.objects.exists() and not LedgerEntry.objects.exists()
    assert not UsageCounter.objects.filter(used__gt=0).exists()
    assert openai_server.requests == []
    preview = start(client, other, other_lessons["printing"])
    response = client.post(
        f"{BASE}/conversations/{preview['id']}/messages/", {"content": "variable equals sign"}
    )
    assert response.status_code == 201
    # Only free-preview lessons were searched for a learner who is not enrolled.
    sent = openai_server.requests[-1]["messages"][-1]["content"]
    assert "name bound to a value" not in sent and "print function" in sent


def test_tutor_switch_and_unverified_email(learner, as_user, course, openai_server):
    page, _ = course
    client = as_user(learner)
    conversation = start(client, page)
    page.ai_tutor_enabled = False
    page.save_revision().publish()
    problem(
        client.post(f"{BASE}/conversations/{conversation['id']}/messages/", {"content": "hi"}),
        403,
        "tutor_disabled",
    )
    problem(client.post(f"{BASE}/conversations/", {"course_id": page.pk}), 403, "tutor_disabled")
    learner.email_verified_at = None
    learner.save()
    problem(
        client.post(f"{BASE}/conversations/", {"course_id": page.pk}), 403, "email_not_verified"
    )
    assert openai_server.requests == []


@pytest.mark.parametrize(
    ("mode", "code"),
    [
        ("error", "provider_error"),
        ("rate_limit", "provider_rate_limited"),
        ("slow", "provider_timeout"),
        ("garbage", "provider_bad_response"),
    ],
)
def test_provider_failure_is_clear_keeps_message_and_is_free(
    learner, as_user, course, openai_server, mode, code
):
    import time

    page, _ = course
    client = as_user(learner)
    conversation = start(client, page)
    openai_server.mode = mode
    openai_server.delay = 15.0  # "slow": far beyond the 1 s timeout
    began = time.monotonic()
    response = client.post(
        f"{BASE}/conversations/{conversation['id']}/messages/", {"content": "loops?"}
    )
    # Within the 1 s timeout plus fast retries (generous for a loaded machine), never the
    # 15 s the slow provider would take.
    assert time.monotonic() - began < 7
    problem(response, 503, code)
    kept = Message.objects.get()
    assert kept.role == "user" and kept.content == "loops?" and kept.status == "failed"
    assert kept.error_code == code
    assert UsageCounter.objects.filter(used__gt=0).count() == 0  # not charged
    ledger = LedgerEntry.objects.get()
    assert not ledger.ok and ledger.cost == 0 and ledger.error_code == code
    # 429 and 5xx are retried with backoff; timeouts and garbage are not.
    assert len(openai_server.requests) == (3 if mode in ("error", "rate_limit") else 1)


def test_retry_recovers_and_circuit_breaker_opens(
    learner, as_user, course, openai_server, settings
):
    page, _ = course
    client = as_user(learner)
    settings.ASSISTANT_PLAN_LIMITS = {"free": {"day": 100, "month": 100}}
    conversation = start(client, page)
    url = f"{BASE}/conversations/{conversation['id']}/messages/"
    openai_server.mode, openai_server.fail_times = "flaky", 2
    assert client.post(url, {"content": "loops?"}).status_code == 201
    assert len(openai_server.requests) == 3
    settings.ASSISTANT_CIRCUIT_FAILURES = 2
    from learning.assistant.providers import reset_breakers

    reset_breakers()
    openai_server.mode = "error"
    problem(client.post(url, {"content": "a"}), 503, "provider_error")
    problem(client.post(url, {"content": "b"}), 503, "provider_error")
    calls = len(openai_server.requests)
    problem(client.post(url, {"content": "c"}), 503, "provider_circuit_open")
    assert len(openai_server.requests) == calls  # not called while open


def test_offline_tutor_answers_with_labelled_citations(learner, as_user, course, offline_tutor):
    page, lessons = course
    client = as_user(learner)
    conversation = start(client, page)
    response = client.post(
        f"{BASE}/conversations/{conversation['id']}/messages/",
        {"content": "How do I show text on the screen?"},
    )
    assert response.status_code == 201, response.content
    answer = response.json()
    assert "print function shows text" in answer["content"]
    assert "Offline tutor" in answer["content"] and answer["provider"] == "offline"
    assert answer["citations"][0]["lesson_id"] == lessons["printing"]
    off_topic = client.post(
        f"{BASE}/conversations/{conversation['id']}/messages/",
        {"content": "Who won the football world cup?"},
    ).json()
    assert "does not seem to cover" in off_topic["content"]


def test_reply_is_cut_to_the_length_budget(learner, as_user, course, openai_server, settings):
    page, _ = course
    settings.ASSISTANT_MAX_REPLY_CHARS = 40
    openai_server.reply = lambda body: "word " * 100
    client = as_user(learner)
    conversation = start(client, page)
    answer = client.post(
        f"{BASE}/conversations/{conversation['id']}/messages/", {"content": "loops?"}
    ).json()
    assert len(answer["content"]) <= 42 and answer["content"].endswith("…")


def test_list_query_budgets(
    learner, as_user, course, offline_tutor, django_assert_max_num_queries, settings
):
    page, _ = course
    settings.ASSISTANT_PLAN_LIMITS = {"free": {"day": 100, "month": 100}}
    client = as_user(learner)
    for _ in range(3):
        conversation = start(client, page)
        for n in range(2):
            client.post(
                f"{BASE}/conversations/{conversation['id']}/messages/", {"content": f"print {n}"}
            )
    with django_assert_max_num_queries(4):
        assert client.get(f"{BASE}/conversations/").json()["count"] == 3
    with django_assert_max_num_queries(5):
        assert (
            client.get(f"{BASE}/conversations/{conversation['id']}/messages/").json()["count"] == 4
        )
    with django_assert_max_num_queries(4):
        client.get(f"{BASE}/conversations/{conversation['id']}/")
    with django_assert_max_num_queries(4):
        client.get("/api/v2/me/assistant/usage/")
