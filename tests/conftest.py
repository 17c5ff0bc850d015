from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from tests.support.processes import asgi_server, celery_worker


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture(scope="session")
def live_asgi_url():
    """The project's ASGI application served by a real uvicorn process."""
    with asgi_server() as url:
        yield url


@pytest.fixture(scope="session")
def worker():
    """A real Celery worker process consuming every queue from the configured broker."""
    with celery_worker() as proc:
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
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="test-access",
        aws_secret_access_key="test-secret",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket="unpuzzle-test")
    try:
        yield {"endpoint": endpoint, "bucket": "unpuzzle-test", "client": client}
    finally:
        server.stop()
