"""Enumeration resistance and throttling of the account endpoints."""

import pytest
from django.core import mail

from tests.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_tasks_in_process")]


def test_login_failure_does_not_reveal_whether_the_address_exists(api_client, student):
    unknown = api_client.post(
        "/api/v2/auth/token/", {"email": "nobody@example.com", "password": "whatever-123"}
    )
    wrong = api_client.post(
        "/api/v2/auth/token/", {"email": student.email, "password": "whatever-123"}
    )
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert unknown.json()["code"] == "invalid_credentials"


def test_inactive_accounts_fail_like_wrong_passwords(api_client, student):
    student.is_active = False
    student.save()
    response = api_client.post(
        "/api/v2/auth/token/", {"email": student.email, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_credentials"


@pytest.mark.parametrize(
    "path", ["/api/v2/auth/password-reset/", "/api/v2/auth/verify-email/resend/"]
)
def test_email_requests_answer_the_same_for_known_and_unknown_addresses(
    api_client, path, django_capture_on_commit_callbacks
):
    from tests.factories import UserFactory

    UserFactory(email="known@example.com", email_verified_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        known = api_client.post(path, {"email": "known@example.com"})
        unknown = api_client.post(path, {"email": "unknown@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [["known@example.com"]]


def set_rates(settings, **rates):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **rates},
    }


def test_login_is_throttled_per_account_across_ips(api_client, student, settings):
    set_rates(settings, login_account="3/min", login_ip="100/min")
    for n in range(3):
        response = api_client.post(
            "/api/v2/auth/token/",
            {"email": student.email, "password": "bad"},
            REMOTE_ADDR=f"10.0.0.{n}",
        )
        assert response.status_code == 401
    blocked = api_client.post(
        "/api/v2/auth/token/",
        {"email": student.email.upper(), "password": DEFAULT_PASSWORD},
        REMOTE_ADDR="10.0.0.9",
    )
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "throttled"
    assert int(blocked["Retry-After"]) > 0
    # Another account from the same addresses is not affected.
    from tests.factories import UserFactory

    other = UserFactory(email="free@example.com")
    assert (
        api_client.post(
            "/api/v2/auth/token/", {"email": other.email, "password": DEFAULT_PASSWORD}
        ).status_code
        == 200
    )


def test_login_is_throttled_per_ip(api_client, settings):
    set_rates(settings, login_ip="2/min")
    for n in range(2):
        api_client.post(
            "/api/v2/auth/token/",
            {"email": f"a{n}@example.com", "password": "x"},
            REMOTE_ADDR="10.1.1.1",
        )
    blocked = api_client.post(
        "/api/v2/auth/token/", {"email": "z@example.com", "password": "x"}, REMOTE_ADDR="10.1.1.1"
    )
    assert blocked.status_code == 429
    assert "Retry-After" in blocked
    other_ip = api_client.post(
        "/api/v2/auth/token/", {"email": "z@example.com", "password": "x"}, REMOTE_ADDR="10.1.1.2"
    )
    assert other_ip.status_code == 401


@pytest.mark.parametrize(
    ("path", "scope", "payload"),
    [
        (
            "/api/v2/auth/register/",
            "register_ip",
            {"email": "n{n}@example.com", "password": "long-enough-pass-{n}!"},
        ),
        ("/api/v2/auth/password-reset/", "password_reset_ip", {"email": "n{n}@example.com"}),
        ("/api/v2/auth/verify-email/", "verify_ip", {"token": "bogus-{n}"}),
        ("/api/v2/auth/verify-email/resend/", "verify_ip", {"email": "n{n}@example.com"}),
    ],
)
def test_other_account_endpoints_are_throttled_per_ip(api_client, settings, path, scope, payload):
    set_rates(settings, **{scope: "2/hour"})
    for n in range(2):
        body = {k: v.format(n=n) for k, v in payload.items()}
        assert api_client.post(path, body).status_code != 429
    body = {k: v.format(n=9) for k, v in payload.items()}
    blocked = api_client.post(path, body)
    assert blocked.status_code == 429
    assert blocked["Retry-After"]


def test_password_reset_is_throttled_per_account(
    api_client, student, settings, django_capture_on_commit_callbacks
):
    set_rates(settings, password_reset_account="2/hour")
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            api_client.post(
                "/api/v2/auth/password-reset/", {"email": student.email}, REMOTE_ADDR=f"10.2.0.{n}"
            )
        blocked = api_client.post(
            "/api/v2/auth/password-reset/", {"email": student.email}, REMOTE_ADDR="10.2.0.9"
        )
    assert blocked.status_code == 429
    assert len(mail.outbox) == 2  # the third request sent nothing


def test_register_is_throttled_per_account(api_client, settings):
    set_rates(settings, register_account="2/hour")
    payload = {"email": "same@example.com", "password": "short"}
    for n in range(2):
        assert (
            api_client.post(
                "/api/v2/auth/register/", payload, REMOTE_ADDR=f"10.3.0.{n}"
            ).status_code
            == 400
        )
    blocked = api_client.post("/api/v2/auth/register/", payload, REMOTE_ADDR="10.3.0.9")
    assert blocked.status_code == 429
