import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.factories import DEFAULT_PASSWORD, AdminFactory, UserFactory

User = get_user_model()
pytestmark = pytest.mark.django_db


def test_the_user_model_is_ours_with_email_as_login():
    assert User._meta.label == "accounts.User"
    assert User.USERNAME_FIELD == "email"
    assert not hasattr(User, "username") or User.username is None


def test_email_is_unique_regardless_of_case_in_the_database():
    UserFactory(email="Ada@Example.com")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ada@example.com")


def test_email_is_unique_regardless_of_case_in_validation():
    UserFactory(email="Ada@Example.com")
    with pytest.raises(ValidationError) as excinfo:
        User.objects.create_user(email="ADA@example.com", password=DEFAULT_PASSWORD)
    assert "already exists" in str(excinfo.value)


def test_login_matches_email_without_regard_to_case():
    user = UserFactory(email="Grace@Example.com")
    assert authenticate(email="grace@EXAMPLE.com", password=DEFAULT_PASSWORD) == user
    assert authenticate(email="grace@example.com", password="wrong") is None


def test_domain_is_normalised_and_superuser_flags():
    admin = User.objects.create_superuser(email="root@EXAMPLE.COM", password=DEFAULT_PASSWORD)
    assert admin.email == "root@example.com"
    assert admin.is_staff and admin.is_superuser


def test_passwords_are_hashed_with_argon2_in_production_settings(settings):
    from django.conf import settings as django_settings
    from django.contrib.auth.hashers import make_password

    assert (
        "Argon2PasswordHasher"
        in __import__("config.settings.base", fromlist=["x"]).PASSWORD_HASHERS[0]
    )
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    assert make_password("x").startswith("argon2")
    assert django_settings.AUTH_USER_MODEL == "accounts.User"


class TestWagtailUserAdmin:
    def test_user_list_and_create_work_for_the_custom_model(self, client):
        admin = AdminFactory()
        client.force_login(admin)
        assert client.get(reverse("wagtailusers_users:index")).status_code == 200
        response = client.post(
            reverse("wagtailusers_users:add"),
            {
                "email": "new.person@example.com",
                "first_name": "New",
                "last_name": "Person",
                "password1": "a-long-enough-passphrase-42",
                "password2": "a-long-enough-passphrase-42",
            },
        )
        assert response.status_code == 302, response.content[:2000]
        created = User.objects.get(email="new.person@example.com")
        assert created.check_password("a-long-enough-passphrase-42")
        assert client.get(reverse("wagtailusers_users:edit", args=[created.pk])).status_code == 200

    def test_admin_refuses_an_email_differing_only_by_case(self, client):
        client.force_login(AdminFactory())
        UserFactory(email="taken@example.com")
        response = client.post(
            reverse("wagtailusers_users:add"),
            {
                "email": "TAKEN@example.com",
                "first_name": "Dup",
                "last_name": "Licate",
                "password1": "a-long-enough-passphrase-42",
                "password2": "a-long-enough-passphrase-42",
            },
        )
        assert response.status_code == 200
        assert User.objects.filter(email__iexact="taken@example.com").count() == 1
