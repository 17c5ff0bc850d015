import time

import httpx
import pytest
from django.test import override_settings

from ops import readiness
from tests.support.processes import asgi_server, base_env, free_port

DEAD_REDIS_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def test_healthz_answers_without_any_io(client):
    # No django_db mark: pytest-django makes any database access in this test an error.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_reports_every_dependency(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert body["failing"] == []
    assert set(body["checks"]) == {"database", "cache", "broker", "storage", "ffmpeg"}
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
@override_settings(CACHES=DEAD_REDIS_CACHE)
def test_readyz_names_a_cache_that_is_down(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["cache"]
    assert body["checks"]["cache"]["ok"] is False
    assert "ConnectionError" in body["checks"]["cache"]["error"]
    assert client.get("/healthz").status_code == 200


@override_settings(READINESS_TIMEOUT_SECONDS=0.3)
def test_a_hanging_check_is_reported_within_the_timeout():
    def hangs():
        time.sleep(5)
        return {}

    start = time.perf_counter()
    results = readiness.run_checks({"slow": hangs, "fast": lambda: {"x": 1}})
    elapsed = time.perf_counter() - start
    assert elapsed < 1
    by_name = {r.name: r for r in results}
    assert by_name["fast"].ok is True
    assert by_name["slow"].ok is False
    assert "no answer within 0.3 s" in by_name["slow"].error


@pytest.mark.slow
def test_readyz_with_database_and_redis_down_answers_503_quickly(tmp_path):
    """A real server whose PostgreSQL and Redis are unreachable still answers /healthz and
    reports the failing dependencies by name from /readyz in under two seconds."""
    env = base_env(
        DATABASE_URL=f"postgres://lms@127.0.0.1:{free_port()}/lms",
        REDIS_URL=f"redis://127.0.0.1:{free_port()}/0",
        CELERY_BROKER_URL=None,
        VAR_DIR=str(tmp_path),
    )
    with asgi_server(env) as url:
        assert httpx.get(f"{url}/healthz", timeout=5).status_code == 200
        start = time.perf_counter()
        response = httpx.get(f"{url}/readyz", timeout=10)
        elapsed = time.perf_counter() - start
    assert response.status_code == 503
    body = response.json()
    assert elapsed < 2, f"/readyz took {elapsed:.2f}s"
    assert set(body["failing"]) == {"database", "cache", "broker"}
    assert body["checks"]["storage"]["ok"] is True
