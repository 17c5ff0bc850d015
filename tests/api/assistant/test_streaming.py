"""Server-Sent Events from the async view: through Django's handler, and under a real ASGI
server (uvicorn) against the local OpenAI-compatible server."""

import json
import time

import httpx
import pytest

from learning.assistant.models import LedgerEntry, Message, UsageCounter
from tests.factories import assistant as af
from tests.factories import learning as lf
from tests.support import processes
from tests.support.auth import jwt_client
from tests.support.openai_server import fake_openai_server

BASE = "/api/v2/assistant"


def events(raw: bytes) -> list[tuple[str, dict]]:
    out = []
    for block in raw.decode().split("\n\n"):
        if not block.strip():
            continue
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        out.append((lines["event"], json.loads(lines["data"])))
    return out


def _streamed(client, conversation_id, body) -> tuple[int, list]:
    response = client.post(
        f"{BASE}/conversations/{conversation_id}/messages/stream/", body, format="json"
    )
    if response.status_code != 200:
        return response.status_code, response.json()
    assert response["Content-Type"] == "text/event-stream"
    return 200, events(b"".join(response))


@pytest.fixture
def setup(student, instructor, as_user):
    course, lessons = af.tutor_course(instructors=[instructor])
    lf.enroll(student, course)
    client = as_user(student)
    conversation = client.post(f"{BASE}/conversations/", {"course_id": course.pk}).json()
    return client, conversation, lessons


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
def test_stream_deltas_then_done(setup, openai_server):
    client, conversation, lessons = setup
    status, stream = _streamed(
        client,
        conversation["id"],
        {"content": "What does break do?", "lesson_id": lessons["loops"], "video_time_seconds": 50},
    )
    assert status == 200, stream
    kinds = [kind for kind, _ in stream]
    assert kinds[0] == "start" and kinds[-1] == "done" and kinds.count("delta") >= 3
    assert stream[0][1]["sources"][0]["kind"] == "transcript"
    text = "".join(data["text"] for kind, data in stream if kind == "delta")
    done = stream[-1][1]
    assert done["content"] == text.strip() and done["tokens_in"] == 101
    assert done["citations"][0]["start_seconds"] == 10.0  # [20, 80] holds 10-20 s
    assert openai_server.requests[-1]["stream"] is True
    assert LedgerEntry.objects.get().ok


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
def test_partial_stream_ends_with_an_error_event_and_is_free(setup, openai_server):
    client, conversation, _ = setup
    openai_server.mode = "partial"
    status, stream = _streamed(client, conversation["id"], {"content": "loops?"})
    assert status == 200
    kinds = [kind for kind, _ in stream]
    assert kinds[0] == "start" and "delta" in kinds and kinds[-1] == "error"
    assert stream[-1][1]["code"] == "provider_error" and stream[-1][1]["status"] == 503
    assert Message.objects.get().status == "failed"  # the learner's message is kept
    assert not UsageCounter.objects.filter(used__gt=0).exists()
    assert len(openai_server.requests) == 1  # never retried after the first token


@pytest.mark.django_db
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
def test_stream_refusals_are_problems(setup, openai_server, api_client, other_student, as_user):
    client, conversation, _ = setup
    status, body = _streamed(client, conversation["id"], {"content": ""})
    assert status == 400 and body["code"] == "message_empty"
    status, body = _streamed(api_client, conversation["id"], {"content": "hi"})
    assert status == 401
    status, body = _streamed(as_user(other_student), conversation["id"], {"content": "hi"})
    assert status == 404 and body["code"] == "conversation_not_found"
    openai_server.mode = "error"
    status, stream = _streamed(client, conversation["id"], {"content": "hi"})
    assert stream[-1][0] == "error" and stream[-1][1]["code"] == "provider_error"
    assert not Message.objects.filter(role="assistant").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.slow
def test_sse_under_a_real_asgi_server(student, instructor):
    course, _lessons = af.tutor_course(instructors=[instructor])
    lf.enroll(student, course)
    authorization = jwt_client(student)._credentials["HTTP_AUTHORIZATION"]
    with fake_openai_server() as server:
        server.token_delay = 0.05
        env = processes.test_database_env(
            ASSISTANT_PROVIDER="openai",
            OPENAI_API_KEY="test-key",
            OPENAI_BASE_URL=server.url,
            ASSISTANT_PROVIDER_TIMEOUT_SECONDS="5",
        )
        with processes.asgi_server(env, timeout=180) as url:
            headers = {"Authorization": authorization}
            conversation = httpx.post(
                f"{url}{BASE}/conversations/",
                json={"course_id": course.pk},
                headers=headers,
                timeout=10,
            ).json()
            arrivals = []
            began = time.monotonic()
            with httpx.stream(
                "POST",
                f"{url}{BASE}/conversations/{conversation['id']}/messages/stream/",
                json={"content": "What does break do?"},
                headers=headers,
                timeout=10,
            ) as response:
                assert response.status_code == 200
                assert response.headers["content-type"].startswith("text/event-stream")
                raw = b""
                for chunk in response.iter_raw():
                    arrivals.append(time.monotonic() - began)
                    raw += chunk
            stream = events(raw)
    assert stream[0][0] == "start" and stream[-1][0] == "done"
    # Deltas arrive as the provider produces them (0.05 s apart), not all at the end.
    assert len(arrivals) >= 3 and arrivals[-1] - arrivals[1] > 0.1
