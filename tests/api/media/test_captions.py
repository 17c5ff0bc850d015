"""Caption upload API: WebVTT as is, SRT converted, bad files refused."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media_pipeline import storage as media_storage
from media_pipeline.models import CaptionTrack, TranscriptSegment
from tests.factories.media import VideoAssetFactory
from tests.media_pipeline.fixtures import ROLES, client_for, matrix

pytestmark = pytest.mark.django_db

VTT = "WEBVTT\n\n00:00:00.500 --> 00:00:01.500 align:start\nHello <b>there</b>\n\n"
SRT = (
    "1\r\n00:00:00,000 --> 00:00:01,250\r\nFirst line\r\n\r\n"
    "2\r\n00:00:01,250 --> 00:01:02,000\r\nSecond\r\nline\r\n"
)


def url(asset):
    return f"/api/v2/media/videos/{asset.pk}/captions/"


def stored_text(track: CaptionTrack) -> str:
    with media_storage.open_local(track.file.name) as fh:
        return fh.read().decode()


EXPECTED = matrix(201)


@pytest.mark.parametrize("role", ROLES)
def test_upload_authorization_matrix(roles, role):
    asset = VideoAssetFactory(owner=roles.instructor)
    response = client_for(roles.user(role)).post(
        url(asset), {"language": "en", "label": "English", "content": VTT}, format="json"
    )
    assert response.status_code == EXPECTED[role]
    assert CaptionTrack.objects.exists() is (response.status_code == 201)


def test_webvtt_is_stored_as_uploaded_with_segments(roles):
    asset = VideoAssetFactory(owner=roles.instructor)
    response = client_for(roles.instructor).post(
        url(asset), {"language": "en", "label": "English", "content": VTT}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["language"] == "en"
    track = CaptionTrack.objects.get()
    assert stored_text(track) == VTT
    segment = TranscriptSegment.objects.get()
    assert (segment.start_seconds, segment.end_seconds) == (0.5, 1.5)
    assert segment.text == "Hello <b>there</b>"


def test_srt_file_is_converted_to_webvtt_and_replaces_the_language(roles):
    asset = VideoAssetFactory(owner=roles.instructor)
    client = client_for(roles.instructor)
    client.post(url(asset), {"language": "pt-BR", "content": VTT}, format="json")
    upload = SimpleUploadedFile("captions.srt", SRT.encode(), content_type="application/x-subrip")
    response = client.post(
        url(asset), {"language": "pt-BR", "label": "Português", "file": upload}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    track = CaptionTrack.objects.get()
    assert track.label == "Português"
    assert stored_text(track) == (
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.250\nFirst line\n\n"
        "00:00:01.250 --> 00:01:02.000\nSecond\nline\n"
    )
    assert list(track.segments.values_list("position", "end_seconds", "text")) == [
        (0, 1.25, "First line"),
        (1, 62.0, "Second\nline"),
    ]
    listed = client.get(url(asset)).json()
    assert (listed["count"], listed["next"], listed["previous"]) == (1, None, None)
    assert [(t["language"], t["label"]) for t in listed["results"]] == [("pt-BR", "Português")]


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"language": "en", "content": "just some text"}, "invalid_captions"),
        (
            {"language": "en", "content": "WEBVTT\n\n00:00:02.000 --> 00:00:01.000\nx\n"},
            "invalid_captions",
        ),
        (
            {"language": "en", "content": "WEBVTT\n\n00:00:xx --> 00:00:01.000\nx\n"},
            "invalid_captions",
        ),
        ({"language": "en", "content": "WEBVTT\n"}, "invalid_captions"),
        ({"language": "english please", "content": VTT}, "invalid_captions"),
        ({"language": "en"}, "invalid"),
        ({"content": VTT}, "invalid"),
    ],
)
def test_bad_caption_uploads_change_nothing(roles, payload, code):
    asset = VideoAssetFactory(owner=roles.instructor)
    response = client_for(roles.instructor).post(url(asset), payload, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert not CaptionTrack.objects.exists()
    assert not TranscriptSegment.objects.exists()


def test_binary_garbage_is_refused(roles):
    asset = VideoAssetFactory(owner=roles.instructor)
    upload = SimpleUploadedFile("captions.vtt", b"\xff\xfe\x00garbage", content_type="text/vtt")
    response = client_for(roles.instructor).post(
        url(asset), {"language": "en", "file": upload}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == "Caption files must be UTF-8 text."


EXPECTED_DELETE = matrix(204)


@pytest.mark.parametrize("role", ROLES)
def test_delete_authorization_matrix(roles, role):
    asset = VideoAssetFactory(owner=roles.instructor)
    client_for(roles.instructor).post(url(asset), {"language": "en", "content": VTT}, format="json")
    response = client_for(roles.user(role)).delete(f"{url(asset)}en/")
    assert response.status_code == EXPECTED_DELETE[role]
    assert CaptionTrack.objects.exists() is (response.status_code != 204)


@pytest.mark.parametrize("role", ROLES)
def test_list_authorization_matrix(roles, role):
    asset = VideoAssetFactory(owner=roles.instructor)
    response = client_for(roles.user(role)).get(url(asset))
    assert response.status_code == matrix(200)[role]
