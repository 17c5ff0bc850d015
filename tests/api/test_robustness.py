"""Requests an attacker or a fuzzer sends: answered with the documented problem shape and a
4xx, never a 500, never HTML, never a traceback (found by schema fuzzing and probes)."""

import contextlib
import uuid

import pytest
from django.test import Client, override_settings
from django.urls import path

from tests.factories import courses as cf

pytestmark = pytest.mark.django_db

TOO_LARGE = "99999999999999999999"  # beyond a signed 64-bit integer
EDGE = str(2**63 - 1)  # the largest id: valid syntax, no such row


def assert_problem(response, status: int, code: str | None = None):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    if code:
        assert body["code"] == code
    assert "Traceback" not in response.content.decode()
    return body


@pytest.mark.parametrize("number", [TOO_LARGE, EDGE])
@pytest.mark.parametrize(
    ("method", "template"),
    [
        ("get", "/api/v2/courses/{n}/"),
        ("get", "/api/v2/courses/{n}/lessons/{lesson}/"),
        ("get", "/api/v2/courses/{n}/enrollment/"),
        ("post", "/api/v2/courses/{n}/enrollment/"),
        ("get", "/api/v2/courses/{n}/roster/"),
        ("get", "/api/v2/courses/{n}/roster/export/"),
        ("delete", "/api/v2/courses/{n}/roster/{n}/"),
        ("delete", "/api/v2/courses/{n}/roster/invitations/{n}/"),
        ("post", "/api/v2/courses/{n}/lessons/{lesson}/complete/"),
        ("get", "/api/v2/media/videos/{n}/"),
        ("get", "/api/v2/media/videos/{n}/captions/"),
        ("get", "/api/v2/media/videos/{n}/playback/"),
        ("get", "/api/v2/media/uploads/{n}/"),
        ("put", "/api/v2/users/{n}/roles/"),
    ],
)
def test_ids_beyond_64_bits_are_404_not_500(method, template, number, as_user, admin_user):
    client = as_user(admin_user)
    url = template.format(n=number, lesson=uuid.uuid4())
    response = getattr(client, method)(url, {}, format="json")
    assert_problem(response, 404)


def test_catalog_instructor_filter_beyond_64_bits_is_400(api_client):
    response = api_client.get("/api/v2/courses/", {"instructor": TOO_LARGE})
    body = assert_problem(response, 400, "invalid")
    assert set(body["errors"]) == {"instructor"}


@pytest.mark.parametrize(
    "query",
    ['"', '"unbalanced', "a AND", "NEAR(", "*", "py*", "-", "title:x", "(", "'; DROP --", "{{x}}"],
)
def test_search_with_full_text_operators_never_fails(api_client, query):
    cf.course(title="Python for snakes")
    response = api_client.get("/api/v2/courses/", {"q": query})
    assert response.status_code == 200, response.content[:300]
    assert isinstance(response.json()["results"], list)


def test_search_keeps_finding_words_around_punctuation(api_client):
    course = cf.course(title="Python for snakes")
    response = api_client.get("/api/v2/courses/", {"q": '"python'})
    assert [c["id"] for c in response.json()["results"]] == [course.pk]


def _boom(request):
    raise RuntimeError("secret internals")


urlpatterns = [path("api/v2/boom/", _boom)]


@override_settings(DEBUG=True)
def test_unknown_api_paths_are_problem_json_even_with_debug_on():
    response = Client().get("/api/v2/no-such-endpoint/")
    assert_problem(response, 404, "not_found")
    assert "urlpatterns" not in response.content.decode()


@override_settings(DEBUG=True, ROOT_URLCONF=__name__)
def test_server_errors_under_api_are_problem_json_without_traceback_even_with_debug_on():
    response = Client(raise_request_exception=False).get("/api/v2/boom/")
    assert_problem(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_unknown_api_paths_are_api_404s_for_every_method(method):
    # Never the site's pages: a POST there would be a CSRF failure page.
    response = getattr(Client(), method)("/api/v2/auth/login/", {}, content_type="application/json")
    assert_problem(response, 404, "not_found")


@pytest.mark.django_db(transaction=True)
def test_an_exhausted_connection_pool_answers_503_busy_with_retry_after():
    """A burst that takes every pooled connection: a request that cannot get one in time is
    told the service is busy (503, Retry-After, problem JSON), not a server error."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql" or "pool" not in connection.settings_dict["OPTIONS"]:
        pytest.skip("the connection pool exists on PostgreSQL only (the CI's second run)")
    cf.course(title="Busy")
    pool = connection.pool
    from psycopg_pool import PoolTimeout

    held = []
    with contextlib.suppress(PoolTimeout):
        while True:  # take every connection the pool will give
            held.append(pool.getconn(timeout=0.5))
    saved_timeout, pool.timeout = pool.timeout, 0.3
    answers = []

    def request():
        try:
            answers.append(Client().get("/api/v2/courses/"))
        finally:
            connections.close_all()

    try:
        thread = threading.Thread(target=request)
        thread.start()
        thread.join(30)
    finally:
        pool.timeout = saved_timeout
        for conn in held:
            pool.putconn(conn)
    (response,) = answers
    assert response.status_code == 503, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    assert response["Retry-After"] == "2"
    assert response.json()["code"] == "service_busy"
    # Connections free again: the same request succeeds.
    assert Client().get("/api/v2/courses/").status_code == 200
