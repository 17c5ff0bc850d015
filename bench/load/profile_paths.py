"""CPU and wall time per request of the read and heartbeat paths, in process (Django's test
client: the whole middleware chain and view, no network, one request at a time), with an
optional cProfile of one path.

    createdb -h 127.0.0.1 -U postgres unpuzzle_prof
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unpuzzle_prof \
    REDIS_URL=redis://127.0.0.1:6379/5 .venv/bin/python bench/load/profile_paths.py \
        [--only catalog,heartbeats] [--profile heartbeats] [--n 300]

Runs under the load test's settings (``bench.load.settings``: production settings, PostgreSQL
with the pool, Redis), migrates and seeds a small data set (5 courses, 60 learners, the video
course of the heartbeat scenario) on first use.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", help="comma-separated path names")
    parser.add_argument("--profile", help="profile this path name (cumulative and own time)")
    parser.add_argument("--n", type=int, default=300, help="requests per path")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (migrated and seeded here).")

    from bench.load.run import server_env

    class _Args:
        db_mode = "pool"
        app_dir = None

    os.environ.update({k: v for k, v in server_env(_Args).items() if k != "PYTHONPATH"})
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench.load import video_course
    from bench.load.seed import seed
    from cms.models import CourseLesson
    from learning.accounts import services
    from learning.accounts.models import User

    call_command("migrate", verbosity=0)
    ids = seed(courses=5, learners=60, enrollments=3, progress=100, log=lambda *a: None)
    user = User.objects.get(pk=ids["learners"][0])
    _session, refresh = services.session_start(
        email=user.email,
        password="load-test-password",  # noqa: S106  (the seeded learners')
        user_agent="profile",
        ip_address="127.0.0.1",
    )
    auth = f"Bearer {refresh.access_token}"
    videos = video_course.ensure([user.pk])
    course = ids["courses"][0]
    free = (
        CourseLesson.objects.filter(course_id=course, free_preview=True)
        .values_list("lesson_id", flat=True)
        .first()
    )
    client = Client(HTTP_HOST="127.0.0.1", HTTP_ACCEPT="application/json")

    def heartbeats():
        batch = video_course.heartbeat_batch(videos["lessons"][0], lambda: secrets.token_hex(16))
        return client.post(
            "/api/v2/progress/events/",
            data=json.dumps(batch),
            content_type="application/json",
            HTTP_AUTHORIZATION=auth,
        )

    paths = {
        "healthz": lambda: client.get("/healthz"),
        "bare": lambda: client.get("/bench/bare/"),
        "catalog": lambda: client.get("/api/v2/courses/"),
        "course": lambda: client.get(f"/api/v2/courses/{course}/"),
        "lesson": lambda: client.get(f"/api/v2/courses/{course}/lessons/{free}/"),
        "learner lesson": lambda: client.get(
            f"/api/v2/courses/{videos['course']}/lessons/{videos['lessons'][0]}/",
            HTTP_AUTHORIZATION=auth,
        ),
        "heartbeats": heartbeats,
    }
    only = set(args.only.split(",")) if args.only else set(paths)
    for name, request in paths.items():
        if name not in only:
            continue
        response = request()
        assert response.status_code == 200, (name, response.status_code, response.content[:300])
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.n):
            request()
        wall = (time.perf_counter() - started) / args.n * 1e6
        used = (time.process_time() - cpu) / args.n * 1e6
        print(f"{name}: {wall:.0f} µs wall, {used:.0f} µs CPU per request")
        if args.profile == name:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.n):
                request()
            profile.disable()
            out = io.StringIO()
            stats = pstats.Stats(profile, stream=out)
            stats.sort_stats("cumulative").print_stats(40)
            stats.sort_stats("tottime").print_stats(25)
            print(out.getvalue())


if __name__ == "__main__":
    main()
