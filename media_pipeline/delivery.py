"""Where clients send and fetch bytes: upload targets and signed playback.

Playback hands out one signed stream token per request. The master playlist is served with
its relative references intact (``360p/index.m3u8``), so the player stays under the same
signed path; each media playlist is served with its segment lines rewritten to short-lived
signed storage URLs (S3 presigned GETs, or the app's signed file view on local storage).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings

from media_pipeline import endpoints, services
from media_pipeline import storage as media_storage
from media_pipeline.errors import NotReady, RenditionNotFound
from media_pipeline.models import VideoAsset

STREAM_SALT = "media_pipeline.stream"
LOCAL_PART_SALT = "media_pipeline.upload-part"
RENDITION_NAME = re.compile(r"^\d{2,4}p$")


def _expires_at(seconds: int) -> datetime:
    return datetime.fromtimestamp(int(time.time()) + seconds, tz=UTC)


def _absolute(request, path: str) -> str:
    return request.build_absolute_uri(path) if request is not None else path


# --- Uploads ---------------------------------------------------------------------------------


def upload_targets(asset: VideoAsset, *, request=None) -> dict:
    """Instructions for sending the bytes: one PUT per part, in any order, retry-safe."""
    lifetime = settings.MEDIA_SIGNED_URL_SECONDS
    backend = asset.upload_backend
    parts = []
    headers: dict[str, str] = {}
    name = asset.original.name
    for number in range(1, services.part_count(asset) + 1):
        offset, size = services.part_range(asset, number)
        if backend == VideoAsset.UploadBackend.S3:
            url = media_storage.presigned_put(
                name, content_type=asset.content_type, expires=lifetime
            )
            headers = {"Content-Type": asset.content_type}
        elif backend == VideoAsset.UploadBackend.S3_MULTIPART:
            url = media_storage.multipart_part_url(
                name, upload_id=asset.upload_id, part_number=number, expires=lifetime
            )
        else:
            token = media_storage.sign(
                {"a": asset.pk, "p": number}, salt=LOCAL_PART_SALT, expires=lifetime
            )
            url = _absolute(request, endpoints.url("upload_part", token=token))
            headers = {"Content-Type": "application/octet-stream"}
        parts.append({"part_number": number, "offset": offset, "size": size, "url": url})
    return {
        "backend": backend,
        "method": "PUT",
        "headers": headers,
        "part_size": asset.upload_part_size,
        "parts": parts,
        "expires_at": _expires_at(lifetime),
    }


def local_part_from_token(token: str) -> tuple[int, int]:
    payload = media_storage.unsign(token, salt=LOCAL_PART_SALT)
    return int(payload["a"]), int(payload["p"])


# --- Playback --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Playback:
    hls_url: str
    poster_url: str
    captions: list[dict]
    expires_at: datetime


def playback(asset: VideoAsset, *, request=None) -> Playback:
    """Signed URLs for a ready video. The caller has applied the playback policy."""
    if asset.status != VideoAsset.Status.READY:
        raise NotReady(f"This video is {asset.get_status_display().lower()}; it cannot play yet.")
    lifetime = settings.MEDIA_SIGNED_URL_SECONDS
    token = media_storage.sign({"a": asset.pk}, salt=STREAM_SALT, expires=lifetime)
    master = endpoints.url("stream_master", token=token)
    captions = [
        {
            "language": track.language,
            "label": track.label,
            "url": media_storage.signed_url(track.file.name, expires=lifetime, request=request),
        }
        for track in asset.captions.all()
    ]
    poster = (
        media_storage.signed_url(asset.poster.name, expires=lifetime, request=request)
        if asset.poster.name
        else ""
    )
    return Playback(_absolute(request, master), poster, captions, _expires_at(lifetime))


def stream_asset_id(token: str) -> int:
    return int(media_storage.unsign(token, salt=STREAM_SALT)["a"])


def master_playlist(asset: VideoAsset) -> str:
    with (
        media_storage.storage_errors("reading the master playlist"),
        media_storage.storage().open(asset.hls_master.name, "rb") as fh,
    ):
        return fh.read().decode("utf-8")


def media_playlist(asset: VideoAsset, rendition: str, *, request=None) -> str:
    """A rendition's playlist with every segment replaced by a signed URL."""
    if not RENDITION_NAME.match(rendition):
        raise RenditionNotFound("No such rendition.")
    row = next((r for r in asset.renditions.all() if r.name == rendition), None)
    if row is None:
        raise RenditionNotFound("No such rendition.")
    folder = row.playlist.name.rsplit("/", 1)[0]
    with (
        media_storage.storage_errors("reading a rendition playlist"),
        media_storage.storage().open(row.playlist.name, "rb") as fh,
    ):
        lines = fh.read().decode("utf-8").splitlines()
    lifetime = settings.MEDIA_SIGNED_URL_SECONDS
    rewritten = []
    for line in lines:
        if line and not line.startswith("#") and "/" not in line and ".." not in line:
            line = media_storage.signed_url(f"{folder}/{line}", expires=lifetime, request=request)
        rewritten.append(line)
    return "\n".join(rewritten) + "\n"
