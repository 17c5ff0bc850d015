import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from learning.accounts.models import AuthSession, InstructorRequest, User
from tests.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.django_db


def image_file(fmt="PNG", size=(1200, 800), name="me.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 90)).save(buffer, format=fmt)
    buffer.seek(0)
    buffer.name = name
    return buffer


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def test_profile_edit_with_avatar(student, as_user, media, django_capture_on_commit_callbacks):
    client = as_user(student)
    response = client.patch(
        "/api/v2/me/",
        {
            "display_name": "Sammy",
            "bio": "Learning all the things.",
            "timezone": "Europe/Amsterdam",
            "language": "nl",
            "avatar": image_file(),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["display_name"], body["timezone"], body["language"]) == (
        "Sammy",
        "Europe/Amsterdam",
        "nl",
    )
    assert body["avatar_url"].startswith("http://testserver/media/avatars/")
    student.refresh_from_db()
    with default_storage.open(student.avatar.name) as fh, Image.open(fh) as stored:
        assert stored.format == "WEBP"
        assert max(stored.size) == 512
        assert stored.size == (512, 341)
    first_avatar = student.avatar.name

    # Replacing the avatar removes the old file (after commit).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(
            "/api/v2/me/", {"avatar": image_file("JPEG", (300, 300), "x.jpg")}, format="multipart"
        )
    assert response.status_code == 200
    student.refresh_from_db()
    assert student.avatar.name != first_avatar
    assert not default_storage.exists(first_avatar)
    removed = client.patch("/api/v2/me/", {"remove_avatar": True}, format="json")
    assert removed.json()["avatar_url"] is None


@pytest.mark.parametrize(
    ("upload", "code"),
    [
        (io.BytesIO(b"just some text, not an image"), "invalid_image"),
        (io.BytesIO(b"%PDF-1.4 fake pdf"), "invalid_image"),
    ],
)
def test_avatar_is_validated_by_content(student, as_user, media, upload, code):
    upload.name = "totally-a-photo.png"
    client = as_user(student)
    response = client.patch(
        "/api/v2/me/", {"avatar": upload, "display_name": "Changed"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["code"] == code
    student.refresh_from_db()
    assert not student.avatar
    assert student.display_name == ""  # nothing changed


def test_oversize_avatar_is_refused(student, as_user, media, settings):
    settings.AVATAR_MAX_UPLOAD_BYTES = 1000
    client = as_user(student)
    response = client.patch(
        "/api/v2/me/", {"avatar": image_file(size=(800, 800))}, format="multipart"
    )
    assert (response.status_code, response.json()["code"]) == (400, "image_too_large")


def test_profile_bad_input(student, as_user):
    client = as_user(student)
    response = client.patch(
        "/api/v2/me/", {"timezone": "Nowhere/Special", "bio": "x" * 2001}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"timezone", "bio"}
    # Email and roles are not editable through the profile.
    response = client.patch(
        "/api/v2/me/", {"email": "new@example.com", "roles": ["admin"]}, format="json"
    )
    assert response.status_code == 200
    student.refresh_from_db()
    assert student.email == "student@example.com"
    assert not student.is_superuser


def test_export_contains_everything_about_me_and_nothing_else(student, other_student, as_user):
    InstructorRequest.objects.create(
        user=student, motivation="I would love to teach pottery online."
    )
    client = as_user(student, user_agent="Export device")
    as_user(other_student)
    response = client.get("/api/v2/me/export/")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    data = response.json()
    assert data["format"] == "unpuzzle-account-export/1"
    assert data["account"]["email"] == "student@example.com"
    assert data["account"]["roles"] == ["student"]
    assert [s["user_agent"] for s in data["sessions"]] == ["Export device"]
    assert data["instructor_requests"][0]["motivation"].startswith("I would love")
    assert "other.student@example.com" not in response.content.decode()


def test_delete_account_anonymises_and_blocks_login(
    api_client, student, as_user, media, django_capture_on_commit_callbacks
):
    client = as_user(student)
    client.patch("/api/v2/me/", {"avatar": image_file(), "bio": "private"}, format="multipart")
    InstructorRequest.objects.create(user=student, motivation="Teach me how to teach, please.")
    other_device = as_user(student)
    student.refresh_from_db()
    avatar_name = student.avatar.name

    wrong = client.delete("/api/v2/me/", {"password": "nope"}, format="json")
    assert (wrong.status_code, wrong.json()["code"]) == (400, "wrong_password")
    assert User.objects.get(pk=student.pk).is_active

    with django_capture_on_commit_callbacks(execute=True):
        response = client.delete("/api/v2/me/", {"password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 204
    user = User.objects.get(pk=student.pk)  # the row stays for anonymous aggregates
    assert not user.is_active
    assert user.email.endswith("@deleted.invalid")
    assert (user.first_name, user.last_name, user.display_name, user.bio) == ("", "", "", "")
    assert not user.avatar and not default_storage.exists(avatar_name)
    assert not user.has_usable_password()
    assert user.deleted_at is not None
    assert list(user.groups.all()) == []
    assert InstructorRequest.objects.get(user=user).motivation == ""
    assert not AuthSession.objects.filter(user=user, revoked_at__isnull=True).exists()
    assert other_device.get("/api/v2/me/").status_code == 401
    login = api_client.post(
        "/api/v2/auth/token/", {"email": "student@example.com", "password": DEFAULT_PASSWORD}
    )
    assert login.status_code == 401
    # The address is free again.
    again = api_client.post(
        "/api/v2/auth/register/",
        {"email": "student@example.com", "password": "fresh-start-passphrase-1"},
    )
    assert again.status_code == 201
