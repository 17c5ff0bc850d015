"""Every write of the media pipeline.

Upload flow: :func:`upload_create` (validates, decides where the bytes go) → the client sends
the bytes straight to storage → :func:`upload_complete` (checks the stored object, queues
processing after commit) or :func:`upload_abort`. Processing: :func:`video_process`, run by
the ``media`` Celery queue; it is idempotent and safe to run again after a worker died.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
from datetime import timedelta
from pathlib import Path, PurePosixPath

import filetype
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from media_pipeline import captions as caption_files
from media_pipeline import events, ffmpeg, speech
from media_pipeline import storage as media_storage
from media_pipeline.errors import (
    InvalidState,
    InvalidUploadPart,
    NotAVideo,
    ProcessingFailed,
    StorageUnavailable,
    UnsupportedFileType,
    UploadExpired,
    UploadIncomplete,
    UploadRejected,
    UploadTooLarge,
)
from media_pipeline.models import CaptionTrack, TranscriptSegment, VideoAsset, VideoRendition

logger = logging.getLogger(__name__)
Status = VideoAsset.Status
Backend = VideoAsset.UploadBackend


def _queue_processing(asset_id: int) -> None:
    from media_pipeline.tasks import process_video

    transaction.on_commit(lambda: process_video.delay(asset_id))


def _publish_after_commit(asset: VideoAsset) -> None:
    event = events.asset_event(asset)
    transaction.on_commit(lambda: events.publish(event))


def _finished_after_commit(asset: VideoAsset) -> None:
    """Processing ended (ready or failed): run ``MEDIA_STATUS_HANDLERS`` ``(asset)`` after
    commit. Handlers (e.g. notifying the owner) must not break processing."""
    from django.utils.module_loading import import_string

    def run(asset_id=asset.pk):
        current = VideoAsset.objects.filter(pk=asset_id).first()
        for path in settings.MEDIA_STATUS_HANDLERS:
            try:
                import_string(path)(current)
            except Exception:
                logger.exception("Media status handler %s failed for video %s", path, asset_id)

    if settings.MEDIA_STATUS_HANDLERS:
        transaction.on_commit(run)


# --- Uploads ---------------------------------------------------------------------------------


def _size(num_bytes: int) -> str:
    return filesizeformat(num_bytes).replace("\xa0", " ")


def validate_upload_request(*, filename: str, size_bytes: int, content_type: str) -> str:
    """The normalised extension of an acceptable upload; raises UploadRejected otherwise."""
    allowed: dict[str, str] = settings.MEDIA_UPLOAD_ALLOWED_TYPES
    extension = PurePosixPath(filename.replace("\\", "/")).suffix.lower()
    if extension not in allowed:
        kinds = ", ".join(sorted(allowed))
        raise UnsupportedFileType(
            f"{extension or 'Files without an extension'} is not accepted; upload one of {kinds}."
        )
    if content_type.lower() not in set(allowed.values()):
        raise UnsupportedFileType(f"Content type {content_type!r} is not an accepted video type.")
    if size_bytes <= 0:
        raise UploadRejected("The file is empty.", code="empty_upload")
    limit = settings.MEDIA_UPLOAD_MAX_BYTES
    if size_bytes > limit:
        raise UploadTooLarge(f"The file is {_size(size_bytes)}; the limit is {_size(limit)}.")
    return extension


@transaction.atomic
def upload_create(
    *, user, filename: str, size_bytes: int, content_type: str, title: str = ""
) -> VideoAsset:
    extension = validate_upload_request(
        filename=filename, size_bytes=size_bytes, content_type=content_type
    )
    asset = VideoAsset(
        owner=user,
        title=(title or PurePosixPath(filename).stem)[:255],
        original_filename=PurePosixPath(filename.replace("\\", "/")).name[:255],
        content_type=content_type.lower(),
        size_bytes=size_bytes,
        upload_expires_at=timezone.now() + timedelta(seconds=settings.MEDIA_UPLOAD_EXPIRY_SECONDS),
        upload_part_size=settings.MEDIA_UPLOAD_PART_SIZE,
    )
    asset.original.name = f"{asset.storage_prefix}/original{extension}"
    if not media_storage.is_s3():
        asset.upload_backend = Backend.LOCAL
    elif size_bytes >= settings.MEDIA_UPLOAD_MULTIPART_THRESHOLD:
        asset.upload_backend = Backend.S3_MULTIPART
        asset.upload_id = media_storage.multipart_create(
            asset.original.name, content_type=asset.content_type
        )
    else:
        asset.upload_backend = Backend.S3
        asset.upload_part_size = size_bytes
    asset.full_clean()
    asset.save()
    return asset


def part_count(asset: VideoAsset) -> int:
    part = asset.upload_part_size or asset.size_bytes
    return max(1, -(-asset.size_bytes // part))


def part_range(asset: VideoAsset, part_number: int) -> tuple[int, int]:
    """(offset, length) of a 1-based part."""
    if not 1 <= part_number <= part_count(asset):
        raise InvalidUploadPart(
            f"Part {part_number} does not exist; this upload has {part_count(asset)} parts."
        )
    offset = (part_number - 1) * asset.upload_part_size
    return offset, min(asset.upload_part_size, asset.size_bytes - offset)


def _check_uploadable(asset: VideoAsset) -> None:
    if asset.status != Status.AWAITING_UPLOAD:
        raise InvalidState(f"This video is {asset.get_status_display().lower()}, not uploading.")
    if asset.upload_expires_at and asset.upload_expires_at < timezone.now():
        raise UploadExpired("This upload has expired; start a new one.")


def upload_write_part(*, asset: VideoAsset, part_number: int, stream, length: int) -> int:
    """Store one part of a local chunked upload (the embedded default). Sending a part again
    overwrites it, so interrupted uploads resume by re-sending the missing parts."""
    _check_uploadable(asset)
    if asset.upload_backend != Backend.LOCAL:
        raise InvalidState("This upload goes to S3, not to the local chunk endpoint.")
    offset, expected = part_range(asset, part_number)
    if length != expected:
        raise InvalidUploadPart(f"Part {part_number} must be {expected} bytes, got {length}.")
    written = media_storage.write_local_part(
        asset.original.name, offset=offset, stream=stream, length=length
    )
    if written != expected:
        raise InvalidUploadPart(f"Part {part_number} ended after {written} of {expected} bytes.")
    return written


def upload_complete(*, asset: VideoAsset) -> VideoAsset:
    """Check the stored original has the declared size and is a video, then queue processing.

    Idempotent for retrying clients: completing an upload that already completed returns it
    unchanged. A missing or wrong-sized object leaves the upload open so the client can send
    the bytes again. Bytes that are not a video container (whatever the file's name or declared
    type) are refused: the asset is marked failed with the reason, its bytes are deleted, and
    :class:`NotAVideo` is raised after that is committed.
    """
    with transaction.atomic():
        asset, detected = _upload_complete(asset)
    if detected is not None:
        raise NotAVideo(
            f"The uploaded file is not a video ({detected}). Upload an MP4, MOV, WebM or MKV file."
        )
    return asset


def sniff_video(head: bytes) -> str | None:
    """None when ``head`` (a file's first bytes) starts a video container; otherwise what it
    looks like instead, for the message."""
    kind = filetype.guess(head)
    if kind is not None and kind.mime.startswith("video/"):
        return None
    if kind is None and len(head) > 188 and head[0] == head[188] == 0x47:
        return None  # MPEG transport stream: a sync byte every 188 bytes
    return f"detected {kind.mime}" if kind is not None else "unrecognised content"


def _upload_complete(asset: VideoAsset) -> tuple[VideoAsset, str | None]:
    asset = VideoAsset.objects.select_for_update().get(pk=asset.pk)
    if asset.status in (Status.UPLOADED, Status.PROCESSING, Status.READY):
        return asset, None
    _check_uploadable(asset)
    name = asset.original.name
    if asset.upload_backend == Backend.S3_MULTIPART:
        parts = media_storage.multipart_parts(name, upload_id=asset.upload_id)
        received = sum(part["Size"] for part in parts)
        if not parts or [p["PartNumber"] for p in parts] != list(range(1, part_count(asset) + 1)):
            raise UploadIncomplete(
                f"{len(parts)} of {part_count(asset)} parts have arrived.", code="upload_missing"
            )
        if received != asset.size_bytes:
            raise UploadIncomplete(
                f"Received {received} bytes but {asset.size_bytes} were declared.",
                code="upload_size_mismatch",
            )
        media_storage.multipart_complete(name, upload_id=asset.upload_id, parts=parts)
    size = media_storage.size_of(name)
    if not size:
        raise UploadIncomplete("No bytes have arrived for this upload.", code="upload_missing")
    if size != asset.size_bytes:
        if asset.upload_backend == Backend.LOCAL and size > asset.size_bytes:
            media_storage.truncate_local(name, asset.size_bytes)
        raise UploadIncomplete(
            f"Received {size} bytes but {asset.size_bytes} were declared.",
            code="upload_size_mismatch",
        )
    asset.upload_expires_at = None
    asset.upload_id = ""
    detected = sniff_video(media_storage.read_head(name))
    if detected is not None:
        asset.status = Status.FAILED
        asset.failure_reason = f"The uploaded file is not a video ({detected})."
        asset.full_clean()
        asset.save()
        transaction.on_commit(lambda prefix=asset.storage_prefix: _delete_quietly(prefix))
        _publish_after_commit(asset)
        _finished_after_commit(asset)
        return asset, detected
    asset.status = Status.UPLOADED
    asset.full_clean()
    asset.save()
    _publish_after_commit(asset)
    _queue_processing(asset.pk)
    return asset, None


def _delete_quietly(prefix: str) -> None:
    try:
        media_storage.delete_prefix(prefix)
    except StorageUnavailable:
        logger.warning("Could not delete the refused upload under %s", prefix)


def upload_abort(*, asset: VideoAsset) -> None:
    """Cancel an unfinished upload: drop received bytes and the asset."""
    with transaction.atomic():
        asset = VideoAsset.objects.select_for_update().get(pk=asset.pk)
        if asset.status != Status.AWAITING_UPLOAD:
            raise InvalidState("Only unfinished uploads can be aborted.")
        _discard_upload(asset)


def _discard_upload(asset: VideoAsset) -> None:
    if asset.upload_backend == Backend.S3_MULTIPART and asset.upload_id:
        media_storage.multipart_abort(asset.original.name, upload_id=asset.upload_id)
    media_storage.delete_prefix(asset.storage_prefix)
    asset.delete()


def uploads_expire(*, now=None) -> int:
    """Remove unfinished uploads past their expiry (periodic). Returns how many."""
    from media_pipeline.selectors import expired_uploads

    removed = 0
    for asset in expired_uploads(now=now)[:500]:
        with transaction.atomic():
            locked = (
                VideoAsset.objects.select_for_update()
                .filter(pk=asset.pk, status=Status.AWAITING_UPLOAD)
                .first()
            )
            if locked is None:
                continue
            _discard_upload(locked)
            removed += 1
    return removed


def videos_recover_stuck(*, now=None) -> dict[str, list[int]]:
    """Periodic: find videos whose processing message was lost and queue them again.

    - ``uploaded`` for longer than ``MEDIA_STUCK_AFTER_SECONDS``: completed, but the web
      process died between commit and queueing (storage retries wait far less than that);
    - ``processing`` since longer than the task's hard time limit plus the broker's
      redelivery delay: the worker and its message are gone.

    A video interrupted ``MEDIA_MAX_PROCESSING_ATTEMPTS`` times is failed with a reason
    instead of being retried forever.
    """
    now = now or timezone.now()
    uploaded_before = now - timedelta(seconds=settings.MEDIA_STUCK_AFTER_SECONDS)
    processing_before = now - timedelta(
        seconds=settings.MEDIA_PROCESSING_TIME_LIMIT + settings.MEDIA_STUCK_AFTER_SECONDS
    )
    stuck = VideoAsset.objects.filter(
        Q(status=Status.UPLOADED, updated_at__lt=uploaded_before)
        | Q(status=Status.PROCESSING, processing_started_at__lt=processing_before)
    ).values_list("pk", flat=True)
    outcome: dict[str, list[int]] = {"requeued": [], "failed": []}
    for asset_id in list(stuck[:200]):
        with transaction.atomic():
            asset = (
                VideoAsset.objects.select_for_update()
                .filter(pk=asset_id, status__in=[Status.UPLOADED, Status.PROCESSING])
                .first()
            )
            if asset is None:
                continue
            if asset.processing_attempts >= settings.MEDIA_MAX_PROCESSING_ATTEMPTS:
                asset.status = Status.FAILED
                asset.failure_reason = (
                    f"Processing was interrupted {asset.processing_attempts} times; "
                    "check the file and start processing again."
                )
                asset.save(update_fields=["status", "failure_reason", "updated_at"])
                _publish_after_commit(asset)
                outcome["failed"].append(asset.pk)
            else:
                asset.status = Status.UPLOADED
                asset.save(update_fields=["status", "updated_at"])
                _queue_processing(asset.pk)
                outcome["requeued"].append(asset.pk)
    return outcome


# --- Metadata and captions -------------------------------------------------------------------


@transaction.atomic
def video_update(*, asset: VideoAsset, title: str) -> VideoAsset:
    asset.title = title
    asset.full_clean()
    asset.save(update_fields=["title", "updated_at"])
    return asset


@transaction.atomic
def video_reprocess(*, asset: VideoAsset) -> VideoAsset:
    """Queue processing again (e.g. after a ladder change or a failure)."""
    asset = VideoAsset.objects.select_for_update().get(pk=asset.pk)
    if asset.status not in (Status.READY, Status.FAILED) or not asset.original.name:
        raise InvalidState("Only ready or failed videos can be processed again.")
    asset.status, asset.progress, asset.failure_reason = Status.UPLOADED, 0, ""
    asset.save(update_fields=["status", "progress", "failure_reason", "updated_at"])
    _publish_after_commit(asset)
    _queue_processing(asset.pk)
    return asset


def _captions_changed_after_commit(asset_id: int) -> None:
    """A video's captions changed (uploaded, generated, deleted): run
    ``MEDIA_CAPTIONS_HANDLERS`` ``(asset)`` after commit (e.g. re-indexing the courses that
    show the video for the tutor). Handlers must not break the caption write."""
    from django.utils.module_loading import import_string

    def run():
        current = VideoAsset.objects.filter(pk=asset_id).first()
        for path in settings.MEDIA_CAPTIONS_HANDLERS:
            try:
                import_string(path)(current)
            except Exception:
                logger.exception("Media captions handler %s failed for video %s", path, asset_id)

    if settings.MEDIA_CAPTIONS_HANDLERS:
        transaction.on_commit(run)


def _caption_store(
    *, asset: VideoAsset, track: CaptionTrack | None, language: str, label: str, cues, webvtt: str
) -> CaptionTrack:
    track = track or CaptionTrack(asset=asset, language=language)
    track.label = (label or language)[:100]
    track.file.name = f"{asset.storage_prefix}/captions/{language}.vtt"
    track.full_clean()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{language}.vtt"
        path.write_text(webvtt, encoding="utf-8")
        media_storage.put_file(track.file.name, path)
    track.save()
    track.segments.all().delete()
    TranscriptSegment.objects.bulk_create(
        TranscriptSegment(
            track=track, position=i, start_seconds=c.start, end_seconds=c.end, text=c.text
        )
        for i, c in enumerate(cues)
    )
    _captions_changed_after_commit(asset.pk)
    return track


@transaction.atomic
def caption_upload(*, asset: VideoAsset, language: str, label: str, content: bytes) -> CaptionTrack:
    """Add or replace the caption track of a language from WebVTT or SRT bytes."""
    language = caption_files.validate_language(language)
    parsed = caption_files.parse(content)
    track = CaptionTrack.objects.select_for_update().filter(asset=asset, language=language).first()
    return _caption_store(
        asset=asset,
        track=track,
        language=language,
        label=label,
        cues=parsed.cues,
        webvtt=parsed.webvtt,
    )


@transaction.atomic
def caption_delete(*, track: CaptionTrack) -> None:
    media_storage.delete(track.file.name)
    asset_id = track.asset_id
    track.delete()
    _captions_changed_after_commit(asset_id)


# --- Captions from speech ----------------------------------------------------------------------


def _queue_speech_captions(asset: VideoAsset) -> None:
    """A video just became ready: when speech-to-text is configured and the video has no
    captions, transcribe it in the ``media`` queue after commit."""
    if not speech.enabled() or asset.captions.exists():
        return
    from media_pipeline.tasks import captions_from_speech

    asset_id = asset.pk
    transaction.on_commit(lambda: captions_from_speech.delay(asset_id))


def captions_from_speech(*, asset_id: int) -> CaptionTrack | None:
    """Transcribe a ready video without captions into a caption track
    (``MEDIA_STT_LANGUAGE``), stored like uploaded captions. None when there is nothing to
    do: speech-to-text off, the video not ready, captions already there (also when some were
    uploaded while this ran: people's captions are never replaced), no audio.
    :class:`SpeechToTextUnavailable` and :class:`StorageUnavailable` propagate for a retry;
    nothing is written before the whole video is transcribed."""
    asset = VideoAsset.objects.filter(pk=asset_id, status=Status.READY).first()
    if asset is None or not speech.enabled() or asset.captions.exists():
        return None
    language = caption_files.validate_language(settings.MEDIA_STT_LANGUAGE or "en")
    with tempfile.TemporaryDirectory(prefix="unpuzzle-speech-") as tmp:
        try:
            source = media_storage.download(asset.original.name, Path(tmp) / "source")
        except FileNotFoundError:
            logger.info("Video %s: no original to transcribe", asset_id)
            return None
        cues = speech.transcribe(source, Path(tmp) / "audio")
    if not cues:
        return None
    with transaction.atomic():
        asset = VideoAsset.objects.select_for_update().get(pk=asset_id)
        if asset.captions.exists():
            return None
        return _caption_store(
            asset=asset,
            track=None,
            language=language,
            label=f"{language} (automatic)",
            cues=cues,
            webvtt=caption_files.render_webvtt(cues),
        )


# --- Processing ------------------------------------------------------------------------------


def _claim(asset_id: int) -> bool:
    """Move an uploaded (or interrupted) video to processing. False if there is nothing to do
    (unknown id, already ready or failed, still uploading): re-deliveries are no-ops."""
    claimed = VideoAsset.objects.filter(
        pk=asset_id, status__in=[Status.UPLOADED, Status.PROCESSING]
    ).update(
        status=Status.PROCESSING,
        progress=0,
        failure_reason="",
        processing_attempts=F("processing_attempts") + 1,
        processing_started_at=timezone.now(),
        updated_at=timezone.now(),
    )
    return bool(claimed)


def _set_progress(asset_id: int, percent: int) -> None:
    VideoAsset.objects.filter(pk=asset_id, status=Status.PROCESSING).update(
        progress=percent, updated_at=timezone.now()
    )
    events.publish(
        {
            "type": "media.progress",
            "asset_id": asset_id,
            "status": Status.PROCESSING,
            "progress": percent,
            "failure_reason": "",
        }
    )


def video_mark_failed(*, asset_id: int, reason: str) -> VideoAsset | None:
    """Record a permanent failure with a reason humans can act on."""
    with transaction.atomic():
        asset = VideoAsset.objects.select_for_update().filter(pk=asset_id).first()
        if asset is None or asset.status == Status.READY:
            return asset
        asset.status, asset.failure_reason = Status.FAILED, reason[:2000]
        asset.save(update_fields=["status", "failure_reason", "updated_at"])
        _publish_after_commit(asset)
        _finished_after_commit(asset)
    return asset


def video_requeue(*, asset_id: int, reason: str) -> None:
    """A transient failure: back to ``uploaded`` until the retry claims it again."""
    with transaction.atomic():
        asset = VideoAsset.objects.select_for_update().filter(pk=asset_id).first()
        if asset is None or asset.status != Status.PROCESSING:
            return
        asset.status, asset.progress = Status.UPLOADED, 0
        asset.failure_reason = f"Will retry: {reason}"[:2000]
        asset.save(update_fields=["status", "progress", "failure_reason", "updated_at"])
        _publish_after_commit(asset)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def video_process(*, asset_id: int) -> VideoAsset | None:
    """Probe, transcode to the HLS ladder, grab a poster and store everything.

    Permanent problems (not a video, unsupported container, ffmpeg failure) end in ``failed``
    with a reason. :class:`StorageUnavailable` propagates so the task can retry it.
    Re-running replaces outputs in place: no duplicated rows or files.
    """
    if not _claim(asset_id):
        return VideoAsset.objects.filter(pk=asset_id).first()
    asset = VideoAsset.objects.get(pk=asset_id)
    events.publish(events.asset_event(asset))
    try:
        with tempfile.TemporaryDirectory(prefix="unpuzzle-media-") as tmp:
            _transcode(asset, Path(tmp))
    except ProcessingFailed as exc:
        logger.info("Video %s failed: %s", asset_id, exc)
        return video_mark_failed(asset_id=asset_id, reason=str(exc))
    return VideoAsset.objects.get(pk=asset_id)


def poster_time(info: ffmpeg.ProbeResult) -> float:
    return min(1.0, info.duration / 3)


def _transcode(asset: VideoAsset, tmp: Path) -> None:
    try:
        source = media_storage.download(asset.original.name, tmp / "source")
    except FileNotFoundError as exc:
        raise ProcessingFailed(
            "The uploaded original is missing from storage; upload the video again.",
            code="original_missing",
        ) from exc
    info = ffmpeg.probe(source)
    containers = set(info.container.split(","))
    if not containers & set(settings.MEDIA_ALLOWED_CONTAINERS):
        raise ProcessingFailed(
            f"The {info.container} container is not supported; upload MP4, MOV, WebM or MKV.",
            code="unsupported_container",
        )
    VideoAsset.objects.filter(pk=asset.pk).update(
        checksum_sha256=_sha256(source),
        duration_seconds=round(info.duration, 3),
        width=info.width,
        height=info.height,
        container=info.container[:100],
        video_codec=info.video_codec,
        audio_codec=info.audio_codec,
    )
    out = tmp / "hls"
    renditions, command = ffmpeg.hls_job(info, source, out)
    ffmpeg.run_with_progress(
        command,
        duration=info.duration,
        on_progress=lambda percent: _set_progress(asset.pk, percent),
    )
    poster = tmp / "poster.jpg"
    ffmpeg.run(ffmpeg.poster_command(ffmpeg.locate().path, source, poster, at=poster_time(info)))

    hls_prefix = f"{asset.storage_prefix}/hls"
    media_storage.delete_prefix(hls_prefix)
    media_storage.put_tree(hls_prefix, out)
    poster_name = media_storage.put_file(f"{asset.storage_prefix}/poster.jpg", poster)
    _store_outputs(asset.pk, hls_prefix, out, renditions, poster_name)


@transaction.atomic
def _store_outputs(asset_id, hls_prefix: str, out: Path, renditions, poster_name: str) -> None:
    asset = VideoAsset.objects.select_for_update().get(pk=asset_id)
    asset.renditions.all().delete()
    for rendition in renditions:
        row = VideoRendition(
            asset=asset,
            name=rendition.name,
            width=rendition.width,
            height=rendition.height,
            bandwidth=rendition.bandwidth,
            segment_count=len(list((out / rendition.name).glob("*.ts"))),
        )
        row.playlist.name = f"{hls_prefix}/{rendition.name}/index.m3u8"
        row.full_clean()
        row.save()
    asset.hls_master.name = f"{hls_prefix}/master.m3u8"
    asset.poster.name = poster_name
    asset.status, asset.progress, asset.failure_reason = Status.READY, 100, ""
    asset.processed_at = timezone.now()
    asset.full_clean()
    asset.save()
    _publish_after_commit(asset)
    _finished_after_commit(asset)
    _queue_speech_captions(asset)


def video_create_from_file(*, user, title: str, path: Path, content_type: str) -> VideoAsset:
    """Register a local file as an uploaded original (demo data, imports); no task queued."""
    extension = validate_upload_request(
        filename=path.name, size_bytes=path.stat().st_size, content_type=content_type
    )
    with transaction.atomic():
        asset = VideoAsset(
            owner=user,
            title=title,
            original_filename=path.name,
            content_type=content_type,
            size_bytes=path.stat().st_size,
            upload_backend=Backend.DIRECT,
            status=Status.UPLOADED,
        )
        asset.original.name = f"{asset.storage_prefix}/original{extension}"
        asset.full_clean()
        asset.save()
    media_storage.copy_into(asset.original.name, path)
    return asset
