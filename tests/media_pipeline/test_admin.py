"""The Wagtail admin video library, upload page, video page and chooser, driven with
Django's test client logged in as each role."""

import re
from urllib.parse import quote

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from media_pipeline.models import CaptionTrack, VideoAsset
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db


def login_url(url: str) -> str:
    """Where the admin sends people without admin access."""
    return f"/admin/login/?next={quote(url)}"


def login(user, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def videos(roles):
    return {
        "mine": VideoAssetFactory(owner=roles.instructor, title="Owner intro", status="ready"),
        "mine_uploading": VideoAssetFactory(owner=roles.instructor, title="Owner draft"),
        "theirs": VideoAssetFactory(
            owner=roles.other_instructor, title="Other intro", status="ready"
        ),
    }


def test_instructors_see_only_their_own_videos_and_editors_see_all(roles, videos):
    mine = login(roles.instructor).get("/admin/videos/")
    assert mine.status_code == 200
    html = mine.content.decode()
    assert "Owner intro" in html and "Owner draft" in html
    assert "Other intro" not in html
    everything = login(roles.editor).get("/admin/videos/").content.decode()
    assert all(title in everything for title in ("Owner intro", "Owner draft", "Other intro"))


def test_library_filters_by_status(roles, videos):
    html = login(roles.editor).get("/admin/videos/", {"status": "ready"}).content.decode()
    assert "Owner intro" in html and "Other intro" in html
    assert "Owner draft" not in html
    by_owner = login(roles.editor).get("/admin/videos/", {"owner": roles.other_instructor.pk})
    assert "Other intro" in by_owner.content.decode()
    assert "Owner intro" not in by_owner.content.decode()


def test_library_shows_status_badge_duration_and_owner(roles, processed_video):
    html = login(roles.instructor).get("/admin/videos/").content.decode()
    assert "Ready" in html
    assert "0:02" in html
    assert str(roles.instructor) in html
    assert "/api/v2/media/files/" in html  # signed poster thumbnail


MENU_ENTRY = '"url": "/admin/videos/"'


def test_menu_shows_videos_only_to_library_users(roles):
    assert MENU_ENTRY in login(roles.instructor).get("/admin/").content.decode()
    no_media = roles.student  # given admin access, but no media permission
    no_media.groups.first().permissions.add(Permission.objects.get(codename="access_admin"))
    html = login(no_media).get("/admin/").content.decode()
    assert '"url": "/admin/account/"' in html
    assert MENU_ENTRY not in html
    response = login(no_media).get("/admin/videos/")
    assert (response.status_code, response.url) == (302, "/admin/")  # permission denied


def test_students_cannot_reach_the_library(roles, videos):
    for url in ("/admin/videos/", "/admin/videos/upload/", f"/admin/videos/{videos['mine'].pk}/"):
        response = login(roles.student).get(url)
        assert (response.status_code, response.url) == (302, login_url(url)), url
        assert b"Owner intro" not in response.content


def test_other_instructors_get_404_for_someone_elses_video(roles, videos):
    client = login(roles.other_instructor)
    assert client.get(f"/admin/videos/{videos['mine'].pk}/").status_code == 404
    response = client.post(
        f"/admin/videos/{videos['mine'].pk}/", {"action": "rename", "title": "Hijacked"}
    )
    assert response.status_code == 404
    assert VideoAsset.objects.get(pk=videos["mine"].pk).title == "Owner intro"


def test_admin_upload_goes_through_the_api_to_storage(roles, clips):
    """What upload.js does: create via the API with the page's CSRF token, PUT the parts to
    the URLs it returns, complete, then open the video's page."""
    client = login(roles.instructor, enforce_csrf_checks=True)
    page = client.get("/admin/videos/upload/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "media_pipeline/upload.js" in html
    create_url = re.search(r'data-create-url="([^"]+)"', html).group(1)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    data = clips["small"].read_bytes()
    created = client.post(
        create_url,
        {"filename": "intro.mp4", "size_bytes": len(data), "content_type": "video/mp4"},
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert created.status_code == 201, created.content
    body = created.json()
    for part in body["upload"]["parts"]:
        sent = client.generic(
            "PUT",
            part["url"].removeprefix("http://testserver"),
            data[part["offset"] : part["offset"] + part["size"]],
            content_type="application/octet-stream",
        )
        assert sent.status_code == 200
    asset_id = body["asset"]["id"]
    complete_url = re.search(r'data-complete-url-template="([^"]+)"', html).group(1)
    placeholder = re.search(r'data-placeholder="(\d+)"', html).group(1)
    done = client.post(
        complete_url.replace(placeholder, str(asset_id)), headers={"X-CSRFToken": token}
    )
    assert done.status_code == 200
    detail = client.get(f"/admin/videos/{asset_id}/")
    assert detail.status_code == 200
    assert 'data-status="uploaded"' in detail.content.decode()
    assert "media_pipeline/progress.js" in detail.content.decode()
    assert VideoAsset.objects.get(pk=asset_id).title == "intro"


def test_upload_page_without_csrf_token_is_refused(roles):
    client = login(roles.instructor, enforce_csrf_checks=True)
    response = client.post(
        "/api/v2/media/uploads/",
        {"filename": "intro.mp4", "size_bytes": 10, "content_type": "video/mp4"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert not VideoAsset.objects.exists()


def test_caption_upload_rename_and_reprocess_from_the_video_page(
    roles, processed_video, django_capture_on_commit_callbacks
):
    client = login(roles.editor)
    url = f"/admin/videos/{processed_video.pk}/"
    srt = b"1\n00:00:00,000 --> 00:00:01,000\nBonjour\n"
    response = client.post(
        url,
        {
            "action": "caption",
            "language": "fr",
            "label": "Français",
            "file": SimpleUploadedFile("fr.srt", srt),
        },
    )
    assert response.status_code == 302
    track = CaptionTrack.objects.get(asset=processed_video, language="fr")
    assert track.segments.get().text == "Bonjour"
    bad = client.post(
        url,
        {"action": "caption", "language": "fr", "file": SimpleUploadedFile("x.srt", b"nope")},
        follow=True,
    )
    assert "neither WebVTT nor SRT" in bad.content.decode()
    assert client.post(url, {"action": "rename", "title": "Welcome"}).status_code == 302
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(url, {"action": "reprocess"})
    processed_video.refresh_from_db()
    assert (processed_video.title, processed_video.status, len(callbacks)) == (
        "Welcome",
        "uploaded",
        2,
    )


def test_chooser_lists_only_visible_usable_videos(roles, videos):
    response = login(roles.instructor).get("/admin/videos/chooser/")
    assert response.status_code == 200
    html = response.json()["html"]
    assert "Owner intro" in html
    assert "Owner draft" not in html  # still uploading
    assert "Other intro" not in html
    editor_html = login(roles.editor).get("/admin/videos/chooser/").json()["html"]
    assert "Other intro" in editor_html


def test_chooser_chosen_step_returns_the_video(roles, videos):
    response = login(roles.instructor).get(f"/admin/videos/chooser/chosen/{videos['mine'].pk}/")
    assert response.status_code == 200
    result = response.json()["result"]
    assert (str(result["id"]), result["title"]) == (str(videos["mine"].pk), "Owner intro")
    hidden = login(roles.instructor).get(f"/admin/videos/chooser/chosen/{videos['theirs'].pk}/")
    assert hidden.status_code == 404


def test_upload_page_loads_its_script_after_the_dom_and_posts_nothing_itself(roles):
    client = login(roles.instructor)
    body = client.get("/admin/videos/upload/").content.decode()
    assert re.search(r'<script src="/static/media_pipeline/upload\.js" defer>', body)
    form = re.search(r"<form[^>]+video-upload-form[^>]*>", body).group(0)
    assert 'method="post"' in form  # never a GET that puts the CSRF token in the URL
    assert 'data-types="{&quot;.mp4&quot;: &quot;video/mp4&quot;' in form
    # A plain submit (the script did not run) says what to do.
    response = client.post("/admin/videos/upload/", follow=True)
    assert "Uploading needs JavaScript" in response.content.decode()


@pytest.mark.parametrize(
    ("payload", "status", "reason"),
    [
        (
            {"filename": "notes.txt", "size_bytes": 10, "content_type": "text/plain"},
            400,
            ".txt is not accepted; upload one of .m4v, .mkv, .mov, .mp4, .webm.",
        ),
        (
            {"filename": "huge.mp4", "size_bytes": 6 * 1024**3, "content_type": "video/mp4"},
            413,
            "The file is 6.0 GB; the limit is 5.0 GB.",
        ),
    ],
)
def test_the_upload_script_gets_readable_reasons_for_bad_files(roles, payload, status, reason):
    client = login(roles.instructor)
    response = client.post("/api/v2/media/uploads/", payload, content_type="application/json")
    assert response.status_code == status
    assert response.json()["detail"] == reason
    assert not VideoAsset.objects.exists()


def test_a_failed_video_shows_why_and_offers_to_process_again(roles):
    asset = VideoAssetFactory(
        owner=roles.instructor,
        status="failed",
        failure_reason="The file is not a video we can read; it may be damaged.",
    )
    body = login(roles.instructor).get(f"/admin/videos/{asset.pk}/").content.decode()
    assert "The file is not a video we can read; it may be damaged." in body
    assert body.count('class="w-status') == 1
    assert "Process again" in body
    assert 'data-finished="true"' in body
