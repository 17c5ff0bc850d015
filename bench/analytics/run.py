"""Benchmark the analytics rollups and the course dashboard API on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unpuzzle_analytics \\
        .venv/bin/python bench/analytics/run.py --events 10000000 --courses 100 --days 365

1. Generates ``--events`` learning events over ``--courses`` courses, ``--learners`` learners
   and ``--days`` days in PostgreSQL itself (``INSERT … SELECT … generate_series``, in
   timestamp order, as an append-only log grows), unless the table already holds them
   (``--reuse``).
2. Runs every rollup from scratch once (the first deployment), timed per rollup.
3. Appends one new day of events (``events / days``) stored now, then times the incremental
   run of every rollup: the figure the issue asks for (one new day).
4. Times the course dashboard API (``/api/v2/analytics/courses/<id>/overview/`` and
   ``timeseries/`` over 30 days) in process, through Django's test client with a signed-in
   instructor: p50 / p95 / max of ``--requests`` requests each.
5. With ``--brin``: times the rebuild of one day without, then with the BRIN index on the event
   timestamp (migration ``0004``), and reports the index sizes (B-tree vs BRIN), then times
   another incremental new day with it. ``--brin-from-start`` keeps the BRIN index during
   steps 2-4 (as deployed); without it they run on the B-tree indexes only.

Results are printed and written as JSON next to this file.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/unpuzzle_analytics")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

# Verb mix of a busy platform: mostly lesson activity.
VERBS = [
    ("progressed", 40),
    ("lesson_started", 25),
    ("lesson_completed", 20),
    ("answered", 10),
    ("enrolled", 3),
    ("course_completed", 1),
    ("unenrolled", 1),
]
LESSONS_PER_COURSE = 20


def sql(statement: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])
        return cursor.fetchall() if cursor.description else None


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def verb_case(column: str) -> str:
    """A SQL CASE mapping ``column`` (0..99) to a verb by the weights of VERBS."""
    parts, edge = [], 0
    for verb, weight in VERBS:
        edge += weight
        parts.append(f"WHEN {column} < {edge} THEN '{verb}'")
    return "CASE " + " ".join(parts) + " END"


def ensure_people_and_courses(args) -> tuple[int, list[int], int]:
    """A real course (for the API) taught by an instructor, the learners (by SQL)."""
    from learning.accounts.models import User
    from tests.factories import UserFactory
    from tests.factories import courses as cf

    instructor = User.objects.filter(email="bench-instructor@example.com").first()
    if instructor is None:
        instructor = UserFactory(email="bench-instructor@example.com")
        from django.contrib.auth.models import Group

        teach = Group.objects.filter(name__icontains="instructor").first()
        if teach:
            instructor.groups.add(teach)
    from cms.models import CoursePage

    course = CoursePage.objects.filter(title="Bench analytics course").first()
    if course is None:
        course = cf.course(instructors=[instructor], title="Bench analytics course")
    have = User.objects.filter(email__startswith="bench-learner-").count()
    if have < args.learners:
        sql(
            """
            INSERT INTO accounts_user (password, is_superuser, first_name, last_name, is_staff,
                is_active, date_joined, email, avatar, bio, display_name, language, timezone)
            SELECT '!', false, 'Learner', g::text, false, true,
                   now() - (g %% %s) * interval '1 day', 'bench-learner-' || g || '@example.com',
                   '', '', '', 'en', 'UTC'
            FROM generate_series(%s, %s) g
            """,
            [args.days, have + 1, args.learners],
        )
    first, last = sql(
        "SELECT min(id), max(id) FROM accounts_user WHERE email LIKE 'bench-learner-%%'"
    )[0]
    course_ids = [course.pk] + [1_000_000 + n for n in range(1, args.courses)]
    return instructor.pk, course_ids, (first, last)


def generate(args, course_ids, learners, *, start: datetime, days: float, count: int) -> float:
    """``count`` events evenly over ``days`` from ``start`` (timestamp order), stored now."""
    first, last = learners
    span = last - first + 1
    courses = "ARRAY[" + ",".join(str(c) for c in course_ids) + "]::bigint[]"
    seconds = days * 86400
    # A learner does several things in a course on a day they learn: each course-day draws
    # its actors from ``--learners-per-course-day`` learners (a uniform draw over all learners
    # would make nearly every event its own learner-day, unlike any real log).
    per_day = max(1, int(count / max(days, 1)))
    per_course_day = args.learners_per_course_day
    # Only numbers computed here go into the text; the start time is a parameter.
    statement = f"""
        INSERT INTO analytics_learningevent
            (actor_id, verb, object_type, object_id, course_id, result, context, timestamp,
             stored_at)
        SELECT {first} + ((c * 7919 + (g / {per_day}) * 104729 + hashint %% {per_course_day})
                          %% {span}),
               {verb_case("(hashint / 7) %% 100")},
               'lesson',
               md5(c::text || '-' || ((hashint / 13) %% {LESSONS_PER_COURSE}))::uuid::text,
               c,
               '{{}}'::jsonb, '{{}}'::jsonb,
               %s::timestamptz + (g * {seconds / count}) * interval '1 second',
               now()
        FROM (
            SELECT g, abs(hashint4(g)) AS hashint,
                   ({courses})[1 + abs(hashint4(g + 1)) %% {len(course_ids)}] AS c
            FROM generate_series(0, {count - 1}) g
        ) s
    """  # noqa: S608
    elapsed, _ = timed(sql, statement, [start])
    return elapsed


def rollups_from_scratch(upto) -> dict[str, float]:
    from learning.analytics import rollups, services
    from learning.analytics.models import RollupState

    RollupState.objects.all().delete()
    out = {}
    for name in rollups.REGISTRY:
        out[name], _ = timed(services.rollup_run, name, upto=upto)
    return out


def rollups_incremental(upto) -> dict[str, dict]:
    from learning.analytics import rollups, services

    out = {}
    for name in rollups.REGISTRY:
        seconds, run = timed(services.rollup_run, name, upto=upto)
        out[name] = {"seconds": round(seconds, 3), "keys": run.keys}
    return out


def api_latency(instructor_id: int, course_id: int, requests: int) -> dict:
    from django.test import Client

    from learning.accounts.models import User

    client = Client()
    client.force_login(User.objects.get(pk=instructor_id))
    base = f"/api/v2/analytics/courses/{course_id}/"
    out = {}
    for path in ("overview/", "timeseries/?interval=day", "lessons/", "learners/?page_size=20"):
        for _ in range(5):  # warm-up: connections, caches, first-request imports
            client.get(base + path, HTTP_HOST="localhost")
        samples = []
        for _ in range(requests):
            start = time.perf_counter()
            response = client.get(base + path, HTTP_HOST="localhost")
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.content[:300]
        samples.sort()
        out[path] = {
            "p50_ms": round(statistics.median(samples), 1),
            "p95_ms": round(samples[int(0.95 * len(samples)) - 1], 1),
            "max_ms": round(samples[-1], 1),
        }
    return out


def day_rebuild(day) -> float:
    from learning.analytics import rollups

    seconds, _ = timed(rollups.course_day, day)
    return seconds


def sizes() -> dict:
    rows = sql(
        """
        SELECT c.relname, pg_relation_size(c.oid)
        FROM pg_class c JOIN pg_index i ON i.indexrelid = c.oid
        WHERE i.indrelid = 'analytics_learningevent'::regclass
        """
    )
    return {
        "table_bytes": sql("SELECT pg_relation_size('analytics_learningevent')")[0][0],
        "indexes": dict(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--courses", type=int, default=100)
    parser.add_argument("--learners", type=int, default=50_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--learners-per-course-day", type=int, default=40)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="keep the events already there")
    parser.add_argument(
        "--brin", action="store_true", help="time one day's rebuild without, then with BRIN"
    )
    parser.add_argument(
        "--brin-from-start",
        action="store_true",
        help="keep the BRIN index (the migration's) during the rollup runs",
    )
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "the benchmark runs on PostgreSQL"
    call_command("migrate", verbosity=0)
    report: dict = {"args": vars(args), "cpus": os.cpu_count()}

    instructor, course_ids, learners = ensure_people_and_courses(args)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=args.days)
    existing = sql("SELECT count(*) FROM analytics_learningevent")[0][0]
    if not args.reuse or existing == 0:
        sql("TRUNCATE analytics_learningevent CASCADE")
        seconds = generate(
            args, course_ids, learners, start=start, days=args.days, count=args.events
        )
        sql("ANALYZE analytics_learningevent")
        report["generate_seconds"] = round(seconds, 1)
        print(f"generated {args.events:,} events in {seconds:.1f} s", flush=True)
    report["events"] = sql("SELECT count(*) FROM analytics_learningevent")[0][0]
    report["sizes_before_brin"] = sizes()

    from django.utils import timezone

    brin = "analytics_event_timestamp_brin"
    if args.brin_from_start:
        sql(
            f"CREATE INDEX IF NOT EXISTS {brin} ON analytics_learningevent "
            "USING brin (timestamp) WITH (pages_per_range = 32)"
        )
    else:
        sql(f"DROP INDEX IF EXISTS {brin}")
    sql("ANALYZE analytics_learningevent")
    report["brin_during_rollups"] = bool(args.brin_from_start)
    full = rollups_from_scratch(timezone.now() + timedelta(seconds=1))
    report["full_rollup_seconds"] = {k: round(v, 1) for k, v in full.items()}
    print("full rollup", report["full_rollup_seconds"], flush=True)

    # One new day: yesterday's events arrive (stored now).
    per_day = args.events // args.days
    new_day_start = today
    seconds = generate(args, course_ids, learners, start=new_day_start, days=0.99, count=per_day)

    upto = timezone.now() + timedelta(seconds=1)
    incremental = rollups_incremental(upto)
    report["new_day_events"] = per_day
    report["new_day_insert_seconds"] = round(seconds, 2)
    report["incremental_rollup"] = incremental
    report["incremental_total_seconds"] = round(
        sum(item["seconds"] for item in incremental.values()), 2
    )
    print("incremental", incremental, flush=True)

    report["api"] = api_latency(instructor, course_ids[0], args.requests)
    print("api", report["api"], flush=True)

    day = (today - timedelta(days=10)).date()
    if args.brin:
        sql(f"DROP INDEX IF EXISTS {brin}")
        report["one_day_rebuild_seconds_without_brin"] = round(day_rebuild(day), 3)
        seconds, _ = timed(
            sql,
            f"CREATE INDEX {brin} ON analytics_learningevent "
            "USING brin (timestamp) WITH (pages_per_range = 32)",
        )
        sql("ANALYZE analytics_learningevent")
        report["brin_create_seconds"] = round(seconds, 1)
        report["one_day_rebuild_seconds_brin"] = round(day_rebuild(day), 3)
        report["sizes_after_brin"] = sizes()
        generate(args, course_ids, learners, start=today + timedelta(days=1), days=0.99,
                 count=per_day)  # fmt: skip
        report["incremental_rollup_with_brin"] = rollups_incremental(
            timezone.now() + timedelta(seconds=1)
        )
    print(json.dumps(report, indent=2, default=str))
    out = Path(__file__).with_name(f"results-{datetime.now(UTC):%Y-%m-%d}-{args.events}.json")
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
