"""Processing through the real ffmpeg on local storage, in-process (the same service the
``media`` task runs). End-to-end runs through a real worker are in test_end_to_end.py."""

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections
from django.utils import timezone

from config.asgi import application
from media_pipeline import services, tasks
from media_pipeline.consumers import CLOSE_FORBIDDEN
from media_pipeline.models import VideoAsset, VideoRendition
from media_pipeline.storage import storage as video_storage
from tests.factories.media import VideoAssetFactory
from tests.media_pipeline.fixtures import process_in_process

pytestmark = pytest.mark.django_db


def stored_files(prefix: str) -> list[str]:
    root = Path(video_storage().location)
    return sorted(str(p.relative_to(root)) for p in (root / prefix).rglob("*") if p.is_file())


def playlist_uris(name: str) -> list[str]:
    with video_storage().open(name) as fh:
        lines = fh.read().decode().splitlines()
    return [line for line in lines if line and not line.startswith("#")]


@pytest.mark.slow
def test_hd_clip_becomes_a_two_rung_hls_ladder_with_poster(roles, clips):
    asset = process_in_process(roles.instructor, clips["hd"])
    assert (asset.status, asset.progress, asset.failure_reason) == ("ready", 100, "")
    assert (asset.width, asset.height, asset.video_codec, asset.audio_codec) == (
        1280,
        720,
        "h264",
        "aac",
    )
    assert asset.duration_seconds == pytest.approx(2.0, abs=0.1)
    renditions = list(asset.renditions.values_list("name", "width", "height"))
    assert renditions == [("360p", 640, 360), ("720p", 1280, 720)]
    variants = playlist_uris(asset.hls_master.name)
    assert variants == ["360p/index.m3u8", "720p/index.m3u8"]
    hls = asset.hls_master.name.rsplit("/", 1)[0]
    for variant in variants:
        segments = playlist_uris(f"{hls}/{variant}")
        assert segments
        for segment in segments:
            assert video_storage().size(f"{hls}/{variant.split('/')[0]}/{segment}") > 0
    with video_storage().open(asset.poster.name) as fh:
        assert fh.read(2) == b"\xff\xd8"
    assert asset.processing_attempts == 1


@pytest.mark.slow
def test_reprocessing_replaces_outputs_without_duplicates(roles, clips):
    asset = process_in_process(roles.instructor, clips["hd"])
    files = stored_files(asset.storage_prefix)
    renditions = list(asset.renditions.values_list("pk", flat=True))
    services.video_reprocess(asset=asset)
    again = services.video_process(asset_id=asset.pk)
    assert again.status == "ready"
    assert stored_files(asset.storage_prefix) == files
    assert VideoRendition.objects.filter(asset=asset).count() == len(renditions) == 2
    assert again.processing_attempts == 2
    # A redelivered message for a finished video is a no-op.
    assert services.video_process(asset_id=asset.pk).processing_attempts == 2


@pytest.mark.parametrize(
    ("clip", "reason"),
    [
        ("text", "The file is not a video we can read; it may be damaged, incomplete or"),
        ("truncated", "The file is not a video we can read; it may be damaged, incomplete or"),
        ("disguised_flv", "The flv container is not supported; upload MP4, MOV, WebM or MKV."),
    ],
)
def test_bad_files_fail_with_a_human_readable_reason(roles, clips, clip, reason):
    asset = process_in_process(roles.instructor, clips[clip])
    assert asset.status == "failed"
    assert asset.failure_reason.startswith(reason)
    assert not asset.renditions.exists()
    assert not asset.hls_master


def test_a_missing_original_fails_the_task_with_a_reason(roles, clips):
    asset = services.video_create_from_file(
        user=roles.instructor, title="Gone", path=clips["small"], content_type="video/mp4"
    )
    video_storage().delete(asset.original.name)  # the original vanished from storage
    result = tasks.process_video.apply(args=(asset.pk,))
    assert result.get() == "failed"
    asset.refresh_from_db()
    assert asset.status == "failed"
    assert asset.failure_reason.startswith("The uploaded original is missing from storage")


def test_processing_task_is_routed_to_the_media_queue_with_time_limits():
    from config.celery import app

    task = app.tasks["media_pipeline.tasks.process_video"]
    assert app.amqp.router.route({}, task.name)["queue"].name == "media"
    assert task.soft_time_limit == settings.MEDIA_PROCESSING_SOFT_TIME_LIMIT
    assert task.time_limit > task.soft_time_limit
    assert task.acks_late is True
    assert [tasks.retry_countdown(n) for n in range(3)] == [
        settings.MEDIA_STORAGE_RETRY_BACKOFF_SECONDS * f for f in (1, 2, 4)
    ]


def test_expired_uploads_are_removed_by_the_periodic_task(roles):
    expired = VideoAssetFactory(
        owner=roles.instructor, upload_expires_at=timezone.now() - timedelta(minutes=1)
    )
    video_storage().save(expired.original.name, ContentFile(b"partial"))
    fresh = VideoAssetFactory(
        owner=roles.instructor, upload_expires_at=timezone.now() + timedelta(hours=1)
    )
    done = VideoAssetFactory(
        owner=roles.instructor,
        status="ready",
        upload_expires_at=timezone.now() - timedelta(days=1),
    )
    assert tasks.expire_uploads() == 1
    assert set(VideoAsset.objects.values_list("pk", flat=True)) == {fresh.pk, done.pk}
    assert not video_storage().exists(expired.original.name)
    entry = settings.CELERY_BEAT_SCHEDULE["media-expire-uploads"]
    assert entry["task"] == tasks.expire_uploads.name


# --- Live progress over Channels -------------------------------------------------------------

ORIGIN = (b"origin", b"http://localhost")


async def close_thread_connections() -> None:
    """The consumer's queries ran in asgiref's shared thread: close that thread's database
    connection so later tests (which may not use the database) find none open."""
    await database_sync_to_async(connections.close_all)()


def _session_cookie(client, user) -> tuple[bytes, bytes]:
    client.force_login(user)
    return (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())


@pytest.mark.django_db(transaction=True)
def test_progress_events_reach_the_owner_over_websocket(roles, client):
    asset = VideoAssetFactory(owner=roles.instructor, status="processing")
    headers = [ORIGIN, _session_cookie(client, roles.instructor)]

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/media/{asset.pk}/", headers)
        connected, _ = await communicator.connect()
        assert connected
        first = json.loads(await communicator.receive_from(timeout=5))
        from asgiref.sync import sync_to_async

        await sync_to_async(services._set_progress)(asset.pk, 42)
        update = json.loads(await communicator.receive_from(timeout=5))
        await communicator.disconnect()
        await close_thread_connections()
        return first, update

    first, update = asyncio.run(scenario())
    assert (first["type"], first["status"], first["progress"]) == ("progress", "processing", 0)
    assert (update["asset_id"], update["progress"]) == (asset.pk, 42)
    assert VideoAsset.objects.get(pk=asset.pk).progress == 42


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", ["anonymous", "student", "other_instructor"])
def test_progress_socket_refuses_users_who_may_not_see_the_video(roles, client, role):
    asset = VideoAssetFactory(owner=roles.instructor)
    headers = [ORIGIN]
    if role != "anonymous":
        headers.append(_session_cookie(client, roles.user(role)))

    async def scenario():
        communicator = WebsocketCommunicator(application, f"/ws/media/{asset.pk}/", headers)
        connected, code = await communicator.connect()
        await close_thread_connections()
        return connected, code

    assert asyncio.run(scenario()) == (False, CLOSE_FORBIDDEN)


def test_videos_whose_processing_message_was_lost_are_queued_again(
    roles, django_capture_on_commit_callbacks
):
    long_ago = timezone.now() - timedelta(
        seconds=settings.MEDIA_PROCESSING_TIME_LIMIT + settings.MEDIA_STUCK_AFTER_SECONDS + 60
    )
    never_queued = VideoAssetFactory(owner=roles.instructor, status="uploaded")
    lost_worker = VideoAssetFactory(
        owner=roles.instructor,
        status="processing",
        processing_started_at=long_ago,
        processing_attempts=1,
    )
    gave_up = VideoAssetFactory(
        owner=roles.instructor,
        status="processing",
        processing_started_at=long_ago,
        processing_attempts=3,
    )
    just_completed = VideoAssetFactory(owner=roles.instructor, status="uploaded")
    still_working = VideoAssetFactory(
        owner=roles.instructor, status="processing", processing_started_at=timezone.now()
    )
    VideoAsset.objects.filter(pk__in=[never_queued.pk, lost_worker.pk, gave_up.pk]).update(
        updated_at=long_ago
    )

    with django_capture_on_commit_callbacks() as queued:
        outcome = tasks.recover_stuck_videos()

    assert sorted(outcome["requeued"]) == sorted([never_queued.pk, lost_worker.pk])
    assert outcome["failed"] == [gave_up.pk]
    assert len([c for c in queued if "delay" in c.__code__.co_names]) == 2  # two tasks queued
    statuses = dict(VideoAsset.objects.values_list("pk", "status"))
    assert statuses[never_queued.pk] == statuses[lost_worker.pk] == "uploaded"
    assert statuses[gave_up.pk] == "failed"
    assert "interrupted 3 times" in VideoAsset.objects.get(pk=gave_up.pk).failure_reason
    assert statuses[just_completed.pk] == "uploaded"
    assert statuses[still_working.pk] == "processing"
    entry = settings.CELERY_BEAT_SCHEDULE["media-recover-stuck"]
    assert entry["task"] == tasks.recover_stuck_videos.name
