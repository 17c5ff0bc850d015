"""Security headers on every kind of response: pages, the admin, API JSON, docs, errors."""

import pytest
from django.test import Client

from config import security

pytestmark = pytest.mark.django_db


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (piece.strip() for piece in policy.split(";"))
    }


@pytest.mark.parametrize(
    "path", ["/admin/login/", "/api/docs/", "/certificates/verify/NOPE-NOPE/", "/"]
)
def test_pages_get_a_policy_that_limits_them_to_this_origin(path):
    response = Client().get(path)
    assert response["Content-Type"].startswith("text/html"), path
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'self'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


@pytest.mark.parametrize(
    "path", ["/api/v2/courses/", "/api/v2/no-such-thing/", "/api/schema/", "/healthz"]
)
def test_responses_that_are_not_pages_may_run_nothing(path):
    response = Client().get(path)
    assert response["Content-Security-Policy"] == security.NON_PAGE_POLICY
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_policy_names_the_media_storage_and_the_preview_frontend(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "videos": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"endpoint_url": "https://s3.example.net:9000", "custom_domain": None},
        },
    }
    settings.HEADLESS_PREVIEW_CLIENT_URL = "https://learn.example.org/preview"
    policy = dict(part.split(" ", 1) for part in security.page_policy().split("; "))
    # Direct uploads and playback from the bucket; the admin's preview frames the frontend.
    assert "https://s3.example.net:9000" in policy["connect-src"]
    assert "https://s3.example.net:9000" in policy["media-src"]
    assert "https://learn.example.org" in policy["frame-src"]
    assert "example" not in policy["script-src"]


def test_a_view_with_its_own_policy_keeps_it():
    from django.http import HttpResponse

    from config.security import security_headers_middleware

    def view(request):
        response = HttpResponse("<p>strict</p>")
        response["Content-Security-Policy"] = "default-src 'self'"
        return response

    response = security_headers_middleware(view)(None)
    assert response["Content-Security-Policy"] == "default-src 'self'"
    assert response["Permissions-Policy"] == security.PERMISSIONS_POLICY
