"""A restarted PostgreSQL: the web process's connection pool recovers by itself, and
``/readyz`` names the database while it is down. A private cluster (tests/support/postgres.py)
is restarted, never the shared one. Found by ``bench/faults/run.py`` (scenario ``postgres``)."""

from __future__ import annotations

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
