"""Benchmark the course content API under uvicorn: requests/s and p95 latency of the catalog,
outline and lesson endpoints at N concurrent clients, next to a bare Django JSON view on the
same server.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unpuzzle_courses_bench \
    REDIS_URL=redis://127.0.0.1:6379/4 VAR_DIR=var/bench-courses \
    .venv/bin/python bench/courses/run.py --concurrency 32 --seconds 15 --workers 2

It migrates the database, loads the demo data plus 40 more published courses (5 sections of
10 lessons each), starts uvicorn, warms every endpoint once and then measures each endpoint
in turn with a closed loop of N clients (httpx, HTTP/1.1 keep-alive).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def seed(extra_courses: int) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.courses.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo_data", stdout=open(os.devnull, "w"))  # noqa: SIM115
    from cms.models import CourseIndexPage, CourseInstructor, CoursePage, SectionPage
    from learning.accounts.models import User

    instructor = User.objects.get(email="instructor@example.com")
    catalog = CourseIndexPage.objects.get()
    lesson = (
        "reading",
        {
            "title": "Lesson",
            "summary": "",
            "estimated_minutes": 5,
            "free_preview": True,
            "content": [("paragraph", "<p>Benchmark text.</p>" * 20)],
        },
    )
    for n in range(extra_courses):
        slug = f"bench-course-{n:03}"
        if CoursePage.objects.filter(slug=slug).exists():
            continue
        course = CoursePage(title=f"Bench course {n}", slug=slug, live=False)
        catalog.add_child(instance=course)
        course.course_instructors = [CourseInstructor(user=instructor)]
        course.tags.add("bench")
        course.save_revision().publish()
        for s in range(5):
            section = SectionPage(title=f"Section {s}", lessons=[lesson] * 10, live=False)
            course.add_child(instance=section)
            section.save_revision().publish()
    big = CoursePage.objects.get(slug="bench-course-000")
    first = SectionPage.objects.child_of(big).order_by("path").first()
    return {"course": big.pk, "lesson": first.lessons[0].id}


async def measure(url: str, concurrency: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:

        async def worker():
            nonlocal errors
            while time.perf_counter() < deadline:
                start = time.perf_counter()
                response = await client.get(url)
                latencies.append(time.perf_counter() - start)
                errors += response.status_code != 200

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[int(len(latencies) * 0.95) - 1] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--courses", type=int, default=40)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (it is migrated and seeded).")
    ids = seed(args.courses)
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.courses.settings")
    server = subprocess.Popen(  # noqa: S603  (our own uvicorn, fixed arguments)
        [
            str(Path(sys.executable).parent / "uvicorn"),
            "config.asgi:application",
            "--port",
            str(args.port),
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{args.port}"
    endpoints = {
        "bare Django JSON view": f"{base}/bench/bare/",
        "catalog (20 per page)": f"{base}/api/v2/courses/",
        "course + outline": f"{base}/api/v2/courses/{ids['course']}/",
        "lesson body": f"{base}/api/v2/courses/{ids['course']}/lessons/{ids['lesson']}/",
    }
    try:
        for _ in range(100):
            try:
                if httpx.get(endpoints["bare Django JSON view"]).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        for url in endpoints.values():  # warm caches and renditions
            assert httpx.get(url).status_code == 200, url
        results = {
            name: asyncio.run(measure(url, args.concurrency, args.seconds))
            for name, url in endpoints.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=20)
    bare = results["bare Django JSON view"]["rps"]
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, uvicorn --workers {args.workers}, "
        f"{args.concurrency} clients, {args.seconds:.0f}s per endpoint"
    )
    print("| endpoint | requests | errors | req/s | p50 ms | p95 ms | req/s vs bare |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['requests']} | {r['errors']} | {r['rps']:.0f} | "
            f"{r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['rps'] / bare:.2f} |"
        )


if __name__ == "__main__":
    main()
