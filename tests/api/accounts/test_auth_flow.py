"""The whole sign-up and sign-in life cycle, through the HTTP API only."""

import re
import time

import pytest
from django.core import mail

from learning.accounts.models import AuthSession, User

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_tasks_in_process")]

PASSWORD = "a-long-unusual-passphrase-17"


def link_token(message) -> str:
    match = re.search(r"token=([^\s&\"']+)", message.body)
    assert match, message.body
    from urllib.parse import unquote

    return unquote(match.group(1))


def register(api_client, django_capture_on_commit_callbacks, email="New.Person@Example.com"):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v2/auth/register/",
            {"email": email, "password": PASSWORD, "first_name": "New", "last_name": "Person"},
        )
    return response


def test_register_verify_login_refresh_reuse_logout(
    api_client, django_capture_on_commit_callbacks, settings
):
    response = register(api_client, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "New.Person@example.com"
    assert body["roles"] == ["student"]
    assert body["email_verified"] is False
    assert "password" not in body

    # The verification email went out after commit, rendered as text and HTML.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["New.Person@example.com"]
    assert "Confirm your email address" in message.subject
    assert message.alternatives[0][1] == "text/html"
    token = link_token(message)

    verified = api_client.post("/api/v2/auth/verify-email/", {"token": token})
    assert verified.status_code == 200
    assert verified.json()["email_verified"] is True
    again = api_client.post("/api/v2/auth/verify-email/", {"token": token})
    assert again.status_code == 400
    assert again.json()["code"] == "token_used"

    # Login with the address in another case.
    login = api_client.post(
        "/api/v2/auth/token/",
        {"email": "new.person@EXAMPLE.com", "password": PASSWORD},
        HTTP_USER_AGENT="Firefox on Linux",
    )
    assert login.status_code == 200, login.json()
    tokens = login.json()
    assert {
        "access",
        "refresh",
        "access_expires_at",
        "refresh_expires_at",
        "session_id",
        "user",
    } <= set(tokens)

    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    me = api_client.get("/api/v2/me/")
    assert me.status_code == 200
    assert me.json()["email"] == "New.Person@example.com"
    api_client.credentials()

    time.sleep(1)  # a new token pair differs from the old one (iat)
    refreshed = api_client.post("/api/v2/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["refresh"] != tokens["refresh"]
    assert new["session_id"] == tokens["session_id"]

    # Reusing the spent refresh token (later than a racing tab would) is refused and signs
    # the whole session out.
    settings.REFRESH_RACE_GRACE_SECONDS = 0
    reused = api_client.post("/api/v2/auth/token/refresh/", {"refresh": tokens["refresh"]})
    assert reused.status_code == 401
    assert reused.json()["code"] == "token_reused"
    after = api_client.post("/api/v2/auth/token/refresh/", {"refresh": new["refresh"]})
    assert after.status_code == 401
    assert after.json()["code"] == "session_revoked"
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {new['access']}")
    assert api_client.get("/api/v2/me/").status_code == 401
    api_client.credentials()

    # A fresh login, then logout: its refresh and access tokens stop working.
    login = api_client.post(
        "/api/v2/auth/token/", {"email": "new.person@example.com", "password": PASSWORD}
    ).json()
    assert api_client.post("/api/v2/auth/logout/", {"refresh": login["refresh"]}).status_code == 204
    assert (
        api_client.post("/api/v2/auth/token/refresh/", {"refresh": login["refresh"]}).status_code
        == 401
    )
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {login['access']}")
    assert api_client.get("/api/v2/me/").status_code == 401
    session = AuthSession.objects.get(pk=login["session_id"])
    assert session.revoke_reason == "logout"


def test_register_rejects_an_address_differing_only_by_case(
    api_client, student, django_capture_on_commit_callbacks
):
    response = register(api_client, django_capture_on_commit_callbacks, email="STUDENT@example.com")
    assert response.status_code == 400
    assert response.json()["code"] == "email_taken"
    assert User.objects.filter(email__iexact="student@example.com").count() == 1
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("payload", "field", "code"),
    [
        ({"password": PASSWORD}, "email", "required"),
        ({"email": "x@example.com"}, "password", "required"),
        ({"email": "not-an-email", "password": PASSWORD}, "email", "invalid"),
        ({"email": "x@example.com", "password": "short"}, "password", "invalid"),
        ({"email": "x@example.com", "password": "password123"}, "password", "invalid"),
        (
            {"email": "x@example.com", "password": PASSWORD, "first_name": "x" * 151},
            "first_name",
            "max_length",
        ),
        (
            {"email": "x@example.com", "password": PASSWORD, "timezone": "Mars/Olympus"},
            "timezone",
            "invalid",
        ),
        (
            {"email": "x@example.com", "password": PASSWORD, "language": "xx"},
            "language",
            "invalid_choice",
        ),
        ({"email": ("a" * 250) + "@example.com", "password": PASSWORD}, "email", "max_length"),
    ],
)
def test_register_bad_input_is_a_400_per_field(api_client, payload, field, code):
    response = api_client.post("/api/v2/auth/register/", payload)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["errors"], body
    assert code in {e["code"] for e in body["errors"][field]}
    assert not User.objects.exists()


def test_malformed_json_is_a_400(api_client):
    response = api_client.generic(
        "POST", "/api/v2/auth/token/", "{bad json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_access_token_is_not_a_refresh_token(api_client, student, as_user):
    client = as_user(student)
    access = client._credentials["HTTP_AUTHORIZATION"].split()[1]
    response = api_client.post("/api/v2/auth/token/refresh/", {"refresh": access})
    assert response.status_code == 400
    assert response.json()["code"] == "token_invalid"


def test_forged_and_expired_refresh_tokens(api_client, student, as_user, settings):
    client = as_user(student)
    forged = client.refresh_token[:-4] + (
        "AAAA" if not client.refresh_token.endswith("AAAA") else "BBBB"
    )
    response = api_client.post("/api/v2/auth/token/refresh/", {"refresh": forged})
    assert (response.status_code, response.json()["code"]) == (400, "token_invalid")

    from datetime import timedelta

    from rest_framework_simplejwt.tokens import RefreshToken

    expired = RefreshToken(client.refresh_token)
    expired.set_exp(lifetime=-timedelta(seconds=1))
    response = api_client.post("/api/v2/auth/token/refresh/", {"refresh": str(expired)})
    assert (response.status_code, response.json()["code"]) == (400, "token_expired")


def test_unverified_accounts_can_sign_in_and_resend_the_link(
    api_client, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    UserFactory(email="late@example.com", email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/api/v2/auth/verify-email/resend/", {"email": "LATE@example.com"}
        )
    assert response.status_code == 202
    assert len(mail.outbox) == 1
    token = link_token(mail.outbox[0])
    assert api_client.post("/api/v2/auth/verify-email/", {"token": token}).status_code == 200


def test_two_tabs_refreshing_at_once_do_not_sign_out(api_client, student, as_user, settings):
    client = as_user(student)
    first = api_client.post("/api/v2/auth/token/refresh/", {"refresh": client.refresh_token})
    assert first.status_code == 200
    # The other tab sends the same (now spent) token a moment later.
    raced = api_client.post("/api/v2/auth/token/refresh/", {"refresh": client.refresh_token})
    assert (raced.status_code, raced.json()["code"]) == (409, "token_already_rotated")
    # The session survives: the winner's tokens keep working.
    newest = api_client.post("/api/v2/auth/token/refresh/", {"refresh": first.json()["refresh"]})
    assert newest.status_code == 200
    # Outside the grace period, the same replay is treated as theft.
    settings.REFRESH_RACE_GRACE_SECONDS = 0
    replay = api_client.post("/api/v2/auth/token/refresh/", {"refresh": first.json()["refresh"]})
    assert (replay.status_code, replay.json()["code"]) == (401, "token_reused")
    assert AuthSession.objects.get(pk=client.session_id).revoke_reason == "token_reused"


@pytest.mark.django_db(transaction=True)
def test_concurrent_refreshes_issue_exactly_one_new_token(student):
    """Many requests racing with the same refresh token: one wins, none sign the session out
    (when they arrive together), and the session's chain stays consistent. PostgreSQL locks
    the session row; SQLite serialises the writing transactions."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    from learning.accounts import errors, services
    from tests.support.auth import jwt_client

    client = jwt_client(student)

    def attempt(_):
        try:
            services.session_refresh(refresh=client.refresh_token)
            return "ok"
        except errors.RefreshRaced:
            return "raced"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(attempt, range(8)))
    assert outcomes.count("ok") == 1
    assert outcomes.count("raced") == 7
    assert AuthSession.objects.get(pk=client.session_id).revoked_at is None
