"""A restarted PostgreSQL: the web process's connection pool recovers by itself, and
``/readyz`` names the database while it is down. A private cluster (tests/support/postgres.py)
is restarted, never the shared one. Found by ``bench/faults/run.py`` (scenario ``postgres``)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.support.postgres import private_postgres, server_binaries
from tests.support.processes import asgi_server, base_env

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def database_ok(url: str) -> bool:
    response = httpx.get(f"{url}/readyz", timeout=10)
    return response.json()["checks"]["database"]["ok"]


@pytest.mark.skipif(server_binaries() is None, reason="PostgreSQL server binaries not installed")
def test_pool_recovers_from_a_database_restart_without_a_process_restart(tmp_path):
    with private_postgres() as pg:
        env = base_env(
            DATABASE_URL=pg.url(),
            DATABASE_POOL_MAX_SIZE="6",
            REDIS_URL=None,
            CELERY_BROKER_URL=None,
            VAR_DIR=str(tmp_path / "var"),
        )
        with asgi_server(env) as url, ThreadPoolExecutor(6) as threads:

            def burst() -> list[bool]:
                return list(threads.map(lambda _: database_ok(url), range(12)))

            assert all(burst())  # the pool holds several open connections now
            pg.stop("fast")
            assert not database_ok(url)  # readiness names the database while it is down
            body = httpx.get(f"{url}/readyz", timeout=10).json()
            assert "database" in body["failing"]
            pg.start()
            # Every connection the pool held died with the server; none may reach a request.
            assert all(burst() + burst())


@pytest.mark.skipif(server_binaries() is None, reason="PostgreSQL server binaries not installed")
def test_probes_answer_while_every_request_thread_waits_for_the_database(tmp_path):
    """With the database down, requests wait up to DATABASE_POOL_TIMEOUT for a connection and
    fill the request threads; /healthz and /readyz must still answer at once (a hung liveness
    probe gets a healthy process restarted)."""
    with private_postgres() as pg:
        env = base_env(
            DATABASE_URL=pg.url(),
            DATABASE_POOL_TIMEOUT="6",
            REDIS_URL=None,
            CELERY_BROKER_URL=None,
            VAR_DIR=str(tmp_path / "var"),
            READINESS_TIMEOUT_SECONDS="1",
        )
        with asgi_server(env) as url, ThreadPoolExecutor(16) as threads:
            assert database_ok(url)
            pg.stop("fast")
            waiting = [
                threads.submit(
                    httpx.post,
                    f"{url}/api/v2/auth/token/",
                    json={"email": f"learner{n}@example.com", "password": "not-the-password"},
                    timeout=30,
                )
                for n in range(12)  # more than the server's request threads (cores + 4)
            ]
            time.sleep(1)
            started = time.perf_counter()
            alive = httpx.get(f"{url}/healthz", timeout=5)
            ready = httpx.get(f"{url}/readyz", timeout=5)
            elapsed = time.perf_counter() - started
            assert alive.status_code == 200
            assert ready.status_code == 503 and "database" in ready.json()["failing"]
            assert elapsed < 3, f"the probes took {elapsed:.1f} s"
            # The waiting requests are told the service is busy, not left hanging.
            assert {f.result().status_code for f in waiting} == {503}
