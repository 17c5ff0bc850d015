import io
import json
import logging
import logging.config
import uuid

import pytest


@pytest.fixture
def console_log():
    """What the project's console handler writes during the test."""
    handler = next(
        h for h in logging.getLogger().handlers if getattr(h, "filters", None) and h.formatter
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz")
    request_id = response["X-Request-ID"]
    assert uuid.UUID(hex=request_id)
    assert client.get("/healthz")["X-Request-ID"] != request_id


def test_a_valid_incoming_request_id_is_kept_and_a_bogus_one_replaced(client):
    given = uuid.uuid4().hex
    assert client.get("/healthz", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="evil\nvalue")["X-Request-ID"]
    assert replaced != "evil\nvalue"
    assert uuid.UUID(hex=replaced)


@pytest.mark.django_db
def test_log_lines_of_a_request_carry_its_id(client, console_log):
    given = uuid.uuid4().hex
    client.get("/api/v2/no-such-endpoint/", HTTP_X_REQUEST_ID=given)  # logs a 404 warning
    lines = [line for line in console_log.getvalue().splitlines() if "no-such-endpoint" in line]
    assert lines, console_log.getvalue()
    assert f"[{given}]" in lines[0]


def test_json_log_format():
    from django.conf import settings

    config = settings.LOGGING["formatters"]["json"]
    formatter = logging.config.DictConfigurator({}).configure_custom(dict(config))
    record = logging.LogRecord("lms", logging.WARNING, __file__, 1, "hello %s", ("world",), None)
    record.correlation_id = "abc123"
    data = json.loads(formatter.format(record))
    assert data["message"] == "hello world"
    assert data["level"] == "WARNING"
    assert data["request_id"] == "abc123"
    assert "time" in data


@pytest.mark.django_db
def test_metrics_are_exposed_for_prometheus(client, settings):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert (
        "django_http_requests_total_by_method_total" in text
        or "django_http_requests_total_by_method" in text
    )


@pytest.mark.django_db
def test_metrics_include_database_queries_and_cache_hits(client, api_client):
    from django.core.cache import cache

    cache.set("metrics-probe", 0)
    assert cache.get("metrics-probe", "default") == 0  # a falsy value is still a hit
    assert cache.get("metrics-absent", "default") == "default"
    api_client.get("/api/v2/courses/")  # runs queries
    text = client.get("/metrics").content.decode()
    assert "django_db_execute_total{" in text
    assert "django_cache_get_hits_total{" in text and "django_cache_get_misses_total{" in text


def test_metrics_can_require_a_token(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200
