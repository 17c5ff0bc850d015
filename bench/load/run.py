"""Load test of the read path (and heartbeats) against a production-like server.

    createdb -h 127.0.0.1 -U postgres unpuzzle_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unpuzzle_load \
    REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/load/run.py

One command: migrates and seeds the database (``COPY``, see ``seed.py``: ``--courses``,
``--learners``, ``--progress`` rows, ``--enrollments`` per learner, by default the fewest that
hold the progress rows and at least 3; ``--seed-only`` stops there), signs in ``--tokens``
learners, starts the server the Dockerfile starts (uvicorn ``config.asgi:application``, one
process, production settings: ``DEBUG`` off, PostgreSQL, Redis) and drives each endpoint in
turn with ``wrk`` (installed with apt-get when missing and we are root) on loopback:
``--clients`` keep-alive connections for ``--seconds``. Per endpoint it prints requests/s,
p50/p95/p99, errors, the cache hit ratio and database queries per request (from the server's
own Prometheus counters), next to a bare Django JSON view and Wagtail's API v2 listing the
same pages.

``--app-dir`` serves another checkout of the product (e.g. the main branch, for a before/after
comparison); ``--db-mode pool|persistent`` picks psycopg's pool or persistent connections.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
HERE = Path(__file__).resolve().parent


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "wrk"], check=True)  # noqa: S607
        return shutil.which("wrk") or sys.exit("wrk did not install")
    sys.exit("wrk is needed: apt-get install wrk (Debian package)")


def server_env(args) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="bench.load.settings",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="false",
        CERTIFICATE_SIGNING_KEY=key,
        VAR_DIR=str(ROOT / "var" / "load"),
        # Heartbeats from a few signed-in learners at load-test rates.
        THROTTLE_PROGRESS_EVENTS_USER="1000000/min",
        DATABASE_POOL="true" if args.db_mode == "pool" else "false",
        CONN_MAX_AGE="0" if args.db_mode == "pool" else "600",
    )
    if args.app_dir:
        env["PYTHONPATH"] = f"{args.app_dir}:{ROOT}"
    return env


def prepare(args) -> dict:
    """Migrate, seed and sign learners in (in this process, under the server's settings)."""
    import django

    django.setup()
    from django.core.management import call_command

    from bench.load import video_course
    from bench.load.seed import SeedError, seed
    from cms.models import CourseLesson
    from learning.accounts import services
    from learning.accounts.models import User
    from learning.enrollment.models import Enrollment

    call_command("migrate", verbosity=0)
    try:
        ids = seed(
            courses=args.courses,
            learners=args.learners,
            enrollments=args.enrollments,
            progress=args.progress,
        )
    except SeedError as error:
        sys.exit(f"seed: {error}")
    args.enrollments = ids["enrollments"]
    if args.seed_only:
        return {}
    courses = ids["courses"]
    free = dict(
        CourseLesson.objects.filter(course_id__in=courses, free_preview=True, is_live=True)
        .order_by("course_id", "position")
        .values_list("course_id", "lesson_id")
    )
    signed_in = ids["learners"][: args.tokens]
    videos = video_course.ensure(signed_in)
    learners = []
    for user in User.objects.filter(pk__in=signed_in):
        _session, refresh = services.session_start(
            email=user.email,
            password="load-test-password",  # noqa: S106  (the seeded learners')
            user_agent="load-test",
            ip_address="127.0.0.1",
        )
        enrolled = list(Enrollment.objects.filter(user=user).values_list("course_id", flat=True))
        lessons = {
            course_id: [
                str(x)
                for x in CourseLesson.objects.filter(course_id=course_id, is_live=True)
                .order_by("position")
                .values_list("lesson_id", flat=True)
            ]
            for course_id in enrolled
        }
        learners.append({"auth": f"Bearer {refresh.access_token}", "lessons": lessons})
    return {"courses": courses, "free": free, "learners": learners, "videos": videos}


def scenarios(data: dict, browse_courses: int) -> dict[str, list[str]]:
    """Endpoint name -> request lines for requests.lua."""
    from bench.load import video_course

    hot = data["courses"][:browse_courses]  # the pages people browse (cache working set)

    def line(path, auth="-", method="GET", body="-"):
        return f"{method}\t{path}\t{auth}\t{body}"

    learn_lessons, heartbeats, dashboards = [], [], []
    video_lesson = data["videos"]["lessons"][0]
    for learner in data["learners"]:
        dashboards.append(line("/api/v2/me/enrollments/", learner["auth"]))
        for course_id, lessons in learner["lessons"].items():
            for lesson in lessons:
                learn_lessons.append(
                    line(f"/api/v2/courses/{course_id}/lessons/{lesson}/", learner["auth"])
                )
        batch = video_course.heartbeat_batch(video_lesson, lambda: "{uuid}")  # wrk fills it
        heartbeats.append(
            line("/api/v2/progress/events/", learner["auth"], "POST", json.dumps(batch))
        )
    fields = "subtitle,level,language,price,currency,first_published_at"
    return {
        "healthz": [line("/healthz")],
        "bare Django JSON view": [line("/bench/bare/")],
        "catalog (20 per page)": [line("/api/v2/courses/")]
        + [line(f"/api/v2/courses/?page={n}") for n in range(2, 6)],
        "Wagtail API v2, same 20 pages": [
            line(f"/bench/wagtail/v2/pages/?type=cms.CoursePage&fields={fields}&limit=20")
        ],
        "catalog search": [line(f"/api/v2/courses/?q=course+{n}") for n in range(10)],
        "course + outline": [line(f"/api/v2/courses/{c}/") for c in hot],
        "lesson body (free preview)": [
            line(f"/api/v2/courses/{c}/lessons/{data['free'][c]}/") for c in hot
        ],
        "learn: lesson as its learner": learn_lessons,
        "learn: heartbeats (10 events)": heartbeats,
        PACED: heartbeats,
        "dashboard: my enrollments": dashboards,
    }


# The same heartbeats at a player's pace: each learner (connection) sends a batch, waits a
# second, sends the next (a real player sends one every 10 s), for latency at a known rate.
PACED = "learn: heartbeats paced (1 batch/s per learner)"
PACED_MS = 1000

METRIC = re.compile(r"^([a-zA-Z_:]+)(\{[^}]*\})? ([0-9.eE+-]+)$")


def counters(base: str) -> dict[str, float]:
    text = httpx.get(f"{base}/metrics", timeout=10).text
    totals = {"queries": 0.0, "hits": 0.0, "misses": 0.0}
    for raw in text.splitlines():
        match = METRIC.match(raw)
        if not match:
            continue
        name, value = match.group(1), float(match.group(3))
        if name == "django_db_execute_total":
            totals["queries"] += value
        elif name == "django_cache_get_hits_total":
            totals["hits"] += value
        elif name == "django_cache_get_misses_total":
            totals["misses"] += value
    return totals


def run_wrk(wrk: str, base: str, lines: list[str], args, clients: int, pause_ms: int = 0) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".tsv", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
        path = handle.name
    try:
        output = subprocess.run(  # noqa: S603  (wrk, fixed arguments)
            [
                wrk,
                f"-t{min(2, clients)}",
                f"-c{clients}",
                f"-d{args.seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(HERE / "requests.lua"),
                base,
                "--",
                path,
                str(min(2, clients)),
                str(pause_ms),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(path)
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=1000)
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument(
        "--enrollments",
        type=int,
        help="courses per learner (default: the fewest that hold --progress, at least 3)",
    )
    parser.add_argument("--progress", type=int, default=1_000_000, help="lesson progress rows")
    parser.add_argument(
        "--seed-only", action="store_true", help="migrate and seed the database, then stop"
    )
    parser.add_argument("--tokens", type=int, default=50, help="signed-in learners driving load")
    parser.add_argument("--browse-courses", type=int, default=200)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--heartbeat-clients", type=int, default=50, help="one connection per learner"
    )
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--port", type=int, default=8799)
    parser.add_argument("--db-mode", choices=["pool", "persistent"], default="pool")
    parser.add_argument("--app-dir", help="serve the product from this checkout instead")
    parser.add_argument("--only", help="regular expression: run only matching endpoints")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (migrated and seeded here).")
    if not os.environ.get("REDIS_URL"):
        sys.exit("Set REDIS_URL (the cache of the server under test).")
    wrk = None if args.seed_only else ensure_wrk()
    env = server_env(args)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    data = prepare(args)
    if args.seed_only:
        return
    plan = scenarios(data, args.browse_courses)
    base = f"http://127.0.0.1:{args.port}"
    command = [
        str(Path(sys.executable).parent / "uvicorn"),
        "config.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(args.port),
        "--lifespan",
        "off",
        "--no-server-header",
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    server = subprocess.Popen(command, cwd=args.app_dir or ROOT, env=env)  # noqa: S603
    results = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("the server did not start")
            time.sleep(0.3)
        for name, lines in plan.items():
            if args.only and not re.search(args.only, name):
                continue
            for raw in lines[: 5 if "heartbeat" in name else 2000]:  # warm caches, renditions
                method, path, auth, body = raw.split("\t")
                headers = {"Authorization": auth} if auth != "-" else {}
                httpx.request(
                    method,
                    base + path,
                    headers=headers,
                    content=None if body == "-" else body.replace("{uuid}", secrets.token_hex(16)),
                    timeout=30,
                ).raise_for_status() if method == "GET" else None
            before = counters(base)
            clients = args.heartbeat_clients if "heartbeat" in name else args.clients
            pause_ms = PACED_MS if name == PACED else 0
            result = run_wrk(wrk, base, lines, args, clients, pause_ms)
            result["clients"] = clients
            after = counters(base)
            requests = max(1, result["requests"])
            gets = (after["hits"] - before["hits"]) + (after["misses"] - before["misses"])
            result["rps"] = result["requests"] / result["seconds"]
            result["queries"] = (after["queries"] - before["queries"]) / requests
            result["hit_ratio"] = (after["hits"] - before["hits"]) / gets if gets else None
            results[name] = result
            print(f"{name}: {json.dumps(result)}", file=sys.stderr)
    finally:
        server.terminate()
        server.wait(timeout=30)
    report(results, args)


def report(results: dict, args) -> None:
    load = os.getloadavg()
    print(
        f"\nmachine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n"
        f"server: uvicorn config.asgi:application, 1 process, DB {args.db_mode}; "
        f"wrk {args.clients} connections ({args.heartbeat_clients} for heartbeats) x "
        f"{args.seconds} s per endpoint; "
        f"data: {args.courses} courses, {args.learners} learners, "
        f"{args.enrollments} enrollments each, {args.progress} progress rows\n"
    )
    bare = results.get("bare Django JSON view", {}).get("rps")
    wagtail = results.get("Wagtail API v2, same 20 pages", {}).get("rps")
    print(
        "| endpoint | req/s | p50 ms | p95 ms | p99 ms | errors | cache hits | "
        "queries/req | vs bare | vs Wagtail v2 |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, r in results.items():
        hits = "-" if r["hit_ratio"] is None else f"{r['hit_ratio'] * 100:.0f} %"
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
            f"{r['status_errors'] + r['socket_errors']} | {hits} | {r['queries']:.1f} | "
            f"{r['rps'] / bare:.2f} | {r['rps'] / wagtail:.1f} |"
            if bare and wagtail
            else f"| {name} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p95']:.1f} | "
            f"{r['p99']:.1f} | {r['status_errors'] + r['socket_errors']} | {hits} | "
            f"{r['queries']:.1f} | - | - |"
        )


if __name__ == "__main__":
    main()
