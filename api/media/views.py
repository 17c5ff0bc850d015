"""HTTP surface of the media pipeline. Business rules live in ``media_pipeline``; views check
access, validate input, call a service or selector and serialize the result."""

from __future__ import annotations

import mimetypes

from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, status
from rest_framework.generics import ListAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.media.serializers import (
    CaptionTrackSerializer,
    CaptionUploadSerializer,
    PlaybackSerializer,
    UploadCreateSerializer,
    UploadPartReceivedSerializer,
    UploadSerializer,
    VideoAssetDetailSerializer,
    VideoAssetSerializer,
    VideoUpdateSerializer,
)
from learning.progress import services as progress_services
from media_pipeline import delivery, selectors, services
from media_pipeline import storage as media_storage
from media_pipeline.errors import InvalidState, MediaNotFound, PlaybackDenied
from media_pipeline.models import CaptionTrack, VideoAsset

TAGS = ["media"]
HLS_CONTENT_TYPE = "application/vnd.apple.mpegurl"


class MediaView(APIView):
    """Resolves assets with access checks (domain errors become problems in one handler)."""

    def get_asset(self, pk: int, *, manage: bool = False) -> VideoAsset:
        """A video the user may see (404 otherwise: no leaking whose videos exist)."""
        return selectors.video_asset_for(self.request.user, pk, manage=manage)


# --- Uploads ---------------------------------------------------------------------------------


class UploadCreateView(MediaView):
    @extend_schema(
        operation_id="media_upload_create",
        tags=TAGS,
        summary="Start a video upload",
        description="Validates the file's type and size and answers where to PUT the bytes: "
        "a presigned S3 URL, presigned S3 multipart part URLs above the multipart threshold, "
        "or signed local chunk URLs on the embedded default. Then call `complete`. "
        "413 `upload_too_large` above the size limit; 400 `unsupported_file_type`.",
        request=UploadCreateSerializer,
        responses={201: UploadSerializer, 413: OpenApiResponse(description="Too large.")},
    )
    def post(self, request):
        selectors.ensure_can_upload(request.user)
        serializer = UploadCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        asset = services.upload_create(user=request.user, **serializer.validated_data)
        body = {"asset": asset, "upload": delivery.upload_targets(asset, request=request)}
        return Response(UploadSerializer(body).data, status=status.HTTP_201_CREATED)


class UploadDetailView(MediaView):
    @extend_schema(
        operation_id="media_upload_retrieve",
        tags=TAGS,
        summary="Fresh upload URLs for an unfinished upload (resume)",
        responses=UploadSerializer,
    )
    def get(self, request, pk: int):
        asset = self.get_asset(pk, manage=True)
        if asset.status != VideoAsset.Status.AWAITING_UPLOAD:
            raise InvalidState("This upload has already completed.")
        body = {"asset": asset, "upload": delivery.upload_targets(asset, request=request)}
        return Response(UploadSerializer(body).data)


class UploadCompleteView(MediaView):
    @extend_schema(
        operation_id="media_upload_complete",
        tags=TAGS,
        summary="Finish an upload and queue processing",
        description="Checks the stored object exists with the declared size (400 "
        "`upload_missing` / `upload_size_mismatch` otherwise; the upload stays open) and that "
        "its first bytes are a video container (MP4/MOV, WebM/MKV, AVI, MPEG-TS …) whatever "
        "the file's name or declared type (400 `not_a_video` otherwise: the video is marked "
        "failed with the reason and its bytes deleted), then queues transcoding. Calling it "
        "again after success returns the video unchanged.",
        request=None,
        responses=VideoAssetSerializer,
    )
    def post(self, request, pk: int):
        asset = services.upload_complete(asset=self.get_asset(pk, manage=True))
        return Response(VideoAssetSerializer(asset).data)


class UploadAbortView(MediaView):
    @extend_schema(
        operation_id="media_upload_abort",
        tags=TAGS,
        summary="Cancel an unfinished upload",
        request=None,
        responses={204: None},
    )
    def post(self, request, pk: int):
        services.upload_abort(asset=self.get_asset(pk, manage=True))
        return Response(status=status.HTTP_204_NO_CONTENT)


class UploadPartView(MediaView):
    """Local chunked uploads on the embedded default; the signed URL is the credential."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="media_upload_part",
        tags=TAGS,
        summary="Send one part of a local upload",
        description="Only on local storage. PUT exactly the part's `size` bytes as "
        "`application/octet-stream` to the URL from the upload. Re-sending a part overwrites it.",
        request={"application/octet-stream": OpenApiTypes.BINARY},
        responses=UploadPartReceivedSerializer,
    )
    def put(self, request, token: str):
        asset_id, part_number = delivery.local_part_from_token(token)
        asset = selectors.upload_asset(asset_id)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        stream = request.stream
        received = services.upload_write_part(
            asset=asset, part_number=part_number, stream=stream, length=length if stream else 0
        )
        body = {"part_number": part_number, "received_bytes": received}
        return Response(UploadPartReceivedSerializer(body).data)


# --- Library ---------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="media_video_list",
        tags=TAGS,
        summary="Videos the user may see (own; everyone's for editors)",
        parameters=[
            OpenApiParameter("status", enum=VideoAsset.Status.values, required=False),
        ],
    )
)
class VideoListView(MediaView, ListAPIView):
    serializer_class = VideoAssetSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return VideoAsset.objects.none()
        selectors.ensure_library_access(self.request.user)
        wanted = self.request.query_params.get("status") or None
        if wanted and wanted not in VideoAsset.Status.values:
            raise exceptions.ValidationError({"status": [f"Unknown status {wanted!r}."]})
        return selectors.video_assets_visible_to(self.request.user, status=wanted)


class VideoDetailView(MediaView):
    @extend_schema(
        operation_id="media_video_retrieve",
        tags=TAGS,
        summary="One video with processing progress, renditions and captions",
        responses=VideoAssetDetailSerializer,
    )
    def get(self, request, pk: int):
        return Response(VideoAssetDetailSerializer(self.get_asset(pk)).data)

    @extend_schema(
        operation_id="media_video_update",
        tags=TAGS,
        summary="Rename a video",
        request=VideoUpdateSerializer,
        responses=VideoAssetDetailSerializer,
    )
    def patch(self, request, pk: int):
        asset = self.get_asset(pk, manage=True)
        serializer = VideoUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.video_update(asset=asset, title=serializer.validated_data["title"])
        return Response(VideoAssetDetailSerializer(self.get_asset(pk)).data)


class VideoReprocessView(MediaView):
    @extend_schema(
        operation_id="media_video_reprocess",
        tags=TAGS,
        summary="Process a ready or failed video again",
        request=None,
        responses={202: VideoAssetSerializer},
    )
    def post(self, request, pk: int):
        asset = services.video_reprocess(asset=self.get_asset(pk, manage=True))
        return Response(VideoAssetSerializer(asset).data, status=status.HTTP_202_ACCEPTED)


@extend_schema_view(
    get=extend_schema(
        operation_id="media_caption_list",
        tags=TAGS,
        summary="Caption tracks of a video (paginated like every list, by language)",
    )
)
class CaptionListView(MediaView, ListAPIView):
    serializer_class = CaptionTrackSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return CaptionTrack.objects.none()
        return selectors.caption_tracks(self.get_asset(self.kwargs["pk"]))

    @extend_schema(
        operation_id="media_caption_upload",
        tags=TAGS,
        summary="Add or replace a caption track (WebVTT, or SRT converted to WebVTT)",
        request={
            "multipart/form-data": CaptionUploadSerializer,
            "application/json": CaptionUploadSerializer,
        },
        responses={201: CaptionTrackSerializer},
    )
    def post(self, request, pk: int):
        asset = self.get_asset(pk, manage=True)
        serializer = CaptionUploadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        content = data["file"].read() if data.get("file") else data["content"].encode("utf-8")
        track = services.caption_upload(
            asset=asset, language=data["language"], label=data.get("label", ""), content=content
        )
        return Response(CaptionTrackSerializer(track).data, status=status.HTTP_201_CREATED)


class CaptionDetailView(MediaView):
    @extend_schema(
        operation_id="media_caption_delete",
        tags=TAGS,
        summary="Remove a caption track",
        responses={204: None},
    )
    def delete(self, request, pk: int, language: str):
        asset = self.get_asset(pk, manage=True)
        track = selectors.caption_track(asset, language)
        services.caption_delete(track=track)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Playback --------------------------------------------------------------------------------


class PlaybackView(MediaView):
    # The playback policy decides (free-preview lessons' videos play for everyone).
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="media_video_playback",
        tags=TAGS,
        summary="Short-lived signed URLs to play a video",
        description="Allowed by the playback policy (`MEDIA_PLAYBACK_POLICY`; by default the "
        "owner, editors, and the learners, instructors and reviewers of live courses using "
        "the video; everyone for a free-preview lesson's video). 401 for anonymous callers "
        "otherwise, 403 `playback_denied` for signed-in ones; 409 `not_ready` before the "
        "video is ready. For a learner, issuing the URL starts the lessons of their courses "
        "that play this video (if not started yet): their watching is credited from now "
        "(see the README, Heartbeats).",
        responses=PlaybackSerializer,
    )
    def get(self, request, pk: int):
        try:
            asset = selectors.playable_asset(request.user, pk)
        except PlaybackDenied:
            if not request.user.is_authenticated:  # signing in may help: 401, not 403
                raise exceptions.NotAuthenticated() from None
            raise
        signed = delivery.playback(asset, request=request)
        progress_services.video_playback_started(user=request.user, video_id=asset.pk)
        body = {
            "asset_id": asset.pk,
            "title": asset.title,
            "duration_seconds": asset.duration_seconds,
            "hls_url": signed.hls_url,
            "poster_url": signed.poster_url,
            "captions": signed.captions,
            "expires_at": signed.expires_at,
        }
        response = Response(PlaybackSerializer(body).data)
        response["Cache-Control"] = "private, no-store"
        return response


class SignedMediaView(MediaView):
    """Endpoints whose signed URL is the credential (players fetch them without headers)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]


def _playlist(text: str) -> HttpResponse:
    response = HttpResponse(text, content_type=HLS_CONTENT_TYPE)
    response["Cache-Control"] = "private, max-age=60"
    return response


def _ready_asset(token: str) -> VideoAsset:
    return selectors.ready_asset(delivery.stream_asset_id(token))


class StreamMasterView(SignedMediaView):
    @extend_schema(
        operation_id="media_stream_master",
        tags=TAGS,
        summary="HLS master playlist (signed URL from playback)",
        responses={(200, HLS_CONTENT_TYPE): OpenApiTypes.STR},
    )
    def get(self, request, token: str):
        return _playlist(delivery.master_playlist(_ready_asset(token)))


class StreamRenditionView(SignedMediaView):
    @extend_schema(
        operation_id="media_stream_rendition",
        tags=TAGS,
        summary="HLS media playlist of one rendition, segments as signed URLs",
        responses={(200, HLS_CONTENT_TYPE): OpenApiTypes.STR},
    )
    def get(self, request, token: str, rendition: str):
        asset = _ready_asset(token)
        return _playlist(delivery.media_playlist(asset, rendition, request=request))


class SignedFileView(SignedMediaView):
    @extend_schema(
        operation_id="media_signed_file",
        tags=TAGS,
        summary="A stored media file by signed URL (local storage only)",
        description="Segments (`video/mp2t`), videos, posters and renditions (`image/*`), "
        "captions (`text/vtt`); files of unknown type as `application/octet-stream`.",
        responses={
            (200, media_type): OpenApiTypes.BINARY
            for media_type in ("video/*", "image/*", "text/vtt", "application/octet-stream")
        },
    )
    def get(self, request, token: str):
        name = media_storage.name_from_signed_file_token(token)
        store = media_storage.storage()
        if media_storage.is_s3(store) or not store.exists(name):
            raise MediaNotFound("No such file.")
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if name.endswith(".ts"):
            content_type = "video/mp2t"
        response = FileResponse(store.open(name, "rb"), content_type=content_type)
        response["Cache-Control"] = "private, max-age=300"
        return response
