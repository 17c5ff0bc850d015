"""The reference frontend's shell at /learn/: every screen path answers with the same page
(deep links work), under a strict Content-Security-Policy; the emailed links and the admin's
preview open its screens, derived from SITE_URL or the admin's own host (never port 8000)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.urls import reverse

from tests.config.test_settings import clean_env
from tests.factories import courses as cf
from tests.support.processes import PROJECT_ROOT

pytestmark = pytest.mark.django_db

SCREENS = [
    "/learn/",
    "/learn/courses/12",
    "/learn/courses/12/lessons/0b79277b-77da-4021-b4da-e815258bbdcf",
    "/learn/dashboard",
    "/learn/sign-in",
    "/learn/verify-email?token=abc",
    "/learn/reset-password?token=abc",
    "/learn/preview?content_type=cms.sectionpage&token=x",
    "/learn/anything/unknown",
]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.parametrize("path", SCREENS)
def test_every_screen_path_serves_the_shell(client, path):
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<script type="module" src="/static/frontend/app.js"></script>' in body
    assert '<main id="main"' in body


def test_the_shell_has_a_strict_content_security_policy(client):
    response = client.get("/learn/courses/3", HTTP_HOST="localhost:9123")
    csp = directives(response)
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert "ws://localhost:9123" in csp["connect-src"]
    assert not any("unsafe" in value for values in csp.values() for value in values)
    # No inline script or style for the policy to refuse.
    body = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", body)
    assert "<style" not in body and " style=" not in body
    # The admin's preview panel (same origin) may frame it, nobody else.
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "no-store" in response["Cache-Control"]


def test_media_origins_are_added_to_the_policy(client, settings):
    settings.FRONTEND_MEDIA_ORIGINS = ["https://media.example.com"]
    csp = directives(client.get("/learn/"))
    for name in ("img-src", "media-src", "connect-src"):
        assert "https://media.example.com" in csp[name]


def test_the_media_storage_is_allowed_without_configuration(client, settings):
    """Presigned URLs point at the bucket's public endpoint: the player may load from it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "videos": {
            "BACKEND": "config.storage.S3Storage",
            "OPTIONS": {
                "endpoint_url": "http://minio:9000",
                "public_endpoint_url": "http://localhost:9000",
            },
        },
    }
    csp = directives(client.get("/learn/"))
    for name in ("img-src", "media-src", "connect-src"):
        assert "http://localhost:9000" in csp[name]


def test_only_safe_methods(client):
    assert client.post("/learn/sign-in").status_code == 405


def test_static_modules_are_served(client):
    for name in ("app.js", "api.js", "heartbeats.js", "screens/lesson.js", "vendor/hls.min.js"):
        response = client.get(f"/static/frontend/{name}")
        assert response.status_code == 200, name
        assert "javascript" in response["Content-Type"]


def _settings_of(**env) -> dict:
    code = (
        "import json; from django.conf import settings; print(json.dumps({"
        "'frontend': settings.FRONTEND_URL, 'preview': settings.HEADLESS_PREVIEW_CLIENT_URL,"
        "'client_urls': settings.WAGTAIL_HEADLESS_PREVIEW['CLIENT_URLS']}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        env=clean_env("config.settings.local", **env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_links_follow_site_url_and_preview_stays_on_the_admins_host():
    found = _settings_of(SITE_URL="http://lms.test:9000")
    assert found["frontend"] == "http://lms.test:9000/learn"
    assert found["preview"] == "/learn/preview"
    assert found["client_urls"] == {"default": "/learn/preview"}
    # Another frontend: both follow it; an empty preview URL opts into the site's templates.
    other = _settings_of(FRONTEND_URL="https://app.example.com/")
    assert other["frontend"] == "https://app.example.com"
    assert other["preview"] == "https://app.example.com/preview"
    assert _settings_of(HEADLESS_PREVIEW_CLIENT_URL="")["preview"] == ""


def test_emailed_links_open_the_frontend_screens(
    api_client, settings, django_capture_on_commit_callbacks, run_tasks_in_process
):
    settings.FRONTEND_URL = "http://lms.test:9000/learn"
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            "/api/v2/auth/register/",
            {"email": "new@example.com", "password": "a-long-unusual-passphrase-17"},
        )
        api_client.post("/api/v2/auth/password-reset/", {"email": "new@example.com"})
    links = [re.search(r"(http\S+token=\S+)", m.body).group(1) for m in mail.outbox]
    assert links[0].startswith("http://lms.test:9000/learn/verify-email?token=")
    assert links[1].startswith("http://lms.test:9000/learn/reset-password?token=")


def test_admin_preview_opens_the_frontend_on_the_admins_host(client, editor, instructor):
    course = cf.course(title="Headless course", instructors=[instructor], publish=False)
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:revisions_view", args=(course.pk, course.latest_revision_id))
    body = client.get(url, HTTP_HOST="localhost:8123").content.decode()
    src = re.search(r'<iframe[^>]+src="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert src.startswith("/learn/preview?")
    query = parse_qs(urlparse(src).query)
    assert query["content_type"] == ["cms.coursepage"]
    assert client.get(src).status_code == 200
