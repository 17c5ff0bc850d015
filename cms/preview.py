"""What the site's own preview of a section shows: every lesson in full, as learners will see
it, with the same public shapes as the API (so never a correct answer or an explanation)."""

from __future__ import annotations


def _video(asset) -> dict | None:
    from django.conf import settings

    from media_pipeline import delivery
    from media_pipeline import storage as media_storage
    from media_pipeline.models import VideoAsset

    if asset is None:
        return None
    shown = {
        "title": asset.title,
        "status": asset.get_status_display(),
        "ready": asset.status == VideoAsset.Status.READY,
        "duration_seconds": asset.duration_seconds,
        "poster_url": "",
        "hls_url": "",
    }
    # Relative URLs: a preview request is a stand-in whose host is the site's, not
    # necessarily the one the admin is served from.
    if shown["ready"]:
        playback = delivery.playback(asset)
        shown.update(poster_url=playback.poster_url, hls_url=playback.hls_url)
    elif asset.poster.name:
        shown["poster_url"] = media_storage.signed_url(
            asset.poster.name, expires=settings.MEDIA_SIGNED_URL_SECONDS
        )
    return shown


def lesson_previews(section, request) -> list[dict]:
    lessons = []
    for child in section.lessons or []:
        shown = {"id": child.id, "child": child, **child.block.get_api_representation(child.value)}
        if shown["kind"] == "video":
            shown["player"] = _video(child.value["video"].get("video"))
        lessons.append(shown)
    return lessons
