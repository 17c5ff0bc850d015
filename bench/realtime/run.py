"""Benchmark ``/ws/notifications/``: many authenticated WebSocket connections to one ASGI
process, and an announcement fanned out to a large course.

    .venv/bin/python bench/realtime/run.py connections --clients 10000 --loaders 4
    .venv/bin/python bench/realtime/run.py fanout --learners 10000 --connected 2000

Defaults: database ``postgres://postgres@127.0.0.1:5432/unpuzzle_bench_realtime`` (created and
migrated when missing; ``DATABASE_URL``), Redis ``redis://127.0.0.1:6379/14`` (``REDIS_URL``;
the channel layer, cache and Celery broker). Loopback only.

``connections``: seeds ``--clients`` accounts, each with a sign-in session and a JWT access
token (rows written in bulk, tokens minted the way the API mints them), starts one
``uvicorn config.asgi:application`` process (file-descriptor limit raised to the hard limit),
then ``--loaders`` client processes open the sockets (``websockets``, no Origin, token in the
query string, at most ``--concurrency`` handshakes in flight per loader) and hold them. It
reports the connect rate, handshake latency, the server's resident memory before and with all
sockets open, memory per connection, and then sends one system alert to the ``broadcast``
group and measures how long until every socket has it.

``fanout``: seeds a course with ``--learners`` enrolled learners, starts the server and a
Celery worker, connects ``--connected`` of them, posts an announcement through the API as the
course's instructor and measures the time until the last connected client has it, the time
until every notification row exists, and (in this process, with the same service) the SQL
statements the fan-out runs.

Everything stops after ``--timeout`` seconds at the latest.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/unpuzzle_bench_realtime"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
EMAIL = "bench-rt-{:05}@example.com"


def configure_environment() -> dict[str, str]:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench-realtime"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # Access tokens must outlive the run.
    os.environ["JWT_ACCESS_MINUTES"] = "120"
    (Path(os.environ["VAR_DIR"]) / "static").mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(ROOT))
    return dict(os.environ)


def create_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def setup_django() -> None:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed_accounts(count: int) -> list[int]:
    """``count`` active accounts (unverified addresses: nobody is emailed), in bulk."""
    from django.contrib.auth.hashers import make_password

    from learning.accounts.models import User

    existing = dict(User.objects.filter(email__startswith="bench-rt-").values_list("email", "pk"))
    password = make_password(None)
    missing = [
        User(email=EMAIL.format(n), password=password)
        for n in range(count)
        if EMAIL.format(n) not in existing
    ]
    User.objects.bulk_create(missing, batch_size=2000)
    rows = dict(User.objects.filter(email__startswith="bench-rt-").values_list("email", "pk"))
    return [rows[EMAIL.format(n)] for n in range(count)]


def mint_tokens(user_ids: list[int]) -> list[str]:
    """One sign-in session per account and an access token bound to it (as session_start
    does, without hashing a password 10,000 times)."""
    from django.utils import timezone
    from rest_framework_simplejwt.tokens import AccessToken

    from learning.accounts.models import AuthSession

    sessions, tokens = [], []
    expires = timezone.now() + timedelta(days=1)
    for pk in user_ids:
        sid = uuid.uuid4()
        sessions.append(
            AuthSession(
                id=sid,
                user_id=pk,
                refresh_jti=uuid.uuid4().hex,
                expires_at=expires,
                user_agent="bench/realtime",
            )
        )
        token = AccessToken()
        token["user_id"] = str(pk)
        token["sid"] = str(sid)
        tokens.append(str(token))
    AuthSession.objects.bulk_create(sessions, batch_size=2000)
    return tokens


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def raise_fd_limit() -> None:
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start_server(env: dict, port: int) -> subprocess.Popen:
    import httpx

    proc = subprocess.Popen(  # noqa: S603 (fixed arguments)
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
            "--lifespan",
            "off",
            # A loaded 2-core machine can stall a client loop; give pongs time to arrive.
            "--ws-ping-timeout",
            "60",
            "--backlog",
            "4096",
        ],
        cwd=ROOT,
        env=env,
        preexec_fn=raise_fd_limit,
        stdout=open(Path(env["VAR_DIR"]) / "server.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300  # a loaded machine imports Django and Wagtail slowly
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start")


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(BIN / "celery"),
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            "default,email",
            "-n",
            f"bench-rt-{os.getpid()}@%h",
            "--loglevel=WARNING",
            "--without-mingle",
            "--without-gossip",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(Path(env["VAR_DIR"]) / "worker.log", "w"),
        stderr=subprocess.STDOUT,
    )


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


# --- Load generator (one process per loader) --------------------------------------------------


def loader(
    url: str,
    tokens: list[str],
    concurrency: int,
    hold: float,
    wait_for: str | None,
    results,
    ready,
    go,
) -> None:
    """Open one socket per token, report handshake times, hold them; optionally wait for the
    first message of type ``wait_for`` on every socket after ``go`` is set."""
    raise_fd_limit()
    import websockets

    async def main():
        gate = asyncio.Semaphore(concurrency)
        sockets, handshakes, failures = [], [], 0
        received: list[float] = []

        async def one(token):
            nonlocal failures
            async with gate:
                started = time.perf_counter()
                try:
                    ws = await websockets.connect(
                        f"{url}?access_token={token}",
                        open_timeout=60,
                        max_queue=64,
                        ping_interval=None,
                        compression=None,
                    )
                    await asyncio.wait_for(ws.recv(), 60)  # hello
                except Exception:
                    failures += 1
                    return
                handshakes.append(time.perf_counter() - started)
                sockets.append(ws)

        t0 = time.time()
        await asyncio.gather(*(one(t) for t in tokens))
        results.put(("connected", len(sockets), failures, handshakes, t0, time.time()))
        ready.set()

        lost = {"closed": 0, "timeout": 0}

        async def listen(ws):
            try:
                async with asyncio.timeout(hold):
                    while True:
                        message = json.loads(await ws.recv())
                        if message["type"] == wait_for:
                            received.append(time.time())
                            return
            except TimeoutError:
                lost["timeout"] += 1
            except websockets.ConnectionClosed:
                lost["closed"] += 1

        if wait_for:
            await asyncio.gather(*(listen(ws) for ws in sockets))
        else:
            await asyncio.sleep(hold)
        results.put(("received", received, lost))
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)

    asyncio.run(main())


def run_loaders(url, tokens, loaders, concurrency, hold, wait_for):
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs, readies = [], []
    for n in range(loaders):
        ready, go = ctx.Event(), ctx.Event()
        part = tokens[n::loaders]
        p = ctx.Process(
            target=loader,
            args=(url, part, concurrency, hold, wait_for, results, ready, go),
            daemon=True,
        )
        p.start()
        procs.append(p)
        readies.append(ready)
    return procs, readies, results


def collect_connected(results, loaders, timeout):
    connected, failures, handshakes, starts, ends = 0, 0, [], [], []
    for _ in range(loaders):
        kind, ok, failed, times, t0, t1 = results.get(timeout=timeout)
        assert kind == "connected"
        connected += ok
        failures += failed
        handshakes += times
        starts.append(t0)
        ends.append(t1)
    return connected, failures, handshakes, min(starts), max(ends)


def pct(values, p):
    if not values:
        return None
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))] * 1000, 1)


# --- Scenarios --------------------------------------------------------------------------------


def scenario_connections(args, env) -> dict:
    setup_django()
    user_ids = seed_accounts(args.clients)
    tokens = mint_tokens(user_ids)
    port = args.port
    server = start_server(env, port)
    try:
        time.sleep(2)
        baseline = rss_kib(server.pid)
        url = f"ws://127.0.0.1:{port}/ws/notifications/"
        procs, _readies, results = run_loaders(
            url, tokens, args.loaders, args.concurrency, args.hold, "notification"
        )
        connected, failures, handshakes, t0, t1 = collect_connected(
            results, args.loaders, args.timeout
        )
        time.sleep(2)
        with_sockets = rss_kib(server.pid)
        # One system alert to everyone connected (the broadcast group), from this process.
        from learning.notifications import push

        sent_at = time.time()
        delivered = push.send(
            push.BROADCAST_GROUP,
            {
                "type": "notification.broadcast",
                "notification": {"kind": "system_alert", "title": "bench", "body": ""},
            },
        )
        received, lost = [], {"closed": 0, "timeout": 0}
        for _ in range(args.loaders):
            _kind, times, missed = results.get(timeout=args.hold + 60)
            received += times
            lost = {k: lost[k] + missed[k] for k in lost}
        for p in procs:
            p.join(timeout=30)
        seconds = t1 - t0
        return {
            "scenario": "connections",
            "clients": args.clients,
            "connected": connected,
            "failed": failures,
            "connect_seconds": round(seconds, 1),
            "connects_per_second": round(connected / seconds, 1) if seconds else None,
            "handshake_ms_p50": pct(handshakes, 0.5),
            "handshake_ms_p99": pct(handshakes, 0.99),
            "server_rss_mib_idle": round(baseline / 1024, 1),
            "server_rss_mib_connected": round(with_sockets / 1024, 1),
            "rss_kib_per_connection": round((with_sockets - baseline) / max(connected, 1), 1),
            "broadcast_sent": delivered,
            "broadcast_received": len(received),
            "sockets_closed_before_it": lost["closed"],
            "sockets_timed_out_waiting": lost["timeout"],
            "broadcast_to_last_client_s": round(max(received) - sent_at, 3) if received else None,
        }
    finally:
        stop(server)


def seed_course(learner_ids: list[int]):
    from cms.models import CoursePage
    from learning.enrollment.models import Enrollment
    from tests.factories import UserFactory
    from tests.factories import learning as lf

    course = CoursePage.objects.filter(slug="bench-realtime").first()
    if course is None:
        instructor = UserFactory(email="bench-rt-instructor@example.com", roles=["instructor"])
        course, _ = lf.video_course(
            instructors=[instructor], title="Realtime benchmark", slug="bench-realtime"
        )
    have = set(Enrollment.objects.current().filter(course=course).values_list("user_id", flat=True))
    Enrollment.objects.bulk_create(
        [Enrollment(user_id=pk, course=course) for pk in learner_ids if pk not in have],
        batch_size=2000,
    )
    return course


def scenario_fanout(args, env) -> dict:
    setup_django()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from learning.accounts.models import User
    from learning.notifications import kinds, services
    from learning.notifications.models import Notification

    learner_ids = seed_accounts(args.learners)
    course = seed_course(learner_ids)
    instructor = User.objects.get(email="bench-rt-instructor@example.com")
    tokens = mint_tokens(learner_ids[: args.connected])
    (instructor_token,) = mint_tokens([instructor.pk])
    Notification.objects.filter(kind=kinds.ANNOUNCEMENT).delete()
    server = start_server(env, args.port)
    worker = start_worker(env)
    try:
        import httpx

        url = f"ws://127.0.0.1:{args.port}/ws/notifications/"
        procs, _readies, results = run_loaders(
            url, tokens, args.loaders, args.concurrency, args.hold, "announcement"
        )
        connected, failures, _h, _t0, _t1 = collect_connected(results, args.loaders, args.timeout)
        time.sleep(10)  # let the worker finish starting
        posted = time.time()
        response = httpx.post(
            f"http://127.0.0.1:{args.port}/api/v2/courses/{course.pk}/announcements/",
            json={"title": "Exam moved", "body": "To Friday."},
            headers={"Authorization": f"Bearer {instructor_token}"},
            timeout=60,
        )
        answered = time.time()
        assert response.status_code == 201, response.text
        rows_done = None
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if Notification.objects.filter(kind=kinds.ANNOUNCEMENT).count() >= args.learners:
                rows_done = time.time()
                break
            time.sleep(0.05)
        received, lost = [], {"closed": 0, "timeout": 0}
        for _ in range(args.loaders):
            _kind, times, missed = results.get(timeout=args.hold + 60)
            received += times
            lost = {k: lost[k] + missed[k] for k in lost}
        for p in procs:
            p.join(timeout=30)
    finally:
        stop(worker)
        stop(server)
    # The same fan-out again in this process, counting its SQL statements.
    Notification.objects.filter(kind=kinds.COURSE_UPDATED).delete()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        written = services.fanout(
            audience={"course": course.pk},
            kind=kinds.COURSE_UPDATED,
            context={"course_title": course.title, "section_title": "bench"},
            course_id=course.pk,
        )
    in_process = time.perf_counter() - started
    return {
        "scenario": "fanout",
        "learners": args.learners,
        "connected": connected,
        "connect_failures": failures,
        "api_response_ms": round((answered - posted) * 1000, 1),
        "clients_received": len(received),
        "sockets_closed_before_it": lost["closed"],
        "sockets_timed_out_waiting": lost["timeout"],
        "to_last_client_s": round(max(received) - posted, 3) if received else None,
        "to_median_client_s": round(sorted(received)[len(received) // 2] - posted, 3)
        if received
        else None,
        "all_rows_s": round(rows_done - posted, 3) if rows_done else None,
        "in_process_fanout_rows": written,
        "in_process_fanout_s": round(in_process, 3),
        "in_process_fanout_sql_statements": len(queries.captured_queries),
        "batch_size": int(os.environ.get("NOTIFICATIONS_FANOUT_BATCH_SIZE", 1000)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("scenario", choices=["connections", "fanout"])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--connected", type=int, default=2_000)
    parser.add_argument("--loaders", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--hold", type=float, default=30)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    env = configure_environment()
    create_database(env["DATABASE_URL"])
    raise_fd_limit()
    started = time.time()
    result = (scenario_connections if args.scenario == "connections" else scenario_fanout)(
        args, env
    )
    result["wall_seconds"] = round(time.time() - started, 1)
    result["cpus"] = os.cpu_count()
    result["loadavg_1m_at_end"] = os.getloadavg()[0]
    print(json.dumps(result, indent=2))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
