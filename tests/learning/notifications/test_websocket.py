"""``/ws/notifications/`` end to end: a real uvicorn process, a real ``websockets`` client and
the configured channel layer (Redis on the PostgreSQL + Redis run; the in-memory layer of the
one server process on the embedded default, which carries every push made by a request to
that server). Pushes made by a Celery worker reach sockets only through Redis."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta

import httpx
import pytest
import websockets
from django.conf import settings
from rest_framework_simplejwt.tokens import AccessToken

from learning.notifications import kinds, services
from tests.factories import UserFactory
from tests.factories import learning as lf
from tests.support.auth import jwt_client

pytestmark = pytest.mark.django_db(transaction=True)
needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="worker pushes cross processes only through Redis"
)


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


def signed_in(user):
    client = jwt_client(user)
    token = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    return client, token


def ws_url(base: str, token: str | None = None, **params) -> str:
    url = base.replace("http://", "ws://") + "/ws/notifications/"
    query = {**({"access_token": token} if token else {}), **params}
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


async def next_of(ws, kind: str, timeout: float = 15) -> dict:
    """The next message of type ``kind`` (others are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await ws.recv())
            if message["type"] == kind:
                return message


async def close_code(ws, timeout: float = 15) -> int:
    async with asyncio.timeout(timeout):
        try:
            while True:
                await ws.recv()
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None


def api(base: str, token: str) -> httpx.Client:
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_live_notification_from_another_request_then_catch_up_after_a_disconnect(
    live_asgi_url,
):
    student = UserFactory()
    course, (_video, reading) = lf.video_course(title="Live course")
    _, token = signed_in(student)
    earlier = services.notify(
        recipients=[student], kind=kinds.SYSTEM_ALERT, context={"title": "Before"}
    )[0]

    async def live():
        async with websockets.connect(ws_url(live_asgi_url, token), open_timeout=15) as ws:
            hello = await next_of(ws, "hello")
            assert hello["user_id"] == student.pk and hello["course_ids"] == []
            assert (await next_of(ws, "unread_count"))["unread_count"] == 1
            # Another request (enrolling over HTTP) creates a notification: it arrives live,
            # and the socket joins the course's group.
            response = await asyncio.to_thread(
                api(live_asgi_url, token).post, f"/api/v2/courses/{course.pk}/enrollment/"
            )
            assert response.status_code == 201, response.text
            pushed = await next_of(ws, "notification")
            membership = await next_of(ws, "course_membership")
            # Progress made in another tab shows up live too.
            response = await asyncio.to_thread(
                api(live_asgi_url, token).post,
                f"/api/v2/courses/{course.pk}/lessons/{reading}/complete/",
            )
            assert response.status_code == 200, response.text
            progress = await next_of(ws, "progress")
            await ws.send(json.dumps({"type": "ping"}))
            pong = await next_of(ws, "pong")
            return pushed, membership, progress, pong

    pushed, membership, progress, pong = run(live())
    (lesson,) = progress["progress"]["lessons"]
    assert (lesson["lesson_id"], lesson["status"]) == (str(reading), "completed")
    assert pushed["notification"]["kind"] == kinds.ENROLLMENT_CONFIRMED
    assert pushed["notification"]["title"] == "You are enrolled in Live course"
    assert pushed["unread_count"] == 2
    assert membership == {"type": "course_membership", "course_id": course.pk, "joined": True}
    assert pong == {"type": "pong"}
    last_seen = pushed["notification"]["id"]

    # While disconnected, more arrive; reconnecting with `since` returns exactly those.
    missed = services.notify(
        recipients=[student], kind=kinds.SYSTEM_ALERT, context={"title": "While away"}
    )
    services.notify(recipients=[UserFactory()], kind=kinds.SYSTEM_ALERT, context={"title": "x"})

    async def reconnect():
        url = ws_url(live_asgi_url, token, since=last_seen)
        async with websockets.connect(url, open_timeout=15) as ws:
            caught = await next_of(ws, "catch_up")
            await ws.send(json.dumps({"type": "catch_up", "since": earlier.pk}))
            again = await next_of(ws, "catch_up")
            return caught, again

    caught, again = run(reconnect())
    assert [n["id"] for n in caught["notifications"]] == [missed[0].pk]
    assert caught["unread_count"] == 3 and caught["more"] is False
    assert [n["id"] for n in again["notifications"]] == [last_seen, missed[0].pk]


def test_closed_with_a_documented_code_when_the_session_is_revoked(live_asgi_url):
    student = UserFactory()
    client, token = signed_in(student)

    async def scenario():
        async with websockets.connect(
            ws_url(live_asgi_url), subprotocols=["bearer", token], open_timeout=15
        ) as ws:
            assert ws.subprotocol == "bearer"
            await next_of(ws, "hello")
            response = await asyncio.to_thread(
                api(live_asgi_url, token).delete, f"/api/v2/me/sessions/{client.session_id}/"
            )
            assert response.status_code == 204
            error = await next_of(ws, "error")
            return error, await close_code(ws)

    error, code = run(scenario())
    assert error["code"] == "session_revoked"
    assert code == 4002


def test_closed_when_the_access_token_expires(live_asgi_url):
    student = UserFactory()
    _, token = signed_in(student)
    short = AccessToken(token)
    short.set_exp(lifetime=timedelta(seconds=2))

    async def scenario():
        async with websockets.connect(ws_url(live_asgi_url, str(short)), open_timeout=15) as ws:
            await next_of(ws, "hello")
            error = await next_of(ws, "error")
            return error, await close_code(ws)

    error, code = run(scenario())
    assert error["code"] == "token_expired"
    assert code == 4001


def test_bad_tokens_bad_messages_and_oversized_messages(live_asgi_url):
    student = UserFactory()
    _, token = signed_in(student)

    async def scenario():
        async with websockets.connect(
            ws_url(live_asgi_url, "not-a-token"), origin="http://127.0.0.1", open_timeout=15
        ) as ws:
            unauthenticated = await close_code(ws)
        async with websockets.connect(ws_url(live_asgi_url, token), open_timeout=15) as ws:
            await next_of(ws, "hello")
            await ws.send("not json")
            garbage = await next_of(ws, "error")
            # There is no way to name a group: asking to join another user's is refused.
            await ws.send(json.dumps({"type": "subscribe", "group": "user.1"}))
            wrong_shape = await next_of(ws, "error")
            await ws.send(json.dumps({"type": "catch_up", "since": "yesterday"}))
            bad_since = await next_of(ws, "error")
            await ws.send(json.dumps({"type": "ping", "pad": "x" * 10_000}))
            too_large = await next_of(ws, "error")
            return unauthenticated, garbage, wrong_shape, bad_since, too_large, await close_code(ws)

    unauthenticated, garbage, wrong_shape, bad_since, too_large, code = run(scenario())
    assert unauthenticated == 4401
    assert garbage["code"] == wrong_shape["code"] == "invalid_message"
    assert bad_since["code"] == "invalid_since"
    assert too_large["code"] == "message_too_large" and code == 4009


@pytest.mark.parametrize(
    ("origin", "with_token", "accepted"),
    [
        ("same", True, True),  # a browser of this site
        ("same", False, True),  # ... signed in by its session cookie (here: anonymous ping)
        ("https://evil.example", True, False),  # cross-site WebSocket hijacking
        ("https://evil.example", False, False),
        (None, True, True),  # a native app or server with a bearer token
        (None, False, False),  # no Origin and no token
    ],
)
def test_origin_policy(live_asgi_url, origin, with_token, accepted):
    student = UserFactory()
    _, token = signed_in(student)
    origin = live_asgi_url if origin == "same" else origin
    path = "/ws/ping/" if not with_token else "/ws/notifications/"
    url = live_asgi_url.replace("http://", "ws://") + path
    if with_token:
        url += f"?access_token={token}"

    async def scenario():
        try:
            async with websockets.connect(url, origin=origin, open_timeout=15) as ws:
                await ws.send(json.dumps({"type": "ping"}))
                return (await next_of(ws, "pong"))["type"] == "pong"
        except websockets.InvalidStatus as refused:
            assert refused.response.status_code == 403
            return False

    assert run(scenario()) is accepted


def test_no_origin_with_an_invalid_token_is_refused(live_asgi_url):
    url = live_asgi_url.replace("http://", "ws://") + "/ws/ping/?access_token=forged"

    async def scenario():
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(url, open_timeout=15):
                pass
        return refused.value.response.status_code

    assert run(scenario()) == 403


@needs_redis
def test_announcement_reaches_connected_learners_through_the_worker(live_asgi_url, worker):
    instructor = UserFactory(roles=["instructor"])
    learner = UserFactory()
    course, _ = lf.video_course(instructors=[instructor], title="Redis course")
    lf.enroll(learner, course)
    _, learner_token = signed_in(learner)
    _, instructor_token = signed_in(instructor)

    async def scenario():
        async with websockets.connect(ws_url(live_asgi_url, learner_token), open_timeout=15) as ws:
            hello = await next_of(ws, "hello")
            assert hello["course_ids"] == [course.pk]
            response = await asyncio.to_thread(
                api(live_asgi_url, instructor_token).post,
                f"/api/v2/courses/{course.pk}/announcements/",
                json={"title": "Exam moved", "body": "To Friday."},
            )
            assert response.status_code == 201, response.text
            return await next_of(ws, "announcement", timeout=60)

    message = run(scenario())
    assert message["announcement"]["title"] == "Exam moved"
    assert message["announcement"]["course_id"] == course.pk
    # The worker goes on writing the course's notification rows after the push: wait for them,
    # so the test's database flush never races the worker's transaction.
    from learning.notifications.models import Notification

    deadline = time.monotonic() + 60
    while not Notification.objects.filter(recipient=learner, kind=kinds.ANNOUNCEMENT).exists():
        assert time.monotonic() < deadline, "the fan-out never wrote the learner's row"
        time.sleep(0.2)
