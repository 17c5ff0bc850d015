"""Video assets, their HLS renditions and caption tracks.

Workflows live in :mod:`media_pipeline.services`; models hold fields, constraints and small
properties only. Every file an asset owns is stored under ``videos/<key>/`` in the default
storage (local files or an S3 bucket), so re-processing replaces files in place.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from media_pipeline.storage import storage as video_storage


class VideoAsset(models.Model):
    class Status(models.TextChoices):
        AWAITING_UPLOAD = "awaiting_upload", _("Awaiting upload")
        UPLOADED = "uploaded", _("Uploaded")
        PROCESSING = "processing", _("Processing")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class UploadBackend(models.TextChoices):
        S3 = "s3", _("S3 presigned")
        S3_MULTIPART = "s3_multipart", _("S3 multipart")
        LOCAL = "local", _("Local chunks")
        DIRECT = "direct", _("Stored by the server")

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="video_assets",
    )
    title = models.CharField(max_length=255)

    # The uploaded original.
    original = models.FileField(max_length=500, blank=True, storage=video_storage)
    original_filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.BigIntegerField(help_text=_("Declared size of the original in bytes."))
    checksum_sha256 = models.CharField(max_length=64, blank=True)

    # Where the upload goes and until when it may arrive.
    upload_backend = models.CharField(max_length=20, choices=UploadBackend.choices)
    upload_id = models.CharField(max_length=1024, blank=True, help_text=_("S3 multipart id."))
    upload_part_size = models.PositiveBigIntegerField(default=0)
    upload_expires_at = models.DateTimeField(null=True, blank=True)

    # Processing.
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.AWAITING_UPLOAD, db_index=True
    )
    failure_reason = models.TextField(blank=True)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent, 0-100."))
    processing_attempts = models.PositiveIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    # Probe metadata.
    duration_seconds = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    container = models.CharField(max_length=100, blank=True)
    video_codec = models.CharField(max_length=50, blank=True)
    audio_codec = models.CharField(max_length=50, blank=True)

    # Outputs.
    hls_master = models.FileField(max_length=500, blank=True, storage=video_storage)
    poster = models.FileField(max_length=500, blank=True, storage=video_storage)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        permissions = [
            ("manage_all_videoassets", "Can see and manage every user's videos"),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="media_video_owner_idx"),
            models.Index(fields=["status", "upload_expires_at"], name="media_video_expiry_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="media_video_progress_percent",
            ),
            models.CheckConstraint(condition=Q(size_bytes__gt=0), name="media_video_size_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def storage_prefix(self) -> str:
        return f"videos/{self.key}"

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY


class VideoRendition(models.Model):
    """One HLS variant stream of a video (e.g. 720p) with its media playlist."""

    asset = models.ForeignKey(VideoAsset, on_delete=models.CASCADE, related_name="renditions")
    name = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    bandwidth = models.PositiveIntegerField(help_text=_("Peak bits per second (HLS BANDWIDTH)."))
    playlist = models.FileField(max_length=500, storage=video_storage)
    segment_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["asset", "height"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "name"], name="media_rendition_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.asset_id} {self.name}"


class CaptionTrack(models.Model):
    """A caption/subtitle track in WebVTT, one per language per video."""

    asset = models.ForeignKey(VideoAsset, on_delete=models.CASCADE, related_name="captions")
    language = models.CharField(max_length=35, help_text=_("BCP 47 tag, e.g. en or pt-BR."))
    label = models.CharField(max_length=100)
    file = models.FileField(max_length=500, storage=video_storage)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["asset", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["asset", "language"], name="media_caption_one_per_lang"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.language})"


class TranscriptSegment(models.Model):
    """One cue of a caption track: searchable text with its time range."""

    track = models.ForeignKey(CaptionTrack, on_delete=models.CASCADE, related_name="segments")
    position = models.PositiveIntegerField()
    start_seconds = models.FloatField()
    end_seconds = models.FloatField()
    text = models.TextField()

    class Meta:
        ordering = ["track", "position"]
        constraints = [
            models.UniqueConstraint(fields=["track", "position"], name="media_segment_position"),
            models.CheckConstraint(
                condition=Q(end_seconds__gte=models.F("start_seconds")),
                name="media_segment_time_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.start_seconds:.2f}-{self.end_seconds:.2f} {self.text[:40]}"
