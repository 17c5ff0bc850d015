"""Benchmark: certificate PDFs and issuing certificates with real Celery workers.

1. **Render**: ``pdf.render`` of one certificate, N times in this process (what the render
   task spends besides storage and one UPDATE).
2. **Issue**: M learners complete one course; every completion's ``course_completed`` task
   is queued *twice* back to back (a redelivered task, two workers racing on the same
   enrollment), and W real Celery worker processes (prefork, C children each) issue the
   certificates and render and store their PDFs. The run ends when every certificate has its
   PDF, or fails after ``--timeout`` seconds. Then it checks: exactly one certificate per
   enrollment, one PDF file per certificate.

Usage (from the repository root). PostgreSQL + Redis, the setting the target is about:

    createdb -h 127.0.0.1 -U postgres unpuzzle_bench_certificates
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/unpuzzle_bench_certificates \\
    REDIS_URL=redis://127.0.0.1:6379/14 .venv/bin/python bench/certificates/run.py

Without them it runs on the embedded default (SQLite, filesystem broker). Files go to its own
``var/bench-certificates``. Prints a JSON summary (``--json PATH`` writes it too).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("VAR_DIR", str(ROOT / "var" / "bench-certificates"))
os.environ.pop("AWS_STORAGE_BUCKET_NAME", None)
os.environ["DEBUG"] = "false"
os.environ["LOG_LEVEL"] = "WARNING"


def setup_django():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def bench_render(n: int) -> dict:
    from django.utils import timezone

    from learning.certificates import pdf

    content = pdf.CertificateContent(
        code="ABCD-EFGH-IJKL-MNOP-QRST-UVWX",
        holder_name="Maximiliane Ødegaard-Lindqvist",
        course_title="Data Wrangling with Python: From Spreadsheets to Pipelines",
        instructors=("Ada Lovelace", "Grace Hopper"),
        completed_at=timezone.now(),
        hours=12.5,
        verification_url="https://lms.example.com/certificates/verify/ABCD-EFGH-IJKL-MNOP-QRST-UVWX/",
        issuer_name="Unpuzzle LMS",
        signatory="Head of Learning",
    )
    pdf.render(content)  # fonts loaded once per process
    times, size = [], 0
    for _ in range(n):
        start = time.perf_counter()
        size = len(pdf.render(content))
        times.append((time.perf_counter() - start) * 1000)
    return {
        "renders": n,
        "mean_ms": round(statistics.mean(times), 1),
        "p50_ms": round(percentile(times, 50), 1),
        "p95_ms": round(percentile(times, 95), 1),
        "max_ms": round(max(times), 1),
        "pdf_bytes": size,
    }


def make_completions(m: int, run: str):
    """One live course with two readings, and ``m`` learners who completed it."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from learning.enrollment.models import Enrollment
    from tests.factories.certificates import reading_course

    course, _ = reading_course(title=f"Benchmark course {run}")
    User = get_user_model()
    users = User.objects.bulk_create(
        [
            User(
                email=f"bench-{run}-{i}@example.com",
                first_name="Learner",
                last_name=f"Number {i}",
                password="!",  # noqa: S106 (unusable password)
            )
            for i in range(m)
        ]
    )
    now = timezone.now()
    enrollments = Enrollment.objects.bulk_create(
        [
            Enrollment(
                user=user, course=course, status="completed", completed_at=now, source="admin"
            )
            for user in users
        ]
    )
    return course, [e.pk for e in enrollments]


def start_workers(count: int, concurrency: int) -> list[subprocess.Popen]:
    bin_dir = Path(sys.executable).parent
    procs = []
    for i in range(count):
        procs.append(
            subprocess.Popen(  # noqa: S603 (our own worker command)
                [
                    str(bin_dir / "celery"),
                    "-A",
                    "config",
                    "worker",
                    "--pool=prefork",
                    f"--concurrency={concurrency}",
                    "-Q",
                    "default",
                    "-n",
                    f"bench-cert-{i}-{os.getpid()}@%h",
                    "--loglevel=WARNING",
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                ],
                cwd=ROOT,
                env=dict(os.environ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    return procs


def bench_issue(m: int, workers: int, concurrency: int, timeout: float) -> dict:
    from django.db.models import Count

    from learning.certificates import files
    from learning.certificates.models import Certificate
    from learning.progress.tasks import course_completed

    run = uuid.uuid4().hex[:8]
    course, enrollment_ids = make_completions(m, run)
    procs = start_workers(workers, concurrency)
    try:
        start = time.perf_counter()
        for pk in enrollment_ids:
            course_completed.delay(pk)
            course_completed.delay(pk)  # delivered twice: both copies race to issue
        queued = time.perf_counter() - start
        issued_at = rendered_at = None
        rows = Certificate.objects.filter(course=course)
        while time.perf_counter() - start < timeout:
            issued = rows.count()
            if issued_at is None and issued >= m:
                issued_at = time.perf_counter() - start
            if rows.exclude(pdf="").count() >= m:
                rendered_at = time.perf_counter() - start
                break
            time.sleep(0.5)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
    duplicates = rows.values("enrollment").annotate(n=Count("pk")).filter(n__gt=1).count()
    store = files.storage()
    stored = sum(1 for name in rows.values_list("pdf", flat=True) if name and store.exists(name))
    return {
        "learners": m,
        "tasks_queued": 2 * m,
        "workers": f"{workers} x prefork {concurrency}",
        "queue_seconds": round(queued, 1),
        "all_issued_seconds": round(issued_at, 1) if issued_at else None,
        "all_pdfs_seconds": round(rendered_at, 1) if rendered_at else None,
        "certificates": rows.count(),
        "enrollments_with_a_certificate": rows.values("enrollment").distinct().count(),
        "enrollments_with_duplicates": duplicates,
        "pdfs_stored": stored,
        "finished": rendered_at is not None,
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--renders", type=int, default=200)
    parser.add_argument("--learners", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--json")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    result = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}",
        "database": connection.vendor,
        "broker": settings.CELERY_BROKER_URL.split(":", 1)[0],
        "render": bench_render(args.renders),
    }
    print(json.dumps(result, indent=2), flush=True)
    result["issue"] = bench_issue(args.learners, args.workers, args.concurrency, args.timeout)
    print(json.dumps(result["issue"], indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    ok = (
        result["issue"]["finished"]
        and result["issue"]["certificates"] == args.learners
        and result["issue"]["enrollments_with_duplicates"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
