import pytest

from media_pipeline.demo import DEMO_VIDEOS, ensure_demo_videos
from media_pipeline.models import CaptionTrack, TranscriptSegment, VideoAsset, VideoRendition

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def snapshot():
    return (
        VideoAsset.objects.count(),
        VideoRendition.objects.count(),
        CaptionTrack.objects.count(),
        TranscriptSegment.objects.count(),
    )


def test_demo_videos_are_real_processed_videos_and_idempotent(roles):
    videos = ensure_demo_videos(owner=roles.instructor)
    assert [v.title for v in videos] == [spec.title for spec in DEMO_VIDEOS]
    for video in videos:
        assert video.status == "ready", video.failure_reason
        assert (video.width, video.height) == (640, 360)
        assert video.renditions.get().name == "360p"
        assert video.captions.get().segments.count() == 2
    first = snapshot()
    again = ensure_demo_videos(owner=roles.instructor)
    assert snapshot() == first
    assert [v.pk for v in again] == [v.pk for v in videos]


def test_an_interrupted_demo_video_is_finished_on_the_next_run(roles):
    [welcome, _] = ensure_demo_videos(owner=roles.instructor)
    VideoAsset.objects.filter(pk=welcome.pk).update(status="processing", progress=40)
    ensure_demo_videos(owner=roles.instructor)
    welcome.refresh_from_db()
    assert (welcome.status, welcome.progress) == ("ready", 100)
    assert VideoRendition.objects.filter(asset=welcome).count() == 1
