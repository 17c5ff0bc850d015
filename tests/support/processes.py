"""Start real servers (ASGI, Celery worker) as subprocesses for end-to-end tests."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
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


def _spawn(command: list[str], env: dict[str, str] | None) -> subprocess.Popen:
    """Start ``command`` with its output in a temporary file.

    Never a pipe that nobody reads while the process runs: a server that logs a warning per
    4xx response fills a pipe's 64 KiB within a few hundred requests and then blocks for good.
    """
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")  # noqa: SIM115  (closed by _stop)
    proc = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env or base_env(), stdout=log, stderr=subprocess.STDOUT
    )
    proc.log_file = log
    return proc


# Servers started by asgi_server, by base URL, so a failing test can show what they logged.
SERVERS: dict[str, subprocess.Popen] = {}


def output_tail(proc: subprocess.Popen, limit: int = 6000) -> str:
    """The end of what a running process printed so far (for failure messages)."""
    log = proc.log_file
    if log.closed:
        return ""
    log.flush()
    with open(log.fileno(), encoding="utf-8", errors="replace", closefd=False) as again:
        again.seek(0)
        return again.read()[-limit:]


def _stop(proc: subprocess.Popen) -> str:
    """Stop ``proc``; returns the end of what it printed (for failure messages)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    log = proc.log_file
    if log.closed:
        return ""
    log.seek(0)
    output = log.read()[-20000:]
    log.close()
    return output


@contextlib.contextmanager
def asgi_server(env: dict[str, str] | None = None, timeout: float = 30) -> Iterator[str]:
    """Run the project's ASGI app under uvicorn; yields its base URL."""
    port = free_port()
    proc = _spawn(
        [
            str(BIN / "uvicorn"),
            "tests.support.asgi_app:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        env,
    )
    url = f"http://127.0.0.1:{port}"
    SERVERS[url] = proc
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
        SERVERS.pop(url, None)
        _stop(proc)


def server_output(url: str, limit: int = 12000) -> str:
    """What the server started by :func:`asgi_server` at ``url`` printed so far: its first
    tracebacks (a long run's failure is often far from the end of the log), then the end."""
    proc = SERVERS.get(url)
    if proc is None:
        return ""
    everything = output_tail(proc, limit=10**9)
    tracebacks = []
    start = everything.find("Traceback (most recent call last)")
    while start >= 0 and len(tracebacks) < 3:
        # A traceback ends where the next log record starts (a line with a timestamp).
        end = everything.find("\n20", start)
        tracebacks.append(everything[start : end if end > 0 else None][:6000])
        start = everything.find("Traceback (most recent call last)", max(start + 1, end))
    head = "\n--- first tracebacks ---\n" + "\n...\n".join(tracebacks) if tracebacks else ""
    return f"{head}\n--- end of the log ---\n{everything[-limit:]}"


@contextlib.contextmanager
def celery_worker(
    env: dict[str, str] | None = None,
    queues: str = "default,media,email,analytics",
    pool: str = "solo",
    name: str = "test",
):
    """Run a real Celery worker process on the configured broker.

    ``pool="prefork"`` runs tasks in a child process (needed to test losing that child)."""
    proc = _spawn(
        [
            str(BIN / "celery"),
            "-A",
            "tests.support.celery_app",
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
        env,
    )
    try:
        time.sleep(0.5)
        if proc.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{_stop(proc)}")
        yield proc
    finally:
        _stop(proc)
