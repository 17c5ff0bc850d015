"""The whole pipeline through real processes: uvicorn serves the API, a Celery worker runs
ffmpeg, the bytes travel with a plain HTTP client to local storage or to a real S3 endpoint
(moto's standalone server). Rows the subprocesses use are committed (transactional_db)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import httpx
import pytest

from media_pipeline.models import VideoAsset
from tests.media_pipeline.fixtures import (
    bearer,
    children,
    isolated_env,
    make_clip,
    media_worker,
    s3_env,
    wait_for,
    web,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e, pytest.mark.slow]


def upload(base: str, user, clip: Path, *, title: str = "Lesson") -> dict:
    """Create, send the bytes (one PUT per part) with plain httpx, complete."""
    headers = bearer(user)
    data = clip.read_bytes()
    created = httpx.post(
        f"{base}/api/v2/media/uploads/",
        json={
            "filename": clip.name,
            "size_bytes": len(data),
            "content_type": "video/mp4",
            "title": title,
        },
        headers=headers,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    for part in body["upload"]["parts"]:
        chunk = data[part["offset"] : part["offset"] + part["size"]]
        sent = httpx.put(part["url"], content=chunk, headers=body["upload"]["headers"], timeout=30)
        assert sent.status_code == 200, sent.text
    done = httpx.post(
        f"{base}/api/v2/media/uploads/{body['asset']['id']}/complete/", headers=headers, timeout=30
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] in {"uploaded", "processing", "ready"}
    return body


def settled(asset_id: int, timeout: float = 90) -> VideoAsset:
    def check():
        asset = VideoAsset.objects.get(pk=asset_id)
        return asset if asset.status in ("ready", "failed") else None

    return wait_for(check, timeout=timeout, message=f"video {asset_id} to finish processing")


def uris(playlist: str) -> list[str]:
    return [line for line in playlist.splitlines() if line and not line.startswith("#")]


def test_local_storage_upload_to_playback_through_server_and_worker(
    live_asgi_url, worker, roles, clips
):
    body = upload(live_asgi_url, roles.instructor, clips["hd"])
    asset = settled(body["asset"]["id"])
    assert asset.status == "ready", asset.failure_reason
    detail = httpx.get(
        f"{live_asgi_url}/api/v2/media/videos/{asset.pk}/", headers=bearer(roles.instructor)
    ).json()
    assert (detail["progress"], [r["name"] for r in detail["renditions"]]) == (
        100,
        ["360p", "720p"],
    )
    playback = httpx.get(
        f"{live_asgi_url}/api/v2/media/videos/{asset.pk}/playback/",
        headers=bearer(roles.instructor),
    ).json()
    master = httpx.get(playback["hls_url"])
    assert master.status_code == 200
    variants = uris(master.text)
    assert variants == ["360p/index.m3u8", "720p/index.m3u8"]
    base = playback["hls_url"].rsplit("/", 1)[0]
    for variant in variants:
        for segment_url in uris(httpx.get(f"{base}/{variant}").text):
            segment = httpx.get(segment_url)
            assert segment.status_code == 200
            assert segment.content[:1] == b"G"
    assert httpx.get(playback["poster_url"]).content[:2] == b"\xff\xd8"


def test_s3_upload_to_ready_with_presigned_put_and_multipart(s3_server, roles, clips, tmp_path):
    small, hd = clips["small"], clips["hd"]
    assert hd.stat().st_size > small.stat().st_size
    env = isolated_env(
        tmp_path,
        **s3_env(s3_server),
        # The hd clip goes multipart (one presigned URL per part), the small one single PUT.
        MEDIA_UPLOAD_MULTIPART_THRESHOLD=str(small.stat().st_size + 1),
    )
    bucket, client = s3_server["bucket"], s3_server["client"]
    with web(env) as base, media_worker(env):
        single = upload(base, roles.instructor, small, title="Single")
        multi = upload(base, roles.instructor, hd, title="Multipart")
        assert single["upload"]["backend"] == "s3"
        assert "X-Amz-Signature=" in single["upload"]["parts"][0]["url"]
        assert multi["upload"]["backend"] == "s3_multipart"
        assert "uploadId=" in multi["upload"]["parts"][0]["url"]
        for body in (single, multi):
            asset = settled(body["asset"]["id"])
            assert asset.status == "ready", asset.failure_reason
            keys = {
                obj["Key"]
                for obj in client.list_objects_v2(Bucket=bucket, Prefix=asset.storage_prefix)[
                    "Contents"
                ]
            }
            master = client.get_object(Bucket=bucket, Key=asset.hls_master.name)["Body"].read()
            variants = uris(master.decode())
            assert variants == [f"{r.name}/index.m3u8" for r in asset.renditions.all()]
            hls = asset.hls_master.name.rsplit("/", 1)[0]
            listed = 0
            for variant in variants:
                folder = f"{hls}/{variant.rsplit('/', 1)[0]}"
                playlist = client.get_object(Bucket=bucket, Key=f"{hls}/{variant}")["Body"].read()
                for segment in uris(playlist.decode()):
                    assert f"{folder}/{segment}" in keys
                    listed += 1
            assert listed >= len(variants)
            assert asset.poster.name in keys
            assert asset.original.name in keys
        # Playback from S3: segments are presigned GETs on the bucket.
        playback = httpx.get(
            f"{base}/api/v2/media/videos/{multi['asset']['id']}/playback/",
            headers=bearer(roles.editor),
        ).json()
        rendition = httpx.get(playback["hls_url"].replace("master.m3u8", "720p/index.m3u8"))
        first_segment = uris(rendition.text)[0]
        assert first_segment.startswith(s3_server["endpoint"])
        assert httpx.get(first_segment).content[:1] == b"G"
        assert httpx.get(playback["poster_url"]).content[:2] == b"\xff\xd8"


def test_worker_killed_mid_transcode_is_redelivered_and_completes(roles, tmp_path):
    # Long enough (and a slow preset) to be caught mid-transcode on a 2-core machine.
    clip = make_clip(tmp_path / "long.mp4", seconds=5, size="1280x720")
    env = isolated_env(tmp_path, MEDIA_X264_PRESET="faster", MEDIA_HLS_SEGMENT_SECONDS="2")
    with web(env) as base:
        body = upload(base, roles.instructor, clip)
    asset_id = body["asset"]["id"]
    with media_worker(env, pool="prefork") as worker:

        def transcoding():
            asset = VideoAsset.objects.get(pk=asset_id)
            return asset.status == "processing" and 0 < asset.progress < 90

        wait_for(transcoding, timeout=60, interval=0.05, message="transcoding to start")
        [pool_child] = children(worker.pid)
        ffmpeg_processes = children(pool_child)
        os.kill(pool_child, signal.SIGKILL)  # the process running the task dies
        for pid in ffmpeg_processes:
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: pool_child not in children(worker.pid), timeout=10, message="the kill")
        asset = settled(asset_id, timeout=120)
        replacement = children(worker.pid)
    assert asset.status == "ready", asset.failure_reason
    assert asset.processing_attempts == 2
    assert replacement and pool_child not in replacement
    assert asset.renditions.count() == 2


def test_storage_outage_is_retried_with_backoff_then_fails_with_a_reason(
    s3_server, roles, clips, tmp_path
):
    env = isolated_env(
        tmp_path,
        **s3_env(s3_server),
        MEDIA_STORAGE_MAX_RETRIES="2",
        MEDIA_STORAGE_RETRY_BACKOFF_SECONDS="0.5",
    )
    with web(env) as base:
        body = upload(base, roles.instructor, clips["small"])
    s3_server["stop"]()  # storage goes away after the upload, before processing
    started = time.monotonic()
    with media_worker(env):
        asset = settled(body["asset"]["id"], timeout=60)
    elapsed = time.monotonic() - started
    assert asset.status == "failed"
    assert asset.processing_attempts == 3
    assert "Storage was unreachable while downloading the original" in asset.failure_reason
    assert "Gave up after 3 attempts" in asset.failure_reason
    assert elapsed >= 0.5 + 1.0  # the two backoff waits
