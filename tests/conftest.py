from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from rest_framework.test import APIClient

from tests.support.processes import asgi_server, celery_worker, test_database_env
from tests.support.roles import roles  # noqa: F401  (the role matrix fixture)

# Every API response of a test client is checked against the OpenAPI schema.
pytest_plugins = ["tests.support.contract"]

# Tests using these fixtures run real processes: they are end to end, and slow.
E2E_FIXTURES = {"live_asgi_url", "worker", "worker_mail_dir", "s3_server"}


def pytest_collection_modifyitems(config, items):
    """Mark end-to-end tests (by the real-process fixtures they use) ``e2e`` and ``slow``;
    other slow tests carry ``@pytest.mark.slow`` themselves. ``make test-fast`` runs
    ``pytest -m "not slow"``."""
    for item in items:
        if E2E_FIXTURES & set(getattr(item, "fixturenames", ())) or item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _clean_cache():
    """Throttle counters and cached values never leak from one test into the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_revision_caches():
    """Quizzes read from revisions are cached per process; a rolled-back test database may
    reuse a revision id (SQLite), so every test starts with empty caches."""
    from learning.assessment import content

    content.quiz_at.cache_clear()
    content.checkpoints_at.cache_clear()
    yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def run_tasks_in_process():
    """Run Celery tasks in this process when queued (after commit), for tests that check
    what a task did (emails) without a worker. End-to-end tests use the ``worker`` fixture."""
    from config.celery import app

    previous = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = previous


@pytest.fixture
def worker_mail_dir(worker):
    """Where the worker's file-based email backend writes; emptied for each test."""
    from django.conf import settings

    folder = Path(settings.EMAIL_FILE_PATH)
    for old in folder.glob("*.log"):
        old.unlink()
    return folder


@pytest.fixture(scope="session")
def live_asgi_url(django_db_setup, django_db_blocker):
    """The project's ASGI application served by a real uvicorn process on the test database.

    Data a test wants the server to see must be committed: use ``transactional_db``.
    """
    with django_db_blocker.unblock():
        env = test_database_env()
    with asgi_server(env) as url:
        yield url


@pytest.fixture(scope="session")
def worker(django_db_setup, django_db_blocker):
    """A real Celery worker process on every queue, using the test database.

    Tasks run in another process, so rows they read must be committed: use
    ``transactional_db`` in tests that need the worker to see data.
    """
    from django.conf import settings

    with django_db_blocker.unblock():
        env = test_database_env(
            TEST_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend"
        )
    env_mail_dir = Path(settings.EMAIL_FILE_PATH)
    env_mail_dir.mkdir(parents=True, exist_ok=True)
    with celery_worker(env) as proc:
        yield proc


@pytest.fixture
def s3_server():
    """A real S3-compatible endpoint (moto's standalone server) with an empty bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    from tests.support.processes import free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its state per process: start every test from an empty S3.
    httpx.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test-access",
        aws_secret_access_key="test-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="unpuzzle-test")
    try:
        # "stop" takes the endpoint away mid-test (storage outage); stopping twice is harmless.
        yield {
            "endpoint": endpoint,
            "bucket": "unpuzzle-test",
            "client": client,
            "stop": server.stop,
            # A STORAGES entry for the bucket (the product's S3 storage, path-style URLs).
            "storage": {
                "BACKEND": "config.storage.S3Storage",
                "OPTIONS": {
                    "bucket_name": "unpuzzle-test",
                    "endpoint_url": endpoint,
                    "access_key": "test-access",
                    "secret_key": "test-secret",
                    "region_name": "us-east-1",
                    "addressing_style": "path",
                    "signature_version": "s3v4",
                    "file_overwrite": False,
                },
            },
        }
    finally:
        server.stop()


# --- People in every role -------------------------------------------------------------------


@pytest.fixture
def student(db):
    from tests.factories import UserFactory

    return UserFactory(email="student@example.com")


@pytest.fixture
def unverified(db):
    from tests.factories import UserFactory

    return UserFactory(email="unverified@example.com", email_verified_at=None)


@pytest.fixture
def other_student(db):
    from tests.factories import UserFactory

    return UserFactory(email="other.student@example.com")


@pytest.fixture
def instructor(db):
    from tests.factories import UserFactory

    return UserFactory(email="instructor@example.com", roles=["instructor"])


@pytest.fixture
def other_instructor(db):
    from tests.factories import UserFactory

    return UserFactory(email="other.instructor@example.com", roles=["instructor"])


@pytest.fixture
def editor(db):
    from tests.factories import UserFactory

    return UserFactory(email="editor@example.com", roles=["editor"])


@pytest.fixture
def admin_user(db):
    from tests.factories import AdminFactory

    return AdminFactory(email="admin@example.com")


@pytest.fixture
def as_user():
    """``as_user(user)`` -> an APIClient carrying a real access token for ``user``."""
    from tests.support.auth import jwt_client

    return jwt_client


class ManualClock:
    """A clock that moves only when told to (thread-safe): ``clock.advance(seconds)``."""

    def __init__(self, now) -> None:
        import threading

        self.now = now
        self._lock = threading.Lock()

    def __call__(self):
        with self._lock:
            return self.now

    def advance(self, seconds: float):
        from datetime import timedelta

        with self._lock:
            self.now += timedelta(seconds=seconds)
            return self.now


@pytest.fixture
def progress_clock(monkeypatch):
    """Replace the progress services' clock (``learning.progress.services.clock``) by a
    :class:`ManualClock` starting now, so minutes of playing pass without waiting."""
    from django.utils import timezone

    from learning.progress import services

    clock = ManualClock(timezone.now())
    monkeypatch.setattr(services, "clock", clock)
    return clock
