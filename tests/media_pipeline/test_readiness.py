import pytest

pytestmark = pytest.mark.django_db


def test_readyz_reports_the_ffmpeg_it_uses(client):
    check = client.get("/readyz").json()["checks"]["ffmpeg"]
    assert check["ok"] is True
    assert check["source"] in {"system", "imageio-ffmpeg"}
    assert check["version"]


def test_readyz_fails_naming_ffmpeg_when_it_is_missing(client, settings):
    settings.MEDIA_FFMPEG_BINARY = "/opt/nowhere/ffmpeg"
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["ffmpeg"]
    assert "not an executable" in body["checks"]["ffmpeg"]["error"]
