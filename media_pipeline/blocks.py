"""StreamField blocks for videos, used by course lessons (cms) later.

``VideoChooserBlock`` picks a video through the admin chooser (only videos the editor may
see); ``VideoBlock`` is a video lesson item: the video plus an optional title and caption.
"""

from __future__ import annotations

from django.conf import settings
from wagtail import blocks

from media_pipeline import storage as media_storage
from media_pipeline.models import VideoAsset
from media_pipeline.views import video_chooser_viewset

VideoChooserBlock = video_chooser_viewset.get_block_class(
    name="VideoChooserBlock", module_path="media_pipeline.blocks"
)


def video_api_representation(asset: VideoAsset | None, *, poster_seconds: int = 600) -> dict | None:
    """The headless shape of a video: enough to show it; playback URLs come from the
    playback endpoint, which applies the access policy."""
    if asset is None:
        return None
    poster = ""
    if asset.status == VideoAsset.Status.READY and asset.poster.name:
        poster = media_storage.signed_url(asset.poster.name, expires=poster_seconds)
        if poster.startswith("/"):  # local storage: the app's signed file view
            poster = f"{settings.SITE_URL}{poster}"
    return {
        "id": asset.pk,
        "title": asset.title,
        "status": asset.status,
        "duration_seconds": asset.duration_seconds,
        "width": asset.width,
        "height": asset.height,
        "poster_url": poster,
    }


class VideoBlock(blocks.StructBlock):
    video = VideoChooserBlock(help_text="A video from the video library.")
    title = blocks.CharBlock(required=False, max_length=255, help_text="Shown above the video.")
    caption = blocks.TextBlock(required=False, help_text="Shown below the video.")

    class Meta:
        icon = "media"
        label = "Video"
        help_text = "A video from the library, with an optional title and caption."
        preview_value = {"title": "Welcome to the course", "caption": "Two minutes, no sound."}

    def get_api_representation(self, value, context=None):
        return {
            "video": video_api_representation(value.get("video")),
            "title": value.get("title") or "",
            "caption": value.get("caption") or "",
        }
