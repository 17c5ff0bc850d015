import uuid

import factory

from media_pipeline.models import CaptionTrack, VideoAsset
from tests.factories.accounts import UserFactory


class VideoAssetFactory(factory.django.DjangoModelFactory):
    """An asset row (no files). Use the ``processed_video`` fixture for a real, ready video."""

    class Meta:
        model = VideoAsset

    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Lesson video {n}")
    original_filename = "lesson.mp4"
    content_type = "video/mp4"
    size_bytes = 1000
    upload_backend = VideoAsset.UploadBackend.LOCAL
    upload_part_size = 1000
    status = VideoAsset.Status.AWAITING_UPLOAD
    original = factory.LazyAttribute(lambda o: f"videos/{o.key}/original.mp4")
    key = factory.LazyFunction(uuid.uuid4)


class CaptionTrackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaptionTrack

    asset = factory.SubFactory(VideoAssetFactory)
    language = "en"
    label = "English"
    file = factory.LazyAttribute(lambda o: f"videos/{o.asset.key}/captions/{o.language}.vtt")


def video_bytes(size: int) -> bytes:
    """``size`` bytes that start like an MP4 file (an ``ftyp`` box), enough for an upload to
    be recognised as video; the transcoder would still refuse them."""
    head = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"
    body = bytes(n % 251 for n in range(size))  # no two parts alike, so order errors show
    return (head + body)[:size]
