"""Benchmark progress heartbeat ingestion (``POST /api/v2/progress/events/``) under uvicorn on
PostgreSQL: events/s, requests/s and per-request latency with N concurrent learners.

    .venv/bin/python bench/progress/heartbeats.py --workers 2,4 --batch 1,10,25 \
        --modes floor,closed,paced --target-eps 500,1000 --seconds 30

Defaults: database ``postgres://postgres@127.0.0.1:5432/unpuzzle_bench`` (created and migrated
when missing; override with ``DATABASE_URL``), Redis ``redis://127.0.0.1:6379/8``
(``REDIS_URL``), 50 learners enrolled in one course with a ready 3600 s video.

For each ``--workers`` value N the script starts ``uvicorn config.asgi:application`` on free
ports (``config.settings.local`` with ``DEBUG=false``, ``LOG_LEVEL=WARNING``, no access log,
the Dockerfile's ``--lifespan off``), either as one ``uvicorn --workers N`` whose processes
share a listening socket (``--topology shared``) or as N ``uvicorn --workers 1`` with the
clients spread over them round robin, like replicas behind a load balancer
(``--topology replicas``). Then for every run:

1. resets the learners' progress (progress rows, receipts, lesson events) so every run starts
   from the same state, and gives every learner a fresh JWT access token (sign-in once, then
   refresh-token rotation);
2. runs the load generator in its own process (optionally niced / pinned to CPUs): one
   ``httpx.AsyncClient`` (one keep-alive connection) per learner, all in one asyncio loop;
3. discards ``--warmup`` seconds, then measures for ``--seconds``: latency per request,
   requests and events per second, the per-event outcomes the server returned, and the CPU
   time the server processes, PostgreSQL and the whole machine used in that window (/proc).

Every client plays the video honestly: its media clock advances at ``--rate`` (1.0) times the
wall time between its batches, split into ``batch`` consecutive spans, so the server's
wall-time allowance (``PROGRESS_MAX_PLAYBACK_RATE`` = 2.0) never has to cut anything; the
accepted / duplicate / rejected counts and any ``faster_than_playback`` reasons are reported.

Modes:
  floor   GET /healthz in a closed loop: the cost of the server stack alone (no database).
  closed  every client sends its next batch as soon as the previous one is answered
          (maximum throughput; latency then is mostly queueing).
  paced   every client sends one batch every ``clients * batch / target`` seconds (random
          phase), an offered load of ``target`` events/s for each ``--target-eps``; latency
          is measured from the send and from the scheduled send time (a server that falls
          behind cannot hide it by slowing the clients down: "coordinated omission").

``--inprocess N`` instead sends N batches through Django's test client in this process and
prints the SQL of one request and the CPU time per request (``--cprofile FILE`` writes a
CPU-time cProfile of them). ``--py-spy PREFIX`` samples the server during each measured
window (needs ``pip install py-spy``, not a project dependency).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import multiprocessing
import os
import platform
import random
import resource
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/unpuzzle_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/8"
COURSE_SLUG = "bench-heartbeats"
LEARNER_EMAIL = "bench-learner-{:03}@example.com"
USER_AGENT = "bench/progress/heartbeats.py"
ENDPOINT = "/api/v2/progress/events/"


# --- Environment, database, seed data ----------------------------------------------------------


def configure_environment() -> dict[str, str]:
    """The environment of this process and of the server: production-like local settings."""
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench-progress"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if not os.environ["DATABASE_URL"].startswith("postgres"):
        sys.exit("DATABASE_URL must name a PostgreSQL database (it is migrated and seeded).")
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
            print(f"created database {name}")


def seed(clients: int, duration: float) -> dict:
    """One live course with a ready video of ``duration`` seconds and ``clients`` enrolled,
    verified learners. Idempotent: reuses what an earlier run created."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)

    from cms.models import CourseLesson, CoursePage
    from learning.accounts.models import User
    from learning.enrollment.models import Enrollment
    from tests.factories import UserFactory
    from tests.factories import learning as lf

    course = CoursePage.objects.filter(slug=COURSE_SLUG).first()
    if course is None:
        instructor = UserFactory(email="bench-instructor@example.com", roles=["instructor"])
        course, _ = lf.video_course(
            instructors=[instructor],
            duration=duration,
            title="Heartbeat benchmark",
            slug=COURSE_SLUG,
        )
    lesson = CourseLesson.objects.get(course=course, kind=CourseLesson.Kind.VIDEO, is_live=True)
    learners = []
    for n in range(clients):
        email = LEARNER_EMAIL.format(n)
        user = User.objects.filter(email=email).first() or UserFactory(email=email)
        if not Enrollment.objects.filter(
            user=user, course=course, status__in=Enrollment.CURRENT
        ).exists():
            lf.enroll(user, course)
        learners.append(user.pk)
    return {
        "course_id": course.pk,
        "lesson_id": str(lesson.lesson_id),
        "video_seconds": lesson.video.duration_seconds,
        "learners": learners,
    }


def reset_progress(user_ids: list[int], lesson_id: str | None = None) -> None:
    """Forget the learners' progress so each run starts from the same state, then open the
    lesson for each of them (what a player does first: ``POST …/open/`` starts the lesson and
    the learner's allowance; heartbeats for a lesson never started earn nothing)."""
    from django.core.cache import cache
    from django.db import connection

    from cms.models import CourseLesson
    from learning.accounts.models import User
    from learning.analytics.models import LearningEvent, ObjectType
    from learning.progress import services
    from learning.progress.models import HeartbeatReceipt, LessonProgress, PlaybackAllowance

    # The per-learner request limit's history (DRF throttle keys in the cache), if any.
    cache.delete_many([f"throttle_progress_events_user_{pk}" for pk in user_ids])
    LessonProgress.objects.filter(user_id__in=user_ids).delete()
    PlaybackAllowance.objects.filter(user_id__in=user_ids).delete()
    HeartbeatReceipt.objects.filter(user_id__in=user_ids).delete()
    LearningEvent.objects.filter(actor_id__in=user_ids, object_type=ObjectType.LESSON).delete()
    with connection.cursor() as cursor:
        for model in (LessonProgress, PlaybackAllowance, HeartbeatReceipt, LearningEvent):
            cursor.execute(f'VACUUM ANALYZE "{model._meta.db_table}"')
    if lesson_id is not None:
        lesson = CourseLesson.objects.get(lesson_id=lesson_id, is_live=True)
        for user in User.objects.filter(pk__in=user_ids):
            services.lesson_open(user=user, lesson=lesson)


_refresh_tokens: dict[int, str] = {}


def access_tokens(user_ids: list[int]) -> list[str]:
    """A fresh access token per learner: sign in once, then rotate the refresh token (what a
    client does when its 10-minute access token runs out)."""
    from learning.accounts import services
    from learning.accounts.models import User
    from tests.factories import DEFAULT_PASSWORD

    tokens = []
    for pk in user_ids:
        if pk in _refresh_tokens:
            _session, refresh = services.session_refresh(refresh=_refresh_tokens[pk])
        else:
            email = User.objects.values_list("email", flat=True).get(pk=pk)
            _session, refresh = services.session_start(
                email=email,
                password=DEFAULT_PASSWORD,
                user_agent=USER_AGENT,
                ip_address="127.0.0.1",
            )
        _refresh_tokens[pk] = str(refresh)
        tokens.append(str(refresh.access_token))
    return tokens


def accepted_in_database(user_ids: list[int]) -> dict:
    from django.db.models import Count, Sum

    from learning.progress.models import HeartbeatReceipt, LessonProgress

    rows = LessonProgress.objects.filter(user_id__in=user_ids).aggregate(
        rows=Count("pk"), watched=Sum("watched_seconds")
    )
    return {
        "receipts": HeartbeatReceipt.objects.filter(user_id__in=user_ids).count(),
        "progress_rows": rows["rows"],
        "watched_seconds_total": round(rows["watched"] or 0.0, 1),
    }


# --- CPU accounting from /proc -----------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> tuple[str, int, float] | None:
    """(command, parent pid, user+system CPU seconds) of a process, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return name, int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def cpu_snapshot(server_pids: set[int]) -> dict:
    """CPU seconds so far of the server processes (these pids and their children, per pid), of
    all PostgreSQL processes and of the whole machine (from /proc/stat)."""
    server, postgres = {}, {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        stat = _proc_stat(int(entry.name))
        if stat is None:
            continue
        name, parent, seconds = stat
        if int(entry.name) in server_pids or parent in server_pids:
            server[int(entry.name)] = seconds
        elif name == "postgres":
            postgres[int(entry.name)] = seconds
    cpu = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in cpu]
    idle = ticks[3] + ticks[4]
    return {
        "server": server,
        "postgres": postgres,
        "machine_busy": (sum(ticks) - idle) / CLOCK_TICKS,
        "machine_total": sum(ticks) / CLOCK_TICKS,
    }


def cpu_delta(before: dict, after: dict) -> dict:
    def diff(key):
        return {pid: after[key][pid] - before[key].get(pid, 0.0) for pid in after[key]}

    server = diff("server")
    total = after["machine_total"] - before["machine_total"]
    return {
        "server_seconds": round(sum(server.values()), 2),
        "server_per_process": sorted(round(v, 2) for v in server.values()),
        "postgres_seconds": round(sum(diff("postgres").values()), 2),
        "machine_busy_fraction": round((after["machine_busy"] - before["machine_busy"]) / total, 3)
        if total
        else None,
        "machine_busy_seconds": round(after["machine_busy"] - before["machine_busy"], 2),
    }


# --- Load generator (runs in its own process) --------------------------------------------------


def _events(lesson_id: str, start: float, end: float, count: int, rate: float, sent_at: datetime):
    """``count`` consecutive spans covering ``[start, end]`` of media time, played at ``rate``
    and ending at ``sent_at`` (client time)."""
    step = (end - start) / count
    events = []
    for n in range(count):
        span_end = start + step * (n + 1)
        events.append(
            {
                "client_event_id": str(uuid.uuid4()),
                "lesson_id": lesson_id,
                "start": round(start + step * n, 4),
                "end": round(span_end, 4),
                "position": round(span_end, 4),
                "playback_rate": rate,
                "client_time": (sent_at - timedelta(seconds=(end - span_end) / rate)).isoformat(),
            }
        )
    return events


async def _client(base_url, token, plan, stats, window, rng):
    import httpx

    warm_from, measure_from, measure_to = window
    headers = {"Authorization": f"Bearer {token}", "User-Agent": USER_AGENT}
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    interval, batch, rate, lesson_id = (
        plan["interval"],
        plan["batch"],
        plan["rate"],
        plan["lesson_id"],
    )
    floor = plan["mode"] == "floor"
    media = 0.0
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, limits=limits, timeout=30
    ) as client:
        # Paced clients start at a random phase; closed-loop clients start together.
        scheduled = warm_from + (rng.uniform(0, interval) if interval else 0.0)
        await asyncio.sleep(max(0.0, scheduled - time.monotonic()))
        last = scheduled - (interval or 1.0)
        while True:
            if interval:
                delay = scheduled - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            started = time.monotonic()
            if started >= measure_to:
                break
            advance = (started - last) * rate
            last = started
            status, payload = None, None
            try:
                if floor:
                    response = await client.get("/healthz")
                    payload = {"results": []}
                else:
                    events = _events(
                        lesson_id, media, media + advance, batch, rate, datetime.now(UTC)
                    )
                    media += advance
                    response = await client.post(ENDPOINT, json={"events": events})
                    payload = response.json() if response.status_code == 200 else None
                status = response.status_code
            except (httpx.HTTPError, ValueError) as exc:
                status = type(exc).__name__
            done = time.monotonic()
            if started >= measure_from:
                stats["latency"].append(done - started)
                if interval:
                    stats["latency_from_schedule"].append(done - min(started, scheduled))
                    stats["late_sends"] += started - scheduled > 0.010
                stats["requests"] += 1
                stats["events_sent"] += 0 if floor else batch
                if status != 200:
                    stats["errors"][str(status)] = stats["errors"].get(str(status), 0) + 1
                else:
                    for result in payload["results"]:
                        stats[result["status"]] += 1
                        for reason in result["reasons"]:
                            stats["reasons"][reason] = stats["reasons"].get(reason, 0) + 1
                        stats["credited_seconds"] += result["credited_seconds"]
            if interval:
                scheduled += interval
    return media


async def _drive(bases, tokens, plan, start, warmup, seconds):
    window = (start, start + warmup, start + warmup + seconds)
    stats = {
        "latency": [],
        "latency_from_schedule": [],
        "late_sends": 0,
        "requests": 0,
        "events_sent": 0,
        "accepted": 0,
        "duplicate": 0,
        "rejected": 0,
        "credited_seconds": 0.0,
        "errors": {},
        "reasons": {},
    }
    rng = random.Random(1)  # noqa: S311 (start phases, not secrets)

    async def client_cpu():
        """CPU time of this process over the measured window only."""
        await asyncio.sleep(max(0.0, window[1] - time.monotonic()))
        before = resource.getrusage(resource.RUSAGE_SELF)
        await asyncio.sleep(max(0.0, window[2] - time.monotonic()))
        after = resource.getrusage(resource.RUSAGE_SELF)
        stats["client_cpu_seconds"] = round(
            after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, 2
        )

    meter = asyncio.ensure_future(client_cpu())
    media = await asyncio.gather(
        *(
            _client(bases[n % len(bases)], token, plan, stats, window, rng)
            for n, token in enumerate(tokens)
        )
    )
    await meter
    stats["media_seconds_played_per_client"] = round(statistics.mean(media), 1)
    return stats


def drive(bases, tokens, plan, start, warmup, seconds, nice, cpus, queue) -> None:
    """Entry point of the load generator process. ``start`` is a ``time.monotonic()`` value
    (the clock is system-wide), so the parent measures server CPU over the same window."""
    if nice:
        os.nice(nice)
    if cpus:
        os.sched_setaffinity(0, cpus)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    queue.put(asyncio.run(_drive(bases, tokens, plan, start, warmup, seconds)))


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) in milliseconds."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)] * 1000


def summarise(stats: dict, seconds: float) -> dict:
    latency = stats.pop("latency")
    from_schedule = stats.pop("latency_from_schedule")
    out = {
        **stats,
        "requests_per_second": round(stats["requests"] / seconds, 1),
        "events_per_second": round(stats["events_sent"] / seconds, 1),
        "accepted_per_second": round(stats["accepted"] / seconds, 1),
        "credited_seconds": round(stats["credited_seconds"], 1),
    }
    if latency:
        out.update(
            {
                "p50_ms": round(percentile(latency, 50), 1),
                "p95_ms": round(percentile(latency, 95), 1),
                "p99_ms": round(percentile(latency, 99), 1),
                "max_ms": round(max(latency) * 1000, 1),
                "mean_ms": round(statistics.mean(latency) * 1000, 1),
            }
        )
    if from_schedule:
        out["p95_from_schedule_ms"] = round(percentile(from_schedule, 95), 1)
        out["p99_from_schedule_ms"] = round(percentile(from_schedule, 99), 1)
    return out


# --- Server ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _uvicorn(env: dict, workers: int, cpus: list[int] | None):
    import httpx

    port = free_port()
    command = [
        str(Path(sys.executable).parent / "uvicorn"),
        "config.asgi:application",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(workers),
        "--lifespan", "off",
        "--no-server-header",
        "--no-access-log",
        "--log-level", "warning",
    ]  # fmt: skip
    if cpus:
        command = ["taskset", "--cpu-list", ",".join(map(str, cpus)), *command]
    server = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603 (fixed arguments)
    base = f"http://127.0.0.1:{port}"
    for _ in range(150):
        if server.poll() is not None:
            sys.exit(f"uvicorn exited with {server.returncode}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.terminate()
    sys.exit("uvicorn did not answer /healthz")


def start_servers(env: dict, workers: int, topology: str, cpus: list[int] | None):
    """``shared``: one ``uvicorn --workers N`` (N processes accepting on one socket).
    ``replicas``: N ``uvicorn --workers 1`` on N ports, the clients spread over them round
    robin, as replicas behind a load balancer (the Dockerfile runs one process per container).
    Returns the processes and the base URLs."""
    if topology == "shared":
        server, base = _uvicorn(env, workers, cpus)
        return [server], [base]
    started = [_uvicorn(env, 1, cpus) for _ in range(workers)]
    return [server for server, _ in started], [base for _, base in started]


def stop_servers(servers) -> None:
    for server in servers:
        server.terminate()
    for server in servers:
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def py_spy(pid: int, seconds: float, output: str, *, wall: bool = False):
    """Sample the server's processes (the uvicorn parent and its workers) with py-spy, which
    is not a project dependency: ``.venv/bin/pip install py-spy`` to use ``--py-spy``. Writes
    collapsed stacks (one line per stack, with its sample count) to ``output``: samples of
    the thread holding the GIL (CPU), or with ``wall`` of every thread, idle or not."""
    binary = Path(sys.executable).parent / "py-spy"
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen(  # noqa: S603 (fixed arguments)
        [
            str(binary),
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--idle" if wall else "--gil",
            "--rate",
            "50",
            "--duration",
            str(int(seconds)),
            "--format",
            "raw",
            "--output",
            output,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# --- In-process: queries and CPU of one request ------------------------------------------------


def in_process(seed_data: dict, batch: int, requests: int, cprofile: str | None) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # Requests rotate over all learners (like the server runs), so none of them reaches the
    # per-learner request limit (THROTTLE_PROGRESS_EVENTS_USER).
    learners = seed_data["learners"]
    reset_progress(learners, seed_data["lesson_id"])
    clients = [
        Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_HOST="127.0.0.1")
        for token in access_tokens(learners)
    ]
    state = [[0.0, time.monotonic() - 1.0] for _ in learners]  # media clock, last send
    turn = 0

    def send():
        nonlocal turn
        n, turn = turn % len(clients), turn + 1
        media, last = state[n]
        now = time.monotonic()
        advance = now - last
        events = _events(
            seed_data["lesson_id"], media, media + advance, batch, 1.0, datetime.now(UTC)
        )
        state[n] = [media + advance, now]
        response = clients[n].post(ENDPOINT, {"events": events}, content_type="application/json")
        assert response.status_code == 200, response.content
        return response.json()

    for _ in clients:
        send()  # the first batch after the open; what follows is the steady state
    with CaptureQueriesContext(connection) as queries:
        body = send()
    captured = [q["sql"] for q in queries.captured_queries]
    statuses = [r["status"] for r in body["results"]]
    profiler = None
    if cprofile:
        import cProfile

        profiler = cProfile.Profile(time.process_time)  # CPU time: the host is shared
        profiler.enable()
    wall = time.perf_counter()
    cpu = time.process_time()
    for _ in range(requests):
        send()
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    if profiler:
        profiler.disable()
        profiler.dump_stats(cprofile)
    return {
        "batch": batch,
        "queries_per_request": len(captured),
        "queries": [sql[:200] for sql in captured],
        "statuses": {s: statuses.count(s) for s in set(statuses)},
        "requests": requests,
        "wall_ms_per_request": round(wall / requests * 1000, 2),
        "cpu_ms_per_request": round(cpu / requests * 1000, 2),
    }


# --- Main --------------------------------------------------------------------------------------


def machine() -> dict:
    def first(path, key):
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
        return None

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW synchronous_commit")
        sync = cursor.fetchone()[0]
    try:
        import redis

        redis_version = redis.Redis.from_url(os.environ["REDIS_URL"]).info()["redis_version"]
    except Exception as exc:  # reported, not fatal
        redis_version = f"unavailable ({type(exc).__name__})"
    return {
        "cpus": os.cpu_count(),
        "cpu_model": first("/proc/cpuinfo", "model name"),
        "ram": first("/proc/meminfo", "MemTotal"),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg,
        "synchronous_commit": sync,
        "redis": redis_version,
    }


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ints = lambda s: [int(x) for x in s.split(",") if x]  # noqa: E731
    floats = lambda s: [float(x) for x in s.split(",") if x]  # noqa: E731
    parser.add_argument("--workers", type=ints, default=[2, 4], help="server processes: 2,4")
    parser.add_argument(
        "--topology",
        default="shared",
        help="shared (uvicorn --workers N), replicas (N uvicorn --workers 1), or both",
    )
    parser.add_argument("--batch", type=ints, default=[10], help="events per request, e.g. 1,10,25")
    parser.add_argument(
        "--modes", default="floor,closed,paced", help="any of floor (GET /healthz), closed, paced"
    )
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=40, help="measured time per run")
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument(
        "--target-eps", type=floats, default=[1000], help="paced: offered events/s, e.g. 500,1000"
    )
    parser.add_argument("--rate", type=float, default=1.0, help="playback rate of the clients")
    parser.add_argument("--video-seconds", type=float, default=3600)
    parser.add_argument(
        "--client-nice", type=int, default=0, help="nice value of the load generator"
    )
    parser.add_argument("--client-cpus", type=ints, default=[], help="pin the load generator")
    parser.add_argument("--server-cpus", type=ints, default=[], help="pin uvicorn (taskset)")
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each run, wait up to this long for other work to leave the CPUs idle",
    )
    parser.add_argument("--out", default="var/bench-progress/heartbeats.json")
    parser.add_argument("--inprocess", type=int, default=0, metavar="N")
    parser.add_argument("--cprofile", default=None, metavar="FILE")
    parser.add_argument(
        "--py-spy", default=None, metavar="PREFIX", help="sample the server with py-spy"
    )
    parser.add_argument(
        "--py-spy-wall", action="store_true", help="py-spy: every thread (wall time), not CPU"
    )
    return parser.parse_args()


def machine_busy(seconds: float = 2.0) -> float:
    """Share of all CPUs busy over the next ``seconds``."""

    def ticks():
        values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return sum(values) - values[3] - values[4], sum(values)

    busy, total = ticks()
    time.sleep(seconds)
    busy2, total2 = ticks()
    return (busy2 - busy) / max(1, total2 - total)


def wait_for_idle(max_wait: float, threshold: float = 0.2) -> tuple[float, float]:
    """On a shared host: wait (at most ``max_wait`` s) until other work leaves the CPUs at
    most ``threshold`` busy. Returns (seconds waited, busy share when starting)."""
    started = time.monotonic()
    busy = machine_busy()
    while busy > threshold and time.monotonic() - started < max_wait:
        time.sleep(3)
        busy = machine_busy()
    return round(time.monotonic() - started, 1), round(busy, 2)


def run_specs(args) -> list[dict]:
    """The runs for one server: the /healthz floor once, then every batch size and mode."""
    modes = [m for m in args.modes.split(",") if m]
    specs = [{"mode": "floor", "batch": 0, "target_eps": None}] if "floor" in modes else []
    for batch in args.batch:
        for mode in modes:
            if mode == "closed":
                specs.append({"mode": mode, "batch": batch, "target_eps": None})
            elif mode == "paced":
                specs += [{"mode": mode, "batch": batch, "target_eps": e} for e in args.target_eps]
    return specs


def run_once(args, data, servers, bases, spec, context) -> dict:
    from django.db import connections

    reset_progress(data["learners"], data["lesson_id"])
    tokens = access_tokens(data["learners"])
    connections.close_all()
    waited, idle_busy = wait_for_idle(args.wait_idle) if args.wait_idle else (0.0, None)
    plan = {
        "mode": spec["mode"],
        "batch": spec["batch"],
        "rate": args.rate,
        "lesson_id": data["lesson_id"],
        "interval": args.clients * spec["batch"] / spec["target_eps"] if spec["target_eps"] else 0,
    }
    queue = context.Queue()
    start = time.monotonic() + 3.0  # time for the driver process to start
    driver = context.Process(
        target=drive,
        args=(
            bases,
            tokens,
            plan,
            start,
            args.warmup,
            args.seconds,
            args.client_nice,
            args.client_cpus,
            queue,
        ),
    )
    driver.start()
    # Server and PostgreSQL CPU over the measured window only.
    time.sleep(max(0.0, start + args.warmup - time.monotonic()))
    load_before = os.getloadavg()
    spies = []
    if args.py_spy:
        name = (
            f"{args.py_spy}-{args.current_topology}{args.current_workers}-b{spec['batch']}-"
            f"{spec['mode']}{spec['target_eps'] or ''}"
        )
        spies = [
            py_spy(server.pid, args.seconds, f"{name}-{n}", wall=args.py_spy_wall)
            for n, server in enumerate(servers)
        ]
    pids = {server.pid for server in servers}
    before = cpu_snapshot(pids)
    time.sleep(max(0.0, start + args.warmup + args.seconds - time.monotonic()))
    after = cpu_snapshot(pids)
    stats = queue.get()
    driver.join()
    for spy in spies:
        spy.wait()
    result = summarise(stats, args.seconds)
    cpu = cpu_delta(before, after)
    requests = max(result["requests"], 1)
    return {
        "workers": args.current_workers,
        "topology": args.current_topology,
        **spec,
        "interval_s": round(plan["interval"], 4),
        "client_nice": args.client_nice,
        "client_cpus": args.client_cpus,
        "server_cpus": args.server_cpus,
        **result,
        **cpu,
        "server_cpu_ms_per_request": round(cpu["server_seconds"] / requests * 1000, 2),
        "postgres_cpu_ms_per_request": round(cpu["postgres_seconds"] / requests * 1000, 2),
        "waited_for_idle_s": waited,
        "busy_before_start": idle_busy,
        "other_cpu_seconds": round(
            cpu["machine_busy_seconds"]
            - cpu["server_seconds"]
            - cpu["postgres_seconds"]
            - result["client_cpu_seconds"],
            2,
        ),
        "loadavg_before": [round(x, 2) for x in load_before],
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "database_after": accepted_in_database(data["learners"]),
    }


def main() -> None:
    args = parse_args()
    env = configure_environment()
    create_database(env["DATABASE_URL"])
    data = seed(args.clients, args.video_seconds)
    info = machine()
    if args.inprocess:
        for batch in args.batch:
            result = in_process(data, batch, args.inprocess, args.cprofile)
            print(json.dumps(result, indent=2))
        return

    runs = []
    context = multiprocessing.get_context("spawn")
    print(
        f"{info['cpus']} x {info['cpu_model']}, PostgreSQL {info['postgresql']}, "
        f"Redis {info['redis']}, {args.clients} clients, {args.seconds:.0f} s measured "
        f"after {args.warmup:.0f} s warm-up, client nice {args.client_nice}"
        + (f", client cpus {args.client_cpus}" if args.client_cpus else "")
        + (f", server cpus {args.server_cpus}" if args.server_cpus else "")
    )
    header = (
        "| server | batch | mode | offered ev/s | req/s | events/s | accepted | dup | rejected "
        "| errors | p50 ms | p95 ms | p99 ms | p95 from schedule ms | server CPU ms/req "
        "| pg CPU ms/req | client CPU s | other CPU s | busy before |"
    )
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for topology, workers in [(t, w) for t in args.topology.split(",") for w in args.workers]:
        args.current_workers, args.current_topology = workers, topology
        servers, bases = start_servers(env, workers, topology, args.server_cpus)
        try:
            for spec in run_specs(args):
                run = run_once(args, data, servers, bases, spec, context)
                runs.append(run)
                print(
                    f"| {topology} {workers} | {run['batch'] or '-'} | {run['mode']} | "
                    f"{run['target_eps'] or '-'} | {run['requests_per_second']} | "
                    f"{run['events_per_second']} | {run['accepted']} | {run['duplicate']} | "
                    f"{run['rejected']} | {sum(run['errors'].values())} | {run.get('p50_ms')} | "
                    f"{run.get('p95_ms')} | {run.get('p99_ms')} | "
                    f"{run.get('p95_from_schedule_ms', '-')} | "
                    f"{run['server_cpu_ms_per_request']} | {run['postgres_cpu_ms_per_request']} | "
                    f"{run['client_cpu_seconds']} | {run['other_cpu_seconds']} | "
                    f"{run['busy_before_start']} |",
                    flush=True,
                )
        finally:
            stop_servers(servers)
    out = ROOT / args.out
    out.parent.mkdir(parents=True, exist_ok=True)
    arguments = {k: v for k, v in vars(args).items() if not k.startswith("current_")}
    arguments.pop("out")
    out.write_text(json.dumps({"machine": info, "arguments": arguments, "runs": runs}, indent=2))
    print(f"results: {args.out}")


if __name__ == "__main__":
    main()
