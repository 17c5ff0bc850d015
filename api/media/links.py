"""Where media_pipeline's links point: the media API's routes (see media_pipeline.endpoints)."""

from django.urls import reverse

from media_pipeline import endpoints


def register_media_endpoints() -> None:
    """Tell media_pipeline where its endpoints are (it names no route of its own). Called by
    ``api.apps.ApiConfig.ready``; the route names live in ``api/media/urls.py``."""
    endpoints.register(
        signed_file=lambda token: reverse("v2:media-signed-file", kwargs={"token": token}),
        upload_part=lambda token: reverse("v2:media-upload-part", kwargs={"token": token}),
        upload_create=lambda: reverse("v2:media-upload-create"),
        upload_complete=lambda pk: reverse("v2:media-upload-complete", args=[pk]),
        upload_detail=lambda pk: reverse("v2:media-upload-detail", args=[pk]),
        upload_abort=lambda pk: reverse("v2:media-upload-abort", args=[pk]),
        stream_master=lambda token: reverse("v2:media-stream-master", kwargs={"token": token}),
        video_detail=lambda pk: reverse("v2:media-video-detail", args=[pk]),
    )
