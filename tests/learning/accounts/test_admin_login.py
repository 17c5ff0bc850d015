"""The Wagtail admin's sign-in form resists password guessing: failures are counted per
account and per address; once locked, even the right password is refused for the window."""

import pytest
from django.core.cache import cache
from django.test import Client

from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def limits(settings):
    cache.clear()
    settings.ADMIN_LOGIN_MAX_FAILURES_PER_ACCOUNT = 3
    settings.ADMIN_LOGIN_MAX_FAILURES_PER_IP = 6
    settings.ADMIN_LOGIN_LOCKOUT_SECONDS = 600
    yield
    cache.clear()


def sign_in(user_or_email, password, address="203.0.113.7"):
    email = getattr(user_or_email, "email", user_or_email)
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN, {"username": email, "password": password})
    return client, response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_the_right_password_signs_in_and_wrong_ones_say_so():
    editor = UserFactory(roles=["editor"])
    client, response = sign_in(editor, "wrong-password")
    assert response.status_code == 200 and not signed_in(client)
    client, response = sign_in(editor, DEFAULT_PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_an_account_is_locked_after_its_failures_even_with_the_right_password():
    editor = UserFactory(roles=["editor"])
    for _ in range(3):
        sign_in(editor, "guess", address="198.51.100.1")
    # From another address, with the right password: still refused while locked.
    client, response = sign_in(editor, DEFAULT_PASSWORD, address="198.51.100.99")
    assert response.status_code == 429 and not signed_in(client)
    assert response["Retry-After"] == "600"
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Another account is not affected.
    other = UserFactory(roles=["editor"])
    client, response = sign_in(other, DEFAULT_PASSWORD, address="198.51.100.99")
    assert response.status_code == 302 and signed_in(client)
    # When the window has passed, the right password works again.
    cache.clear()
    client, response = sign_in(editor, DEFAULT_PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_an_address_spraying_many_accounts_is_locked():
    victims = [UserFactory(roles=["editor"]) for _ in range(6)]
    for victim in victims:  # one guess each: no account reaches its own limit
        sign_in(victim, "Summer2026!", address="192.0.2.50")
    client, response = sign_in(victims[0], DEFAULT_PASSWORD, address="192.0.2.50")
    assert response.status_code == 429 and not signed_in(client)
    client, response = sign_in(victims[0], DEFAULT_PASSWORD, address="192.0.2.51")
    assert response.status_code == 302 and signed_in(client)


def test_a_success_clears_the_accounts_failures():
    editor = UserFactory(roles=["editor"])
    for _ in range(2):
        sign_in(editor, "guess")
    _, response = sign_in(editor, DEFAULT_PASSWORD)
    assert response.status_code == 302
    for _ in range(2):
        sign_in(editor, "guess")
    client, response = sign_in(editor, DEFAULT_PASSWORD)
    assert response.status_code == 302 and signed_in(client)


def test_unknown_accounts_count_like_known_ones():
    """No difference an attacker could use to learn which emails have accounts."""
    for _ in range(3):
        sign_in("nobody@example.com", "guess", address="198.51.100.7")
    _, response = sign_in("nobody@example.com", "guess", address="198.51.100.8")
    assert response.status_code == 429
