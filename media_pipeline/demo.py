"""Demo videos for local runs: two short generated clips (test pattern + tone) with English
captions, processed synchronously through the same service the ``media`` task runs.

Idempotent: a demo video that is already ready is left alone; one left half-done by an
interrupted run is processed again.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

from media_pipeline import ffmpeg, services
from media_pipeline.captions import Cue, render_webvtt
from media_pipeline.models import CaptionTrack, VideoAsset


@dataclass(frozen=True)
class DemoVideo:
    title: str
    pattern: str  # an ffmpeg lavfi video source
    tone_hz: int
    captions: tuple[tuple[float, float, str], ...]
    seconds: int = 4


DEMO_VIDEOS = (
    DemoVideo(
        "Welcome to Unpuzzle",
        "testsrc2",
        440,
        ((0.0, 2.0, "Welcome to Unpuzzle."), (2.0, 4.0, "Lessons are short videos like this.")),
    ),
    DemoVideo(
        "How progress works",
        "smptebars",
        660,
        ((0.0, 2.0, "Watch a lesson to the end."), (2.0, 4.0, "Your progress is saved.")),
    ),
)


def webvtt(cues) -> bytes:
    return render_webvtt([Cue(start, end, text) for start, end, text in cues]).encode()


def ensure_demo_videos(*, owner) -> list[VideoAsset]:
    videos = []
    for spec in DEMO_VIDEOS:
        asset = VideoAsset.objects.filter(owner=owner, title=spec.title).first()
        if asset is None:
            with tempfile.TemporaryDirectory() as tmp:
                clip = ffmpeg.generate_test_clip(
                    Path(tmp) / "demo.mp4",
                    seconds=spec.seconds,
                    pattern=spec.pattern,
                    tone_hz=spec.tone_hz,
                )
                asset = services.video_create_from_file(
                    user=owner, title=spec.title, path=clip, content_type="video/mp4"
                )
        if asset.status in (VideoAsset.Status.UPLOADED, VideoAsset.Status.PROCESSING):
            asset = services.video_process(asset_id=asset.pk)
        if not CaptionTrack.objects.filter(asset=asset, language="en").exists():
            services.caption_upload(
                asset=asset, language="en", label="English", content=webvtt(spec.captions)
            )
        videos.append(asset)
    return videos
