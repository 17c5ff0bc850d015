"""Playback while the S3 endpoint is down (moto's server, stopped): the signed playlist URLs
answer 503 ``storage_unavailable``, a problem the player can retry, never a 500. Found by
``bench/faults/run.py`` (scenario ``s3``)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from media_pipeline import delivery
from media_pipeline.models import VideoAsset, VideoRendition
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def s3_videos(s3_server, settings):
    store = s3_server["storage"]
    settings.STORAGES = {**settings.STORAGES, "default": store, "videos": store}
    return s3_server


def test_playlists_answer_503_while_storage_is_down(s3_videos, client):
    from media_pipeline import storage as media_storage

    asset = VideoAssetFactory(status=VideoAsset.Status.READY, duration_seconds=2)
    store = media_storage.storage()
    hls = f"videos/{asset.key}/hls"
    asset.hls_master = store.save(f"{hls}/master.m3u8", ContentFile(b"#EXTM3U\n360p/index.m3u8\n"))
    asset.save()
    VideoRendition.objects.create(
        asset=asset,
        name="360p",
        width=640,
        height=360,
        bandwidth=800_000,
        playlist=store.save(f"{hls}/360p/index.m3u8", ContentFile(b"#EXTM3U\nseg0.ts\n")),
    )
    master = delivery.playback(asset).hls_url
    path = master.split("://", 1)[-1].split("/", 1)[-1]
    assert client.get(f"/{path}").status_code == 200

    s3_videos["stop"]()
    for url in (f"/{path}", f"/{path}".replace("master.m3u8", "360p/index.m3u8")):
        response = client.get(url)
        assert response.status_code == 503, response.content
        assert response.json()["code"] == "storage_unavailable"
