from __future__ import annotations

import httpx
import pytest
from rest_framework.test import APIClient

from tests.support.processes import asgi_server, celery_worker, test_database_env


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


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
    with django_db_blocker.unblock():
        env = test_database_env()
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
        }
    finally:
        server.stop()
