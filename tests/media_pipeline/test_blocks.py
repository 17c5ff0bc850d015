import pytest
from django.core.exceptions import ValidationError

from media_pipeline.blocks import VideoBlock, VideoChooserBlock
from media_pipeline.models import VideoAsset

pytestmark = pytest.mark.django_db


def test_video_block_round_trips_and_has_a_headless_shape(processed_video):
    block = VideoBlock()
    value = block.to_python({"video": processed_video.pk, "title": "Welcome", "caption": ""})
    assert value["video"] == processed_video
    assert block.get_prep_value(value) == {
        "video": processed_video.pk,
        "title": "Welcome",
        "caption": "",
    }
    api = block.get_api_representation(value)
    assert api["title"] == "Welcome"
    video = api["video"]
    assert (video["id"], video["status"]) == (processed_video.pk, "ready")
    assert video["duration_seconds"] == pytest.approx(2.0, abs=0.1)
    assert video["poster_url"].startswith("http://")
    assert "/api/v2/media/files/" in video["poster_url"]


def test_video_block_requires_a_video_and_handles_unprocessed_ones(roles):
    block = VideoBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"video": None, "title": "x"}))
    pending = VideoAsset.objects.create(
        owner=roles.instructor,
        title="Pending",
        original_filename="a.mp4",
        content_type="video/mp4",
        size_bytes=10,
        upload_backend="local",
        status="processing",
    )
    api = block.get_api_representation(block.to_python({"video": pending.pk}))
    assert api["video"]["poster_url"] == ""
    assert api["video"]["status"] == "processing"


def test_chooser_block_uses_the_video_chooser(processed_video):
    block = VideoChooserBlock()
    assert block.target_model is VideoAsset
    html = block.field.widget.render("video", processed_video.pk, attrs={"id": "id_video"})
    assert "/admin/videos/chooser/" in html
    assert processed_video.title in html
