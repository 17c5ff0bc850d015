"""The Redis cache under the real ASGI server: one connection pool per process (not a
connection per request), and reads that keep answering from the database when Redis is down."""

import contextlib
import shutil
import subprocess
import time

import httpx
import pytest
import redis

from tests.factories import courses as cf
from tests.support import processes
from tests.support.processes import asgi_server, free_port

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def redis_server():
    """A Redis of our own on a free port (so its counters are ours and we may stop it)."""
    binary = shutil.which("redis-server")
    assert binary, "redis-server is needed (Debian package redis-server)"
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    try:
        yield port, client, proc
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)


def connections_received(client) -> int:
    return client.info("stats")["total_connections_received"]


@pytest.fixture
def course():
    page, _section = cf.published_course_with_lessons(title="Cached")
    return page


def cached_read_paths(http, course) -> list[str]:
    """The catalog, the course and its first lesson: the cached anonymous reads."""
    lesson = http.get(f"/api/v2/courses/{course.pk}/").json()["sections"][0]["lessons"][0]
    return [
        "/api/v2/courses/",
        f"/api/v2/courses/{course.pk}/",
        f"/api/v2/courses/{course.pk}/lessons/{lesson['id']}/",
    ]


def test_a_hundred_requests_share_the_process_connection_pool(course):
    with redis_server() as (port, client, _proc):
        env = processes.test_database_env(REDIS_URL=f"redis://127.0.0.1:{port}/0")
        with asgi_server(env) as url, httpx.Client(base_url=url, timeout=10) as http:
            paths = ["/api/v2/courses/", f"/api/v2/courses/{course.pk}/"]
            for path in paths:  # warm up: caches built, pool opened
                assert http.get(path).status_code == 200
            before = connections_received(client)
            for n in range(100):
                assert http.get(paths[n % 2]).status_code == 200
            opened = connections_received(client) - before
            # One pool: connections are reused (a few more only if requests overlap).
            assert opened <= 2, f"{opened} new Redis connections for 100 requests"
            assert client.info("clients")["connected_clients"] <= 4  # ours + the server's


def test_reads_answer_from_the_database_when_redis_stops_mid_run(course):
    with redis_server() as (port, _client, proc):
        env = processes.test_database_env(REDIS_URL=f"redis://127.0.0.1:{port}/0")
        with asgi_server(env) as url, httpx.Client(base_url=url, timeout=10) as http:
            paths = cached_read_paths(http, course)
            statuses = []
            for n in range(60):
                if n == 20:
                    proc.terminate()  # Redis goes away between two requests
                    proc.wait(timeout=10)
                response = http.get(paths[n % 3])
                statuses.append(response.status_code)
                assert response.json()["id" if n % 3 else "count"]
            assert statuses == [200] * 60
            assert http.get("/readyz").status_code == 503  # and readiness says so


def commands(client) -> dict[str, int]:
    return {
        name.removeprefix("cmdstat_"): stats["calls"]
        for name, stats in client.info("commandstats").items()
    }


def test_a_cached_read_is_one_cache_round_trip(course):
    """The generations a response depends on and its cached entry come in one MGET; nothing
    else of an anonymous cached read asks Redis (it is answered before DRF's dispatch, so no
    throttle history either)."""
    with redis_server() as (port, client, _proc):
        env = processes.test_database_env(REDIS_URL=f"redis://127.0.0.1:{port}/0")
        with asgi_server(env) as url, httpx.Client(base_url=url, timeout=10) as http:
            paths = cached_read_paths(http, course)
            for path in paths:  # warm up: entries built
                assert http.get(path).status_code == 200
            before = commands(client)
            for n in range(30):
                assert http.get(paths[n % 3]).status_code == 200
            used = {k: v - before.get(k, 0) for k, v in commands(client).items()}
            used = {k: v for k, v in used.items() if v and k != "info"}
            assert used == {"mget": 30}, used


def test_cache_calls_share_one_redis_client_per_pool():
    """Django builds a ``redis.Redis`` per cache call; building one cost more CPU than the
    cached read it served. One per pool, shared by threads (each command takes a pooled
    connection)."""
    from concurrent.futures import ThreadPoolExecutor

    from config.cache import CountingRedisCache

    with redis_server() as (port, _client, _proc):
        cache = CountingRedisCache(f"redis://127.0.0.1:{port}/0", {})
        cache.set("k", "v")
        with ThreadPoolExecutor(max_workers=4) as pool:
            clients = set(pool.map(lambda _: id(cache._cache.get_client("k")), range(40)))
        assert len(clients) == 1
        assert cache.get("k") == "v"
        assert cache._cache.get_client("k", write=True) is cache._cache.get_client("k")
