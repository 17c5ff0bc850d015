import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core import mail
from django.utils import timezone

from learning.accounts.models import AuthSession
from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_tasks_in_process")]

NEW_PASSWORD = "another-long-passphrase-99"


def reset_token(api_client, email, capture):
    with capture(execute=True):
        response = api_client.post("/api/v2/auth/password-reset/", {"email": email})
    assert response.status_code == 202
    match = re.search(r"token=([^\s&]+)", mail.outbox[-1].body)
    return unquote(match.group(1))


def test_password_reset_flow(api_client, student, as_user, django_capture_on_commit_callbacks):
    signed_in = as_user(student)
    token = reset_token(api_client, "Student@Example.com", django_capture_on_commit_callbacks)

    weak = api_client.post(
        "/api/v2/auth/password-reset/confirm/", {"token": token, "new_password": "123"}
    )
    assert weak.status_code == 400
    assert "new_password" in weak.json()["errors"] or "password" in weak.json()["errors"]

    with django_capture_on_commit_callbacks(execute=True):
        done = api_client.post(
            "/api/v2/auth/password-reset/confirm/", {"token": token, "new_password": NEW_PASSWORD}
        )
    assert done.status_code == 204
    assert "password was changed" in mail.outbox[-1].subject
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)

    # The token stops working once the password changed; every session was signed out.
    reused = api_client.post(
        "/api/v2/auth/password-reset/confirm/", {"token": token, "new_password": "x" + NEW_PASSWORD}
    )
    assert (reused.status_code, reused.json()["code"]) == (400, "token_invalid")
    assert signed_in.get("/api/v2/me/").status_code == 401
    old_login = api_client.post(
        "/api/v2/auth/token/", {"email": student.email, "password": DEFAULT_PASSWORD}
    )
    assert old_login.status_code == 401
    new_login = api_client.post(
        "/api/v2/auth/token/", {"email": student.email, "password": NEW_PASSWORD}
    )
    assert new_login.status_code == 200


def test_reset_tokens_expire_and_are_purpose_bound(
    api_client, student, settings, django_capture_on_commit_callbacks
):
    token = reset_token(api_client, student.email, django_capture_on_commit_callbacks)
    settings.PASSWORD_RESET_TIMEOUT = -1
    expired = api_client.post(
        "/api/v2/auth/password-reset/confirm/", {"token": token, "new_password": NEW_PASSWORD}
    )
    assert (expired.status_code, expired.json()["code"]) == (400, "token_expired")
    settings.PASSWORD_RESET_TIMEOUT = 3600
    # A reset token is not a verification token, nor the other way round.
    as_verify = api_client.post("/api/v2/auth/verify-email/", {"token": token})
    assert (as_verify.status_code, as_verify.json()["code"]) == (400, "token_invalid")
    from learning.accounts.tokens import make_verification_token

    verify_token = make_verification_token(student)
    as_reset = api_client.post(
        "/api/v2/auth/password-reset/confirm/",
        {"token": verify_token, "new_password": NEW_PASSWORD},
    )
    assert (as_reset.status_code, as_reset.json()["code"]) == (400, "token_invalid")
    forged = api_client.post(
        "/api/v2/auth/password-reset/confirm/",
        {"token": "MQ:abc-def", "new_password": NEW_PASSWORD},
    )
    assert (forged.status_code, forged.json()["code"]) == (400, "token_invalid")
    student.refresh_from_db()
    assert student.check_password(DEFAULT_PASSWORD)


def test_verification_links_expire(api_client, settings):
    from learning.accounts.tokens import make_verification_token
    from tests.factories import UserFactory

    user = UserFactory(email_verified_at=None)
    token = make_verification_token(user)
    settings.EMAIL_VERIFICATION_TIMEOUT = -1
    response = api_client.post("/api/v2/auth/verify-email/", {"token": token})
    assert (response.status_code, response.json()["code"]) == (400, "token_expired")
    forged = api_client.post("/api/v2/auth/verify-email/", {"token": token[:-3] + "xyz"})
    assert (forged.status_code, forged.json()["code"]) == (400, "token_invalid")
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_session_list_and_revoke(student, other_student, as_user):
    laptop = as_user(student, user_agent="Laptop")
    phone = as_user(student, user_agent="Phone")
    as_user(other_student, user_agent="Someone else")

    listed = laptop.get("/api/v2/me/sessions/")
    assert listed.status_code == 200
    assert (listed.json()["count"], listed.json()["next"]) == (2, None)
    sessions = {s["user_agent"]: s for s in listed.json()["results"]}
    assert set(sessions) == {"Laptop", "Phone"}
    assert sessions["Laptop"]["current"] is True
    assert sessions["Phone"]["current"] is False
    assert sessions["Phone"]["ip_address"] == "127.0.0.1"

    assert laptop.delete(f"/api/v2/me/sessions/{phone.session_id}/").status_code == 204
    assert phone.get("/api/v2/me/").status_code == 401
    assert laptop.get("/api/v2/me/").status_code == 200
    remaining = laptop.get("/api/v2/me/sessions/").json()["results"]
    assert [s["user_agent"] for s in remaining] == ["Laptop"]


def test_cannot_revoke_another_persons_session(student, other_student, as_user):
    mine = as_user(student)
    theirs = as_user(other_student)
    response = mine.delete(f"/api/v2/me/sessions/{theirs.session_id}/")
    assert response.status_code == 404
    assert theirs.get("/api/v2/me/").status_code == 200
    assert AuthSession.objects.get(pk=theirs.session_id).revoked_at is None


def test_expired_sessions_are_not_listed_and_their_tokens_fail(student, as_user):
    client = as_user(student)
    AuthSession.objects.filter(pk=client.session_id).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert client.get("/api/v2/me/").status_code == 401


def test_password_change_signs_other_sessions_out(
    student, as_user, django_capture_on_commit_callbacks
):
    here = as_user(student, user_agent="here")
    elsewhere = as_user(student, user_agent="elsewhere")
    wrong = here.post(
        "/api/v2/me/password/", {"current_password": "nope", "new_password": NEW_PASSWORD}
    )
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_password")
    with django_capture_on_commit_callbacks(execute=True):
        response = here.post(
            "/api/v2/me/password/",
            {"current_password": DEFAULT_PASSWORD, "new_password": NEW_PASSWORD},
        )
    assert response.status_code == 204
    assert here.get("/api/v2/me/").status_code == 200
    assert elsewhere.get("/api/v2/me/").status_code == 401
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    assert len(mail.outbox) == 1


def test_session_cookie_auth_needs_csrf(student):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.force_login(student)
    assert client.get("/api/v2/me/").status_code == 200  # reads need no token
    refused = client.patch("/api/v2/me/", {"display_name": "Cookie"}, format="json")
    assert refused.status_code == 403
    student.refresh_from_db()
    assert student.display_name == ""
    client.get("/admin/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.patch(
        "/api/v2/me/", {"display_name": "Cookie"}, format="json", HTTP_X_CSRFTOKEN=token
    )
    assert accepted.status_code == 200
    assert accepted.json()["display_name"] == "Cookie"
