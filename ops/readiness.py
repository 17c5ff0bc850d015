"""Readiness checks: can this process reach everything it needs to serve traffic?

Each check runs in its own thread and the whole round is bounded by
``READINESS_TIMEOUT_SECONDS``, so a dependency that hangs is reported as down instead of
holding the probe open.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import connections


@dataclass
class CheckResult:
    name: str
    ok: bool
    duration_ms: float
    error: str = ""
    info: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data: dict = {"ok": self.ok, "duration_ms": round(self.duration_ms, 1)}
        if self.error:
            data["error"] = self.error
        if self.info:
            data.update(self.info)
        return data


def check_database() -> dict:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"vendor": connection.vendor}
    finally:
        connection.close()  # this runs in a worker thread: give the connection back


def check_cache() -> dict:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    try:
        if cache.get(key) != "1":
            raise RuntimeError("value written to the cache could not be read back")
    finally:
        cache.delete(key)
    return {"backend": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]}


def check_broker() -> dict:
    from config.celery import app

    if settings.CELERY_BROKER_IS_FILESYSTEM:
        for folder in settings.CELERY_FILESYSTEM_FOLDERS:
            folder.mkdir(parents=True, exist_ok=True)
            if not os.access(folder, os.W_OK):
                raise RuntimeError(f"broker folder {folder.name!r} is not writable")
        return {"transport": "filesystem"}
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=0, timeout=settings.READINESS_TIMEOUT_SECONDS)
        return {"transport": conn.transport_cls}


def check_storage() -> dict:
    storage = default_storage
    bucket_name = getattr(storage, "bucket_name", None)
    if bucket_name:  # S3-compatible storage: the bucket must exist and be reachable
        storage.connection.meta.client.head_bucket(Bucket=bucket_name)
        return {"backend": "s3"}
    location = storage.location
    os.makedirs(location, exist_ok=True)
    if not os.access(location, os.W_OK):
        raise RuntimeError("media folder is not writable")
    return {"backend": "filesystem"}


def check_ffmpeg() -> dict:
    """The media pipeline's transcoder: found (system or bundled) and runs."""
    from media_pipeline import ffmpeg

    return ffmpeg.version()


CHECKS: dict[str, Callable[[], dict]] = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
    "ffmpeg": check_ffmpeg,
}


def _timed(name: str, func: Callable[[], dict]) -> CheckResult:
    start = time.perf_counter()
    try:
        info = func() or {}
    except Exception as exc:  # any failure means "not ready"; report it, never raise
        elapsed = (time.perf_counter() - start) * 1000
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return CheckResult(name, False, elapsed, f"{type(exc).__name__}: {message}"[:300])
    return CheckResult(name, True, (time.perf_counter() - start) * 1000, info=info)


def run_checks(checks: dict[str, Callable[[], dict]] | None = None) -> list[CheckResult]:
    checks = checks if checks is not None else CHECKS
    timeout = settings.READINESS_TIMEOUT_SECONDS
    executor = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {name: executor.submit(_timed, name, func) for name, func in checks.items()}
    wait(futures.values(), timeout=timeout)
    executor.shutdown(wait=False, cancel_futures=True)
    results = []
    for name, future in futures.items():
        if future.done():
            results.append(future.result())
        else:
            results.append(
                CheckResult(name, False, timeout * 1000, f"no answer within {timeout:g} s")
            )
    return results
