"""Cookie mode for first-party browser clients: the refresh token lives in an httpOnly cookie
scripts cannot read; refresh and logout take it from there only with the custom header."""

import time

import pytest

from learning.accounts.models import AuthSession
from tests.factories.accounts import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db

COOKIE = "unpuzzle_refresh"


def login(api_client, student):
    return api_client.post(
        "/api/v2/auth/token/",
        {"email": student.email, "password": DEFAULT_PASSWORD, "refresh_cookie": True},
        format="json",
    )


def test_login_sets_an_http_only_cookie_and_returns_no_refresh_token(api_client, student):
    response = login(api_client, student)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["refresh"] == ""
    assert body["access"]
    cookie = response.cookies[COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Strict"
    assert cookie["path"] == "/api/v2/auth/"
    assert cookie.value.count(".") == 2  # a JWT

    # Without cookie mode nothing changes: the token is in the body, no cookie is set.
    plain = api_client.post(
        "/api/v2/auth/token/", {"email": student.email, "password": DEFAULT_PASSWORD}
    )
    assert plain.json()["refresh"]
    assert COOKIE not in plain.cookies


def test_refresh_rotates_the_cookie_and_needs_the_header(api_client, student):
    first = login(api_client, student)
    old = first.cookies[COOKIE].value
    session_id = first.json()["session_id"]

    # The cookie alone (what a cross-site form post would carry) is refused, nothing rotates.
    refused = api_client.post("/api/v2/auth/token/refresh/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["code"] == "validation_error" or "refresh" in refused.json()["errors"]
    assert api_client.cookies[COOKIE].value == old

    time.sleep(1)  # a new token differs from the old one (iat)
    refreshed = api_client.post(
        "/api/v2/auth/token/refresh/", {}, format="json", HTTP_X_REFRESH_COOKIE="1"
    )
    assert refreshed.status_code == 200, refreshed.json()
    assert refreshed.json()["refresh"] == ""
    assert refreshed.json()["session_id"] == session_id
    new = refreshed.cookies[COOKIE].value
    assert new and new != old
    assert refreshed.cookies[COOKIE]["httponly"] is True

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {refreshed.json()['access']}")
    assert api_client.get("/api/v2/me/").status_code == 200
    api_client.credentials()


def test_logout_by_cookie_ends_the_session_and_clears_the_cookie(api_client, student):
    first = login(api_client, student)
    session_id = first.json()["session_id"]
    response = api_client.post("/api/v2/auth/logout/", {}, format="json", HTTP_X_REFRESH_COOKIE="1")
    assert response.status_code == 204
    assert response.cookies[COOKIE].value == ""
    assert AuthSession.objects.get(pk=session_id).revoke_reason == "logout"
    api_client.cookies[COOKIE] = first.cookies[COOKIE].value
    again = api_client.post(
        "/api/v2/auth/token/refresh/", {}, format="json", HTTP_X_REFRESH_COOKIE="1"
    )
    assert again.status_code == 401
