"""Reads, shaped for their callers (views never build queries)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from media_pipeline import access
from media_pipeline.models import CaptionTrack, VideoAsset, VideoRendition


def video_assets_visible_to(user, *, status: str | None = None) -> QuerySet[VideoAsset]:
    """The library of ``user``: their own videos, or everyone's for managers."""
    queryset = (
        VideoAsset.objects.filter(access.visible_filter(user))
        .select_related("owner")
        .annotate(caption_count=Count("captions"))
        .order_by("-created_at", "-id")
    )
    if status:
        queryset = queryset.filter(status=status)
    return queryset


def video_asset_detail(*, pk: int) -> VideoAsset | None:
    """One video with everything its detail and playback views show."""
    return (
        VideoAsset.objects.select_related("owner")
        .prefetch_related(
            Prefetch("renditions", queryset=VideoRendition.objects.order_by("height")),
            Prefetch("captions", queryset=CaptionTrack.objects.order_by("language")),
        )
        .filter(pk=pk)
        .first()
    )


def expired_uploads(*, now=None) -> QuerySet[VideoAsset]:
    return VideoAsset.objects.filter(
        status=VideoAsset.Status.AWAITING_UPLOAD, upload_expires_at__lt=now or timezone.now()
    ).order_by("upload_expires_at")


def caption_segments(track: CaptionTrack):
    return track.segments.order_by("position")
