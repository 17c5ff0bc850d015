"""HTTP through the project's ASGI application: one worker-thread hop per request, the full
middleware chain, database access from the worker threads, streaming paths on Django's own
async handler."""

import asyncio

import asgiref.sync
import httpx
import pytest

from config import asgi
from config.asgi_http import ASYNC_PATHS, PathRouter, ThreadedASGIHandler
from tests.factories import UserFactory
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


def test_streamed_exports_give_their_database_connections_back(instructor):
    """A CSV export streams from a sync iterator; each one used to keep a pooled connection
    on a thread nobody closed, and after ``DATABASE_POOL_MAX_SIZE`` exports every request
    waited for the pool and failed (503 ``service_busy``)."""
    from django.db import connections

    from tests.factories import learning as lf
    from tests.support.auth import jwt_client

    course, _lessons = lf.video_course(instructors=[instructor])
    lf.enroll(UserFactory(), course)
    auth = jwt_client(instructor)._credentials["HTTP_AUTHORIZATION"]
    pool = getattr(connections["default"], "pool", None)
    before = pool.get_stats() if pool else None
    for _ in range(12):
        for path in ("roster/export/", "gradebook/export/"):
            response = call(f"/api/v2/courses/{course.pk}/{path}", Authorization=auth)
            assert response.status_code == 200, response.text
            assert response.headers["Content-Type"].startswith("text/csv")
            assert response.text.count("\n") >= 2  # the header and the enrolled learner
    if pool:  # PostgreSQL: every connection the exports took is back in the pool
        after = pool.get_stats()
        in_use = after["pool_size"] - after["pool_available"]
        assert in_use <= before["pool_size"] - before["pool_available"] + 1
