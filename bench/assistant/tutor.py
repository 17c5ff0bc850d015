# ruff: noqa: S106, S311, S603, S607  (a local benchmark: fixed local passwords, seeded data, PATH tools)
"""Benchmark the AI tutor on PostgreSQL: index build time and retrieval latency over a
generated 500-lesson course with 20 hours of transcripts; SSE first-token overhead and
concurrent streams under uvicorn against a local OpenAI-compatible server.

    .venv/bin/python bench/assistant/tutor.py [--queries 500] [--streams 100] [--skip-sse]

Defaults: database ``postgres://postgres@127.0.0.1:5432/unpuzzle_bench_tutor`` (created and
migrated when missing; ``DATABASE_URL`` overrides), Redis ``redis://127.0.0.1:6379/9``
(``REDIS_URL``). Everything is local; nothing calls the internet. Results are printed and
written to ``bench/assistant/results-<date>-<commit>.json``.

Bounded in time: the generated course is built once and reused; each phase has a budget.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
COURSE_SLUG = "bench-tutor-500"
SECTIONS, LESSONS_PER_SECTION = 10, 50
VIDEO_SECONDS = 288  # 250 videos x 288 s = 20 hours
CUE_SECONDS = 4.0
SYLLABLES = [
    "ba",
    "be",
    "bi",
    "bo",
    "bu",
    "da",
    "de",
    "di",
    "do",
    "du",
    "ka",
    "ke",
    "ki",
    "ko",
    "ku",
    "la",
    "le",
    "li",
    "lo",
    "lu",
    "ma",
    "me",
    "mi",
    "mo",
    "mu",
    "na",
    "ne",
    "ni",
    "no",
    "nu",
    "ra",
    "re",
    "ri",
    "ro",
    "ru",
    "sa",
    "se",
    "si",
    "so",
    "su",
    "ta",
    "te",
    "ti",
    "to",
    "tu",
    "va",
    "ve",
    "vi",
    "vo",
    "vu",
]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def configure() -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/unpuzzle_bench_tutor")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/9")
    os.environ["DEBUG"] = "false"
    os.environ["LOG_LEVEL"] = "WARNING"
    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    subprocess.run(
        ["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True, check=False
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return dict(os.environ)


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


def sentence(rng, vocab, n) -> str:
    return " ".join(rng.choice(vocab) for _ in range(n)).capitalize() + "."


def build_course(rng: random.Random):
    """A live course: 10 sections x 50 lessons, every other lesson a video with a 288 s
    transcript (cues of 4 s), the others readings of ~250 words."""
    from django.contrib.auth import get_user_model
    from wagtail.signals import page_published

    from cms.models import CourseInstructor, CoursePage, SectionPage
    from learning.accounts import roles
    from learning.demo.courses import ensure_catalog
    from learning.demo.services import ensure_home_page
    from media_pipeline.models import CaptionTrack, TranscriptSegment, VideoAsset

    existing = CoursePage.objects.filter(slug=COURSE_SLUG).first()
    if existing is not None:
        if existing.live and SectionPage.objects.live().child_of(existing).count() == SECTIONS:
            return existing
        existing.delete()  # left half-built by an interrupted run
    # Indexing is timed separately below, not queued on every section publish.
    page_published.disconnect(dispatch_uid="assistant.reindex")
    roles.sync_roles()
    User = get_user_model()
    owner, _ = User.objects.get_or_create(
        email="bench-instructor@example.com", defaults={"email_verified_at": datetime.now(UTC)}
    )
    owner.groups.add(roles.sync_roles()[roles.INSTRUCTOR])
    catalog = ensure_catalog(ensure_home_page())
    vocab = vocabulary(rng)
    course = CoursePage(title="Bench tutor course", slug=COURSE_SLUG, owner=owner, live=False)
    catalog.add_child(instance=course)
    course.course_instructors = [CourseInstructor(user=owner)]
    course.save_revision(user=owner).publish()
    n = 0
    for s in range(SECTIONS):
        lessons = []
        for _ in range(LESSONS_PER_SECTION):
            n += 1
            title = f"Lesson {n}: " + " ".join(rng.choice(vocab) for _ in range(3))
            if n % 2:
                asset = VideoAsset.objects.create(
                    owner=owner,
                    title=title,
                    original_filename="v.mp4",
                    content_type="video/mp4",
                    size_bytes=1,
                    upload_part_size=1,
                    status=VideoAsset.Status.READY,
                    duration_seconds=VIDEO_SECONDS,
                    original=f"bench/{n}.mp4",
                )
                track = CaptionTrack.objects.create(
                    asset=asset, language="en", label="English", file=f"bench/{n}.vtt"
                )
                cues = int(VIDEO_SECONDS / CUE_SECONDS)
                TranscriptSegment.objects.bulk_create(
                    TranscriptSegment(
                        track=track,
                        position=i,
                        start_seconds=i * CUE_SECONDS,
                        end_seconds=(i + 1) * CUE_SECONDS,
                        text=sentence(rng, vocab, 10),
                    )
                    for i in range(cues)
                )
                lessons.append(
                    (
                        "video",
                        {
                            "title": title,
                            "estimated_minutes": 5,
                            "video": {"video": asset, "title": "", "caption": ""},
                            "checkpoints": [],
                            "notes": f"<p>{sentence(rng, vocab, 30)}</p>",
                        },
                    )
                )
            else:
                lessons.append(
                    (
                        "reading",
                        {
                            "title": title,
                            "estimated_minutes": 5,
                            "content": [
                                ("paragraph", f"<p>{sentence(rng, vocab, 50)}</p>")
                                for _ in range(5)
                            ],
                        },
                    )
                )
        section = SectionPage(title=f"Section {s + 1}", lessons=lessons, owner=owner, live=False)
        course.add_child(instance=section)
        section.save_revision(user=owner).publish()
        print(f"  built section {s + 1}/{SECTIONS}", flush=True)
    return course


def bench_index(course) -> dict:
    from learning.assistant.models import Passage
    from learning.assistant.services import course_index_rebuild

    times = []
    for _ in range(3):
        began = time.perf_counter()
        count = course_index_rebuild(course_id=course.pk)
        times.append(time.perf_counter() - began)
    kinds = dict(
        Passage.objects.filter(course=course)
        .values_list("kind")
        .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("pk"))
    )
    return {"passages": count, "by_kind": kinds, "seconds": [round(t, 2) for t in times]}


def bench_retrieval(course, queries: int, rng: random.Random) -> dict:
    from learning.assistant.models import Passage
    from learning.assistant.selectors import passages_search

    passages = list(Passage.objects.filter(course=course).values_list("lesson_id", "body"))
    from django.db import connection

    from learning.assistant.selectors import postgres_search_sql, query_terms

    latencies, cpu, server, found = [], [], [], 0
    for _ in range(20):  # warm up
        passages_search(course_id=course.pk, query="warm up query", limit=4, config="english")
    for n in range(queries):
        lesson_id, body = rng.choice(passages)
        words = body.split()
        start = rng.randrange(max(1, len(words) - 6))
        query = "what does " + " ".join(words[start : start + rng.randint(3, 6)]) + " mean?"
        began, began_cpu = time.perf_counter(), time.process_time()
        hits = passages_search(course_id=course.pk, query=query, limit=4, config="english")
        latencies.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        found += any(h.passage.lesson_id == lesson_id for h in hits[:3])
        if n % 5 == 0:  # PostgreSQL's own execution time of the search query
            with connection.cursor() as cursor:
                cursor.execute(
                    "EXPLAIN (ANALYZE, FORMAT JSON) " + postgres_search_sql(),
                    ["english", " | ".join(query_terms(query)), course.pk, 4],
                )
                plan = cursor.fetchone()[0]
                plan = json.loads(plan) if isinstance(plan, str) else plan
                server.append(plan[0]["Execution Time"] + plan[0]["Planning Time"])
    return {
        "queries": queries,
        "p50_ms": round(percentile(latencies, 50), 2),
        "p95_ms": round(percentile(latencies, 95), 2),
        "p99_ms": round(percentile(latencies, 99), 2),
        "max_ms": round(max(latencies), 2),
        "client_cpu_ms_p50": round(percentile(cpu, 50), 2),
        "client_cpu_ms_p95": round(percentile(cpu, 95), 2),
        "postgres_plan_and_execution_ms_p50": round(percentile(server, 50), 3),
        "postgres_plan_and_execution_ms_p95": round(percentile(server, 95), 3),
        "source_lesson_in_top3": round(found / queries, 3),
    }


def learner_token(course) -> str:
    from django.contrib.auth import get_user_model

    from cms.models import CoursePage
    from learning.accounts import services as accounts
    from learning.assistant.models import UsageCounter
    from learning.assistant.services import tutor_plan_set
    from learning.enrollment.models import Enrollment
    from learning.enrollment.services import enrollment_create

    course = CoursePage.objects.get(pk=course.pk)
    User = get_user_model()
    user = User.objects.filter(email="bench-learner@example.com").first()
    if user is None:
        user = User.objects.create_user(
            email="bench-learner@example.com",
            password="bench-password-1",
            email_verified_at=datetime.now(UTC),
        )
    if not Enrollment.objects.current().filter(user=user, course=course).exists():
        enrollment_create(user=user, course=course, source="admin")
    tutor_plan_set(user=user, plan="enterprise")
    UsageCounter.objects.filter(user=user).delete()
    _, refresh = accounts.session_start(
        email=user.email, password="bench-password-1", user_agent="bench", ip_address="127.0.0.1"
    )
    return str(refresh.access_token)


async def _stream(client, url, headers, body) -> tuple[float | None, float, bool]:
    first = None
    began = time.monotonic()
    ok = False
    async with client.stream("POST", url, json=body, headers=headers) as response:
        async for line in response.aiter_lines():
            if line.startswith("event: delta") and first is None:
                first = time.monotonic()
            if line.startswith("event: done"):
                ok = True
    return first, time.monotonic() - began, ok


async def _sse(base, token, course_id, sequential, concurrent, server) -> dict:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=500)) as client:
        conversation = (
            await client.post(
                f"{base}/api/v2/assistant/conversations/",
                json={"course_id": course_id},
                headers=headers,
            )
        ).json()
        url = f"{base}/api/v2/assistant/conversations/{conversation['id']}/messages/stream/"
        body = {"content": "what does the first lesson say"}
        overheads = []
        for _ in range(sequential):
            server.first_chunk_at.clear()
            first, _, ok = await _stream(client, url, headers, body)
            assert ok and first is not None
            overheads.append((first - server.first_chunk_at[0]) * 1000)
        # Concurrent streams while /healthz is polled: is the event loop ever blocked?
        health: list[float] = []
        stop = asyncio.Event()

        async def poll() -> None:
            while not stop.is_set():
                began = time.monotonic()
                with contextlib.suppress(httpx.HTTPError):  # counted at the time it took
                    await client.get(f"{base}/healthz", timeout=30)
                health.append((time.monotonic() - began) * 1000)
                await asyncio.sleep(0.05)

        poller = asyncio.create_task(poll())
        began = time.monotonic()
        results = await asyncio.gather(
            *(_stream(client, url, headers, body) for _ in range(concurrent)),
            return_exceptions=True,
        )
        wall = time.monotonic() - began
        stop.set()
        await poller
    completed = [r for r in results if isinstance(r, tuple) and r[2]]
    durations = [r[1] for r in completed]
    return {
        "first_token_overhead_ms": {
            "runs": sequential,
            "p50": round(percentile(overheads, 50), 2),
            "p95": round(percentile(overheads, 95), 2),
            "max": round(max(overheads), 2),
        },
        "concurrent": {
            "streams": concurrent,
            "completed": len(completed),
            "errors": [repr(r)[:200] for r in results if not isinstance(r, tuple)][:5],
            "wall_seconds": round(wall, 2),
            "stream_seconds_p50": round(percentile(durations, 50), 2) if durations else None,
            "stream_seconds_max": round(max(durations), 2) if durations else None,
            "healthz_ms_p50": round(percentile(health, 50), 2),
            "healthz_ms_p95": round(percentile(health, 95), 2),
            "healthz_ms_max": round(max(health), 2),
            "healthz_samples": len(health),
        },
    }


def bench_sse(env: dict, course, sequential: int, concurrent: int, tokens: int, delay: float):
    from tests.support.openai_server import fake_openai_server

    token = learner_token(course)
    with fake_openai_server() as server:
        server.token_delay = delay
        server.reply = lambda body: " ".join(f"tok{i}" for i in range(tokens))
        server_env = {
            **env,
            "ASSISTANT_PROVIDER": "openai",
            "OPENAI_API_KEY": "bench",
            "OPENAI_BASE_URL": server.url,
            # Enough threads and connections for the database work of 100 streams (asgiref
            # defaults to min(32, CPUs + 4) threads).
            "DATABASE_POOL_MAX_SIZE": "40",
            "ASGI_THREADS": "40",
        }
        with uvicorn(server_env) as base:
            return asyncio.run(_sse(base, token, course.pk, sequential, concurrent, server))


@contextlib.contextmanager
def uvicorn(env: dict):
    """The ASGI app under one uvicorn process, its log in a file (a pipe nobody reads
    would fill up and stall the server)."""
    import httpx

    from tests.support.processes import BIN, free_port

    port = free_port()
    log = Path(__file__).with_name("uvicorn.log").open("w")
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
            "--lifespan",
            "off",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--sequential", type=int, default=30)
    parser.add_argument("--streams", type=int, default=100)
    parser.add_argument("--tokens", type=int, default=20)
    parser.add_argument("--token-delay", type=float, default=0.05)
    parser.add_argument("--skip-sse", action="store_true")
    parser.add_argument("--skip-index", action="store_true")
    args = parser.parse_args()
    env = configure()
    rng = random.Random(15)
    began = time.perf_counter()
    course = build_course(rng)
    results = {"built_seconds": round(time.perf_counter() - began, 1)}
    if not args.skip_index:
        print("indexing …", flush=True)
        results["index"] = bench_index(course)
        print(json.dumps(results["index"]), flush=True)
    results["retrieval_after_rebuilds"] = bench_retrieval(course, args.queries, rng)
    print(json.dumps(results["retrieval_after_rebuilds"]), flush=True)
    # What autovacuum does after a rebuild (every rebuild replaces all of a course's rows).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE assistant_passage")
    results["retrieval"] = bench_retrieval(course, args.queries, rng)
    print(json.dumps(results["retrieval"]), flush=True)
    if not args.skip_sse:
        results["sse"] = bench_sse(
            env, course, args.sequential, args.streams, args.tokens, args.token_delay
        )
        print(json.dumps(results["sse"]), flush=True)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT
    ).stdout.strip()
    results["commit"] = commit
    results["cpus"] = os.cpu_count()
    out = Path(__file__).with_name(f"results-{datetime.now(UTC):%Y-%m-%d}-{commit}.json")
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"written {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
