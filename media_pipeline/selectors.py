"""Reads, shaped for their callers (views never build queries)."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from media_pipeline import access
from media_pipeline.errors import (
    ChangeDenied,
    LibraryAccessDenied,
    MediaNotFound,
    PlaybackDenied,
    UploadNotAllowed,
)
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


def ensure_library_access(user) -> None:
    if not access.can_use_library(user):
        raise LibraryAccessDenied()


def ensure_can_upload(user) -> None:
    if not access.can_upload(user):
        raise UploadNotAllowed()


def video_asset_for(user, pk: int, *, manage: bool = False) -> VideoAsset:
    """A video ``user`` may see (:func:`video_asset_detail`), or may change with ``manage``.
    LibraryAccessDenied without library access, MediaNotFound for a video they may not see
    (whose videos exist is not revealed), ChangeDenied for one they may see only."""
    ensure_library_access(user)
    asset = video_asset_detail(pk=pk)
    if asset is None or not access.can_view(user, asset):
        raise MediaNotFound()
    if manage and not access.can_manage(user, asset):
        raise ChangeDenied()
    return asset


def playable_asset(user, pk: int) -> VideoAsset:
    """A video the playback policy lets ``user`` play (MediaNotFound, PlaybackDenied)."""
    asset = video_asset_detail(pk=pk)
    if asset is None:
        raise MediaNotFound()
    if not access.playback_allowed(user, asset):
        raise PlaybackDenied()
    return asset


def upload_asset(pk: int) -> VideoAsset:
    """The video a signed upload part belongs to (the signature is the credential)."""
    asset = VideoAsset.objects.filter(pk=pk).first()
    if asset is None:
        raise MediaNotFound("No such upload.")
    return asset


def ready_asset(pk: int) -> VideoAsset:
    """A ready video with its renditions and captions (signed stream URLs)."""
    asset = video_asset_detail(pk=pk)
    if asset is None or asset.status != VideoAsset.Status.READY:
        raise MediaNotFound()
    return asset


def caption_tracks(asset: VideoAsset) -> QuerySet[CaptionTrack]:
    return CaptionTrack.objects.filter(asset=asset).order_by("language", "pk")


def caption_track(asset: VideoAsset, language: str) -> CaptionTrack:
    track = CaptionTrack.objects.filter(asset=asset, language=language).first()
    if track is None:
        raise MediaNotFound("No caption track in that language.")
    return track


def expired_uploads(*, now=None) -> QuerySet[VideoAsset]:
    return VideoAsset.objects.filter(
        status=VideoAsset.Status.AWAITING_UPLOAD, upload_expires_at__lt=now or timezone.now()
    ).order_by("upload_expires_at")


def caption_segments(track: CaptionTrack):
    return track.segments.order_by("position")
