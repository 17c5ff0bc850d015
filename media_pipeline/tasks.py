"""Celery tasks of the media pipeline; routed to the ``media`` queue by settings.

Thin and idempotent: load by id, call a service. Late acknowledgement with
``task_reject_on_worker_lost`` (project settings) means a worker killed mid-transcode gives the
message back to the broker and another worker process finishes the video.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from media_pipeline import services
from media_pipeline.errors import (
    ProcessingFailed,
    SpeechToTextRefused,
    SpeechToTextUnavailable,
    StorageUnavailable,
)

logger = logging.getLogger(__name__)


def retry_countdown(retries: int) -> float:
    """Exponential backoff: base, 2 x base, 4 x base, ..."""
    return settings.MEDIA_STORAGE_RETRY_BACKOFF_SECONDS * (2**retries)


@shared_task(
    bind=True,
    name="media_pipeline.tasks.process_video",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.MEDIA_PROCESSING_SOFT_TIME_LIMIT,
    time_limit=settings.MEDIA_PROCESSING_TIME_LIMIT,
    max_retries=None,  # bounded below by MEDIA_STORAGE_MAX_RETRIES, read at run time
)
def process_video(self, asset_id: int) -> str:
    try:
        asset = services.video_process(asset_id=asset_id)
    except StorageUnavailable as exc:
        if self.request.retries >= settings.MEDIA_STORAGE_MAX_RETRIES:
            services.video_mark_failed(
                asset_id=asset_id,
                reason=f"{exc} Gave up after {self.request.retries + 1} attempts; "
                "processing can be started again once storage is back.",
            )
            return "failed"
        countdown = retry_countdown(self.request.retries)
        logger.warning("Video %s: %s Retrying in %.0f s.", asset_id, exc, countdown)
        # Back to "uploaded" so the retry claims it again and the library shows it waiting.
        services.video_requeue(asset_id=asset_id, reason=str(exc))
        raise self.retry(exc=exc, countdown=countdown) from exc
    except SoftTimeLimitExceeded:
        services.video_mark_failed(
            asset_id=asset_id,
            reason="Processing took longer than the time limit; try a shorter or smaller file.",
        )
        return "failed"
    except Exception as exc:
        services.video_mark_failed(
            asset_id=asset_id,
            reason=f"Processing stopped on an unexpected error ({type(exc).__name__}).",
        )
        raise
    return asset.status if asset else "missing"


@shared_task(
    name="media_pipeline.tasks.expire_uploads",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
)
def expire_uploads() -> int:
    """Periodic (Celery beat): remove unfinished uploads past their expiry."""
    return services.uploads_expire()


@shared_task(
    name="media_pipeline.tasks.recover_stuck_videos",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
)
def recover_stuck_videos() -> dict:
    """Periodic (Celery beat): queue again videos whose processing message was lost."""
    return services.videos_recover_stuck()


@shared_task(
    bind=True,
    name="media_pipeline.tasks.captions_from_speech",
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=settings.MEDIA_PROCESSING_SOFT_TIME_LIMIT,
    time_limit=settings.MEDIA_PROCESSING_TIME_LIMIT,
    max_retries=None,  # bounded below by MEDIA_STT_MAX_RETRIES, read at run time
)
def captions_from_speech(self, asset_id: int) -> str:
    """Captions from speech for a ready video without captions (optional step). A provider
    or storage outage is retried with backoff; giving up, or a refusal, leaves the video as
    it is (ready, without captions): nothing is marked failed."""
    try:
        track = services.captions_from_speech(asset_id=asset_id)
    except (SpeechToTextUnavailable, StorageUnavailable) as exc:
        if self.request.retries >= settings.MEDIA_STT_MAX_RETRIES:
            logger.warning("Video %s: no captions from speech, gave up: %s", asset_id, exc)
            return "gave_up"
        countdown = settings.MEDIA_STT_RETRY_BACKOFF_SECONDS * (2**self.request.retries)
        logger.info("Video %s: %s Retrying in %.0f s.", asset_id, exc, countdown)
        raise self.retry(exc=exc, countdown=countdown) from exc
    except (SpeechToTextRefused, ProcessingFailed) as exc:
        logger.warning("Video %s: no captions from speech: %s", asset_id, exc)
        return "refused"
    return "captioned" if track else "skipped"
