"""Start real servers (ASGI, Celery worker) as subprocesses for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

PROJECT_ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the database described by a Django connection's settings."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(settings_dict['NAME']).resolve()}"
    user = settings_dict.get("USER") or ""
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"


def test_database_env(**overrides: str | None) -> dict[str, str]:
    """Environment for a subprocess that must use the test process's (test) database."""
    from django.db import connections

    return base_env(DATABASE_URL=database_url(connections["default"].settings_dict), **overrides)


def base_env(**overrides: str | None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


def _stop(proc: subprocess.Popen) -> str:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    output = proc.stdout.read() if proc.stdout else ""
    return output or ""


@contextlib.contextmanager
def asgi_server(env: dict[str, str] | None = None, timeout: float = 30) -> Iterator[str]:
    """Run the project's ASGI app under uvicorn; yields its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            str(BIN / "uvicorn"),
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=PROJECT_ROOT,
        env=env or base_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"ASGI server exited early:\n{_stop(proc)}")
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"ASGI server did not start:\n{_stop(proc)}")
            time.sleep(0.2)
        yield url
    finally:
        _stop(proc)


@contextlib.contextmanager
def celery_worker(
    env: dict[str, str] | None = None,
    queues: str = "default,media,email,analytics",
    pool: str = "solo",
    name: str = "test",
):
    """Run a real Celery worker process on the configured broker.

    ``pool="prefork"`` runs tasks in a child process (needed to test losing that child)."""
    proc = subprocess.Popen(
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            f"--pool={pool}",
            "--concurrency=1",
            "-Q",
            queues,
            "-n",
            f"{name}-{os.getpid()}@%h",
            "--loglevel=INFO",
            "--without-mingle",
            "--without-gossip",
            "--without-heartbeat",
        ],
        cwd=PROJECT_ROOT,
        env=env or base_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        time.sleep(0.5)
        if proc.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{_stop(proc)}")
        yield proc
    finally:
        _stop(proc)
