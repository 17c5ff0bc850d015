"""Preview: the headless frontend with a signed token (by default the reference frontend at
/learn/preview), or the site's own templates when the frontend preview is switched off (any
host and port, since nothing is hard-coded)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse

from tests.factories import courses as cf
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db


def _preview(client, page, **headers):
    url = reverse("wagtailadmin_pages:revisions_view", args=(page.pk, page.latest_revision_id))
    return client.get(url, **headers)


def test_without_a_frontend_preview_renders_the_sites_templates(
    client, editor, instructor, settings
):
    settings.HEADLESS_PREVIEW_CLIENT_URL = ""  # opted out of the reference frontend
    clip = VideoAssetFactory(owner=instructor, status="ready", duration_seconds=8.0)
    course = cf.course(title="Preview course", instructors=[instructor], publish=False)
    section = cf.section(
        course,
        title="Draft section",
        lessons=[cf.video("Watch", asset=clip), cf.reading("Read"), cf.quiz("Check")],
        publish=False,
    )
    client.force_login(editor)
    for page in (course, section):
        response = _preview(client, page, HTTP_HOST="localhost:8123")
        assert response.status_code == 200, page
        body = response.content.decode()
        assert "127.0.0.1:8000" not in body and "/preview?" not in body
        assert page.title in body
        assert "Draft section" in body  # the course preview lists its draft sections
        for marker in cf.ANSWER_MARKERS:
            assert marker not in body
    assert re.findall(r'data-kind="(\w+)"', body) == ["video", "reading", "quiz"]
    assert "<video" in body and "How much?" in body


def test_with_a_frontend_preview_opens_it_with_a_signed_token(client, editor, instructor, settings):
    settings.HEADLESS_PREVIEW_CLIENT_URL = "http://frontend.test:3000/preview"
    settings.WAGTAIL_HEADLESS_PREVIEW = {
        **settings.WAGTAIL_HEADLESS_PREVIEW,
        "CLIENT_URLS": {"default": settings.HEADLESS_PREVIEW_CLIENT_URL},
    }
    course = cf.course(title="Headless course", instructors=[instructor], publish=False)
    client.force_login(editor)
    body = _preview(client, course).content.decode()
    src = re.search(r'<iframe[^>]+src="([^"]+)"', body).group(1).replace("&amp;", "&")
    assert src.startswith("http://frontend.test:3000/preview?")
    query = parse_qs(urlparse(src).query)
    assert query["content_type"] == ["cms.coursepage"]
    response = client.get(
        "/api/v2/preview/", {"content_type": "cms.coursepage", "token": query["token"][0]}
    )
    assert response.status_code == 200
    assert response.json()["course"]["title"] == "Headless course"
