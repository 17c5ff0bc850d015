"""Benchmark quiz grading and submission (``POST /api/v2/attempts/{id}/submit/``).

Two measurements, both bounded in time (about two minutes together on a 2-core machine):

``grading``  in this process, on one learner and a 50-question quiz (every question type,
             answers all right so the first pass also completes the lesson):
             (a) the graders alone (``grading.grade_answers``), (b) the ``attempt_submit``
             service (lock, grade, record, progress hook: the server's work), (c) the whole
             HTTP request through Django's test client (auth, parsing, serializing). Each
             ``--repeat`` times on fresh attempts; median, p95, max in milliseconds, and the
             SQL statements of one submission.
``burst``    ``--learners`` learners (200) each with an open attempt whose answers are saved
             submit at the same moment against ``uvicorn config.asgi:application``
             (``--workers`` processes) over HTTP, one connection per learner. Reports the
             latency distribution, the wall time to drain the burst, the status codes, and
             checks in the database that every attempt was graded exactly once (none lost).

Defaults: database ``postgres://postgres@127.0.0.1:5432/unpuzzle_bench_assessment``
(created, migrated and seeded idempotently), Redis ``redis://127.0.0.1:6379/13``; both
overridable with ``DATABASE_URL`` / ``REDIS_URL``. Results are printed and written as JSON
(``--out``).

    .venv/bin/python bench/assessment/attempts.py                # both
    .venv/bin/python bench/assessment/attempts.py --only grading --repeat 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/unpuzzle_bench_assessment"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/13"
COURSE_SLUG = "bench-assessment"
LEARNER_EMAIL = "bench-quiz-{:03}@example.com"
QUESTIONS = 50


def configure_environment() -> dict[str, str]:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench-assessment"))
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


def seed(learners: int) -> dict:
    """A live course: a reading, then a 50-question quiz (unlimited attempts); ``learners``
    verified learners enrolled. Idempotent."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cms.models import CourseLesson, CoursePage
    from learning.accounts.models import User
    from learning.enrollment.models import Enrollment
    from tests.factories import UserFactory
    from tests.factories import assessment as af
    from tests.factories import learning as lf

    course = CoursePage.objects.filter(slug=COURSE_SLUG).first()
    if course is None:
        course, _, _ = af.quiz_course(
            reading=True,
            quiz=af.numbered_quiz(QUESTIONS, attempt_limit=0),
            title="Assessment benchmark",
            slug=COURSE_SLUG,
        )
    lesson = CourseLesson.objects.get(course=course, kind="quiz", is_live=True)
    users = []
    for n in range(learners):
        email = LEARNER_EMAIL.format(n)
        # No password (hashing hundreds costs minutes on a busy machine): tokens are issued
        # directly, see access_token().
        user = User.objects.filter(email=email).first() or UserFactory(email=email, password=None)
        if not Enrollment.objects.current().filter(user=user, course=course).exists():
            lf.enroll(user, course)
        users.append(user)
    return {"course": course, "lesson": lesson, "users": users}


def reset(users) -> None:
    """Forget the learners' attempts, grades and quiz progress: every run starts the same."""
    from learning.analytics.models import LearningEvent
    from learning.assessment.models import AttemptRegrade, QuizAttempt, QuizGrade
    from learning.progress.models import LessonProgress

    ids = [u.pk for u in users]
    AttemptRegrade.objects.filter(attempt__user_id__in=ids).delete()
    QuizAttempt.objects.filter(user_id__in=ids).delete()
    QuizGrade.objects.filter(user_id__in=ids).delete()
    LessonProgress.objects.filter(user_id__in=ids).delete()
    LearningEvent.objects.filter(actor_id__in=ids).delete()


def right_answers(lesson, attempt) -> dict:
    from learning.assessment import content
    from tests.factories.assessment import right_answer

    quiz = content.quiz_at(attempt.revision_id, str(lesson.lesson_id))
    return {qid: right_answer(key) for qid, key in quiz.keys.items()}


def open_attempt(user, data, *, save: bool = True):
    from learning.assessment import services

    course, lesson = data["course"], data["lesson"]
    attempt, _ = services.attempt_start(user=user, course=course, lesson=lesson)
    answers = right_answers(lesson, attempt)
    if save:
        services.attempt_answers_save(user=user, attempt_id=attempt.pk, answers=answers)
    return attempt, answers


def access_token(user) -> str:
    """A signed-in session's access token, as ``session_start`` issues it (without the
    password check: the bench measures submissions, not sign-ins)."""
    import uuid

    from learning.accounts import services
    from learning.accounts.models import AuthSession

    session_id = uuid.uuid4()
    refresh = services._issue_refresh(user, session_id)
    AuthSession.objects.create(
        id=session_id,
        user=user,
        refresh_jti=refresh["jti"],
        user_agent="bench/assessment",
        expires_at=services._expiry(refresh),
    )
    return str(refresh.access_token)


def stats(values: list[float]) -> dict:
    ordered = sorted(values)
    return {
        "n": len(ordered),
        "median_ms": round(statistics.median(ordered), 3),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 3),
        "max_ms": round(ordered[-1], 3),
    }


def measure_grading(data: dict, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from learning.assessment import content, grading, services
    from learning.assessment.models import QuizAttempt

    user = data["users"][0]
    reset([user])
    attempt, answers = open_attempt(user, data)
    quiz = content.quiz_at(attempt.revision_id, str(data["lesson"].lesson_id))
    ids = [item["id"] for item in attempt.layout]

    graders = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = grading.grade_answers(quiz.keys, ids, answers, quiz.pass_mark)
        graders.append((time.perf_counter() - t0) * 1000)
    assert result.passed and result.percent == 100

    service, cpu = [], []
    first = True
    for _ in range(repeat):
        attempt, _ = open_attempt(user, data)
        t0, c0 = time.perf_counter(), time.process_time()
        with CaptureQueriesContext(connection) as queries:
            services.attempt_submit(user=user, attempt_id=attempt.pk)
        service.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        if first:
            sql = [q["sql"][:120] for q in queries.captured_queries]
            first = False

    client = APIClient()
    client.force_authenticate(user)
    http, http_cpu = [], []
    for _ in range(repeat):
        attempt, _ = open_attempt(user, data)
        t0, c0 = time.perf_counter(), time.process_time()
        response = client.post(
            f"/api/v2/attempts/{attempt.pk}/submit/", {}, format="json", SERVER_NAME="127.0.0.1"
        )
        http.append((time.perf_counter() - t0) * 1000)
        http_cpu.append((time.process_time() - c0) * 1000)
        assert response.status_code == 200 and response.json()["percent"] == 100
    graded = QuizAttempt.objects.filter(user=user, status="submitted").count()
    return {
        "questions": len(ids),
        "graders_only": stats(graders),
        "submit_service": stats(service),
        "submit_service_cpu": stats(cpu),
        "submit_http_in_process": stats(http),
        "submit_http_in_process_cpu": stats(http_cpu),
        "statements_per_submit": len(sql),
        "statements": sql,
        "attempts_graded": graded,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict, workers: int):
    import httpx

    port = free_port()
    command = [
        str(Path(sys.executable).parent / "uvicorn"),
        "config.asgi:application",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--workers", str(workers),
        "--lifespan", "off",
        "--no-access-log",
        "--log-level", "warning",
    ]  # fmt: skip
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


async def _burst(
    base: str, jobs: list[tuple[int, str]], timeout: float, retries: int
) -> list[dict]:
    import httpx

    results: list[dict] = []
    clients = [httpx.AsyncClient(base_url=base, timeout=timeout) for _ in jobs]
    try:
        # Open every connection first, so the burst measures submissions, not TCP setup.
        await asyncio.gather(*(c.get("/healthz") for c in clients))
        gate = asyncio.Event()

        async def one(client, attempt_id, token):
            await gate.wait()
            t0 = time.perf_counter()
            tries, statuses = 0, []
            while True:
                tries += 1
                try:
                    response = await client.post(
                        f"/api/v2/attempts/{attempt_id}/submit/",
                        json={},
                        headers={"Authorization": f"Bearer {token}"},
                    )
                    status = response.status_code
                    code = response.json().get("code") if status >= 400 else None
                except (httpx.HTTPError, ValueError) as exc:
                    status, code = type(exc).__name__, None
                statuses.append(status)
                # A client retries what the server could not answer (it is safe: the second
                # of two submissions is refused, attempt_already_submitted).
                if status == 200 or code == "attempt_already_submitted" or tries >= retries:
                    break
                if isinstance(status, int) and status < 500:
                    break
                await asyncio.sleep(min(8.0, 0.5 * 2**tries))
            results.append(
                {
                    "status": status,
                    "first_status": statuses[0],
                    "tries": tries,
                    "ms": (time.perf_counter() - t0) * 1000,
                }
            )

        tasks = [
            asyncio.create_task(one(c, attempt_id, token))
            for c, (attempt_id, token) in zip(clients, jobs, strict=True)
        ]
        await asyncio.sleep(0.2)
        started = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        results.append({"wall_s": time.perf_counter() - started})
    finally:
        await asyncio.gather(*(c.aclose() for c in clients))
    return results


def measure_burst(env: dict, data: dict, workers: int, timeout: float, retries: int) -> dict:
    from django.db import close_old_connections

    from learning.assessment.models import QuizAttempt, QuizGrade
    from learning.progress.models import LessonProgress

    users = data["users"]
    reset(users)
    jobs = []
    for user in users:
        attempt, _ = open_attempt(user, data)
        jobs.append((attempt.pk, access_token(user)))
    close_old_connections()
    server, base = start_server(env, workers)
    try:
        outcome = asyncio.run(_burst(base, jobs, timeout, retries))
    finally:
        server.terminate()
        server.wait(timeout=30)
    wall = outcome.pop()["wall_s"]
    codes: dict[str, int] = {}
    first: dict[str, int] = {}
    for row in outcome:
        codes[str(row["status"])] = codes.get(str(row["status"]), 0) + 1
        first[str(row["first_status"])] = first.get(str(row["first_status"]), 0) + 1
    ids = [u.pk for u in users]
    graded = QuizAttempt.objects.filter(user_id__in=ids, status="submitted").count()
    grades = QuizGrade.objects.filter(user_id__in=ids, attempts_graded=1, passed=True).count()
    completed = LessonProgress.objects.filter(
        user_id__in=ids, lesson=data["lesson"], status="completed"
    ).count()
    return {
        "learners": len(users),
        "server_workers": workers,
        "pool_max_size": env.get("DATABASE_POOL_MAX_SIZE", "10"),
        "status_codes_final": codes,
        "status_codes_first_try": first,
        "retried_learners": sum(1 for row in outcome if row["tries"] > 1),
        "latency_until_graded": stats([row["ms"] for row in outcome]),
        "latency_first_try_successes": stats(
            [row["ms"] for row in outcome if row["tries"] == 1 and row["status"] == 200] or [0.0]
        ),
        "drain_wall_s": round(wall, 3),
        "submissions_per_s": round(len(users) / wall, 1),
        "attempts_graded_in_db": graded,
        "grades_recorded": grades,
        "lessons_completed": completed,
        "none_lost": graded == grades == completed == len(users),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["grading", "burst"])
    parser.add_argument("--repeat", type=int, default=100, help="grading: submissions measured")
    parser.add_argument("--learners", type=int, default=200, help="burst: learners at once")
    parser.add_argument("--workers", type=int, default=2, help="burst: uvicorn processes")
    parser.add_argument("--timeout", type=float, default=120.0, help="burst: per request")
    parser.add_argument(
        "--retries", type=int, default=6, help="burst: tries per learner (5xx, transport)"
    )
    parser.add_argument(
        "--pool", type=int, default=10, help="burst: server's DATABASE_POOL_MAX_SIZE"
    )
    parser.add_argument("--out", default=str(ROOT / "var" / "bench-assessment" / "results.json"))
    args = parser.parse_args()

    env = configure_environment()
    create_database(env["DATABASE_URL"])
    data = seed(args.learners)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": os.getloadavg(),
        },
    }
    if args.only in (None, "grading"):
        report["grading"] = measure_grading(data, args.repeat)
        print(json.dumps({k: v for k, v in report["grading"].items() if k != "statements"}))
    if args.only in (None, "burst"):
        env["DATABASE_POOL_MAX_SIZE"] = str(args.pool)
        report["burst"] = measure_burst(env, data, args.workers, args.timeout, args.retries)
        print(json.dumps(report["burst"]))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2))
    print(f"written to {args.out}")


if __name__ == "__main__":
    main()
