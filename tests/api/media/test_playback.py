"""Playback: one policy decides; signed URLs work, expire and refuse tampering."""

import pytest

from media_pipeline.models import VideoAsset
from tests.factories.media import VideoAssetFactory
from tests.media_pipeline.fixtures import ROLES, client_for, matrix

pytestmark = pytest.mark.django_db


def playback_url(asset) -> str:
    return f"/api/v2/media/videos/{asset.pk}/playback/"


def local(url: str) -> str:
    return url.removeprefix("http://testserver")


def uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def read(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


EXPECTED = matrix(200, other_instructor=403)  # the policy answers, not visibility


@pytest.mark.parametrize("role", ROLES)
def test_playback_authorization_matrix(roles, processed_video, role):
    response = client_for(roles.user(role)).get(playback_url(processed_video))
    assert response.status_code == EXPECTED[role]
    if role in ("student", "other_student", "other_instructor"):
        assert response.json()["code"] == "playback_denied"
        assert "hls_url" not in response.json()


def allow_any_signed_in_user(user, asset) -> bool:
    """A stand-in for the learning apps' policy (e.g. enrolled learners)."""
    return user.is_authenticated


def test_the_playback_policy_is_the_configured_function(roles, processed_video, settings):
    client = client_for(roles.student)
    assert client.get(playback_url(processed_video)).status_code == 403
    settings.MEDIA_PLAYBACK_POLICY = f"{__name__}.allow_any_signed_in_user"
    assert client.get(playback_url(processed_video)).status_code == 200


def test_playback_of_a_video_that_is_not_ready_is_a_conflict(roles):
    asset = VideoAssetFactory(owner=roles.instructor, status=VideoAsset.Status.PROCESSING)
    response = client_for(roles.instructor).get(playback_url(asset))
    assert response.status_code == 409
    assert response.json()["code"] == "not_ready"


def test_signed_urls_serve_master_renditions_segments_poster_and_captions(
    roles, processed_video, client
):
    body = client_for(roles.instructor).get(playback_url(processed_video)).json()
    assert body["duration_seconds"] == pytest.approx(2.0, abs=0.1)
    # Anyone holding the signed URLs can fetch them (players send no credentials).
    master = client.get(local(body["hls_url"]))
    assert master.status_code == 200
    assert master["Content-Type"] == "application/vnd.apple.mpegurl"
    text = master.content.decode()
    assert text.startswith("#EXTM3U")
    assert "RESOLUTION=320x240" in text
    base = local(body["hls_url"]).rsplit("/", 1)[0]
    segments = 0
    for variant in uris(text):
        playlist = client.get(f"{base}/{variant}")
        assert playlist.status_code == 200
        for segment_url in uris(playlist.content.decode()):
            segment = client.get(local(segment_url))
            assert segment.status_code == 200
            assert read(segment)[:1] == b"G"  # MPEG-TS sync byte
            segments += 1
    assert segments == processed_video.renditions.get().segment_count > 0
    poster = client.get(local(body["poster_url"]))
    assert read(poster)[:2] == b"\xff\xd8"
    [caption] = body["captions"]
    assert caption["language"] == "en"
    assert read(client.get(local(caption["url"]))).startswith(b"WEBVTT")


def test_tampered_signatures_are_rejected(roles, processed_video, client):
    body = client_for(roles.instructor).get(playback_url(processed_video)).json()
    master = local(body["hls_url"])
    token = master.split("/stream/")[1].split("/")[0]
    forged = master.replace(token, token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb"))
    response = client.get(forged)
    assert response.status_code == 403
    assert response.json()["code"] == "invalid_signature"
    poster = local(body["poster_url"])
    assert client.get(poster[:-2] + "xx").json()["code"] == "invalid_signature"


def test_signed_urls_expire(roles, processed_video, client, settings):
    settings.MEDIA_SIGNED_URL_SECONDS = -1
    body = client_for(roles.instructor).get(playback_url(processed_video)).json()
    for url in (body["hls_url"], body["poster_url"], body["captions"][0]["url"]):
        response = client.get(local(url))
        assert response.status_code == 403
        assert response.json()["code"] == "signature_expired"


def test_unknown_rendition_is_404(roles, processed_video, client):
    body = client_for(roles.instructor).get(playback_url(processed_video)).json()
    base = local(body["hls_url"]).rsplit("/", 1)[0]
    assert client.get(f"{base}/9999p/index.m3u8").status_code == 404
    assert client.get(f"{base}/etc/index.m3u8").status_code == 404


def test_video_files_are_not_served_without_a_signature(roles, processed_video, client):
    """Unlike MEDIA_ROOT, the videos' folder is never served as plain files."""
    for name in (processed_video.poster.name, processed_video.hls_master.name):
        assert client.get(f"/media/{name}").status_code == 404
    body = client_for(roles.instructor).get(playback_url(processed_video)).json()
    assert read(client.get(local(body["poster_url"])))[:2] == b"\xff\xd8"
