"""HTTP through the project's ASGI application: one worker-thread hop per request, the full
middleware chain, database access from the worker threads, streaming paths on Django's own
async handler."""

import asyncio

import asgiref.sync
import httpx
import pytest

from config import asgi
from config.asgi_http import ASYNC_PATHS, PathRouter, ThreadedASGIHandler
from tests.factories import courses as cf

pytestmark = pytest.mark.django_db(transaction=True)


def call(path: str, **headers) -> httpx.Response:
    async def go():
        transport = httpx.ASGITransport(app=asgi.application)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver:8000") as c:
            return await c.get(path, headers=headers)

    return asyncio.run(go())


@pytest.fixture
def hops(monkeypatch):
    """How many times sync code is handed to a thread (``sync_to_async`` calls)."""
    count = {"n": 0}
    original = asgiref.sync.SyncToAsync.__call__

    async def counting(self, *args, **kwargs):
        count["n"] += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(asgiref.sync.SyncToAsync, "__call__", counting)
    return count


def test_http_is_served_by_the_threaded_handler_by_default():
    assert isinstance(asgi.http_app, PathRouter)
    assert isinstance(asgi.http_app.threaded, ThreadedASGIHandler)
    assert not asyncio.iscoroutinefunction(asgi.http_app.threaded._middleware_chain)


def test_a_request_costs_one_thread_hop_and_runs_every_middleware(hops):
    response = call("/healthz")
    assert response.status_code == 200
    assert hops["n"] == 1
    assert response.headers["X-Request-ID"]  # django-guid ran
    assert response.headers["X-Frame-Options"] == "DENY"  # and the last middlewares too
    assert response.headers["Cache-Control"].startswith("max-age=0")  # never_cache


def test_database_backed_reads_run_on_the_worker_threads(hops):
    page, _section = cf.published_course_with_lessons(title="Threaded")
    for _ in range(3):  # the executor's threads open their own connections
        response = call(f"/api/v2/courses/{page.pk}/")
        assert response.status_code == 200 and response.json()["title"] == "Threaded"
    assert call("/api/v2/courses/999999/").json()["code"] == "not_found"
    assert call("/api/v2/courses/", HTTP_ACCEPT="application/json").status_code == 200
    assert hops["n"] == 5


def test_streaming_paths_keep_djangos_async_handler():
    seen = []

    def app(name):
        async def handler(scope, receive, send):
            seen.append(name)

        return handler

    router = PathRouter(app("threaded"), app("native"))
    for path in ["/api/v2/assistant/conversations/3/messages/stream/", "/api/v2/courses/"]:
        asyncio.run(router({"type": "http", "path": path}, None, None))
    assert seen == ["native", "threaded"]
    assert any(p.search("/api/v2/assistant/conversations/3/messages/stream/") for p in ASYNC_PATHS)
