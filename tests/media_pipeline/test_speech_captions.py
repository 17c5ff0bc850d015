"""Captions from speech: a ready video without captions is transcribed (real ffmpeg audio
extraction, real HTTP to a local OpenAI-compatible /audio/transcriptions), chunked under the
size limit, stored like uploaded captions, and the tutor index of its courses is rebuilt."""

from __future__ import annotations

import itertools
import math

import pytest

from learning.assistant.models import Passage
from media_pipeline import services, speech, tasks
from media_pipeline.models import CaptionTrack, TranscriptSegment, VideoAsset
from tests.factories import assistant as af
from tests.factories import courses as cf
from tests.media_pipeline.fixtures import make_clip, process_in_process
from tests.support.openai_server import fake_openai_server

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# Two seconds of 16 kHz mono 16-bit audio and the WAV header's allowance.
TWO_SECOND_CHUNKS = 2 * speech.BYTES_PER_SECOND + speech.WAV_HEADER_BYTES


@pytest.fixture(scope="module")
def talk(tmp_path_factory):
    """A 7-second clip with a sound track."""
    return make_clip(tmp_path_factory.mktemp("speech") / "talk.mp4", seconds=7)


@pytest.fixture
def stt(settings):
    with fake_openai_server() as server:
        settings.MEDIA_STT_API_KEY = "stt-key"
        settings.MEDIA_STT_BASE_URL = server.url
        settings.MEDIA_STT_MODEL = "whisper-test"
        settings.MEDIA_STT_LANGUAGE = "en"
        settings.MEDIA_STT_MAX_CHUNK_BYTES = TWO_SECOND_CHUNKS
        settings.MEDIA_STT_TIMEOUT_SECONDS = 5
        settings.MEDIA_STT_MAX_RETRIES = 2
        settings.MEDIA_STT_RETRY_BACKOFF_SECONDS = 0
        yield server


def test_chunks_stay_under_the_limit_and_cues_carry_their_chunk_offsets(stt, talk, tmp_path):
    chunks = speech.extract_chunks(talk, tmp_path / "audio", max_bytes=TWO_SECOND_CHUNKS)
    assert len(chunks) == math.ceil(7 / 2)
    assert chunks[0].start == 0.0
    for before, after in itertools.pairwise(chunks):
        assert after.start == pytest.approx(before.end)  # contiguous: nothing lost
    assert chunks[-1].end == pytest.approx(7.0, abs=0.1)
    assert all(c.path.stat().st_size <= TWO_SECOND_CHUNKS for c in chunks)

    stt.transcribe = lambda upload, seconds: [
        {"id": 0, "start": 0.5, "end": 1.25, "text": " first words"},
        {"id": 1, "start": 1.25, "end": seconds, "text": " then more  "},
        {"id": 2, "start": 1.5, "end": 1.6, "text": "   "},  # silence: dropped
    ]
    client = speech._client()
    cues = speech.transcribe_chunk(client, chunks[2])
    start = chunks[2].start
    assert [(c.start, c.text) for c in cues] == [
        (round(start + 0.5, 3), "first words"),
        (round(start + 1.25, 3), "then more"),
    ]
    assert cues[0].end == round(start + 1.25, 3)
    upload = stt.uploads[-1]
    assert upload["model"] == ["whisper-test"] and upload["response_format"] == ["verbose_json"]
    assert upload["language"] == ["en"] and upload["filename"].endswith(".wav")
    assert upload["size"] == chunks[2].path.stat().st_size


def test_a_video_ready_without_captions_gets_captions_and_its_course_is_reindexed(
    stt, talk, instructor, run_tasks_in_process, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        asset = process_in_process(instructor, talk, title="Talk")
    assert asset.status == VideoAsset.Status.READY
    track = CaptionTrack.objects.get(asset=asset)  # queued when it became ready, then ran
    assert (track.language, track.label) == ("en", "en (automatic)")
    assert len(stt.uploads) == 4 and all(u["size"] <= TWO_SECOND_CHUNKS for u in stt.uploads)
    segments = list(TranscriptSegment.objects.filter(track=track).order_by("position"))
    starts = [s.start_seconds for s in segments]
    assert starts == sorted(starts) and starts[0] == 0.0
    # Each chunk's first segment starts where the chunk does (about every 2 s).
    firsts = [s.start_seconds for s in segments if s.text.endswith("part 0")]
    assert firsts == pytest.approx([0.0, 2.0, 4.0, 6.0], abs=0.1)
    assert segments[-1].end_seconds == pytest.approx(7.0, abs=0.1)
    webvtt = track.file.read().decode()
    assert webvtt.startswith("WEBVTT") and "1 part 0" in webvtt and "4 part 0" in webvtt

    # A course showing the video: its tutor index picks the transcript up once the captions
    # change (the media pipeline calls the handlers listed in MEDIA_CAPTIONS_HANDLERS).
    course = cf.course(instructors=[instructor], title="Speech")
    cf.section(course, title="Talks", lessons=[cf.video("Talk", asset=asset)])
    TranscriptSegment.objects.filter(track=track).delete()
    track.delete()
    assert not Passage.objects.filter(course=course, kind="transcript").exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.captions_from_speech.delay(asset.pk).get() == "captioned"
    bodies = " ".join(
        Passage.objects.filter(course=course, kind="transcript").values_list("body", flat=True)
    )
    assert "5 part 0" in bodies and "8 part 0" in bodies


def test_videos_with_captions_are_skipped(stt, talk, instructor, run_tasks_in_process):
    asset = process_in_process(instructor, talk, title="Captioned")
    af.captions(asset, cues=((0.0, 2.0, "Written by a person."),))
    assert tasks.captions_from_speech.delay(asset.pk).get() == "skipped"
    assert stt.uploads == []
    assert list(TranscriptSegment.objects.values_list("text", flat=True)) == [
        "Written by a person."
    ]


def test_off_by_default_nothing_is_sent(settings, talk, instructor, run_tasks_in_process):
    with fake_openai_server() as server:
        settings.MEDIA_STT_API_KEY = ""
        settings.MEDIA_STT_BASE_URL = server.url
        asset = process_in_process(instructor, talk, title="Quiet")
        assert services.captions_from_speech(asset_id=asset.pk) is None
        assert server.uploads == []
    assert not CaptionTrack.objects.exists()


def retried(asset_id: int) -> str:
    """Run the task as a worker would, its retries included (eagerly, backoff 0)."""
    return tasks.captions_from_speech.apply(args=[asset_id], throw=False).get()


def test_provider_failure_is_retried_then_succeeds(stt, talk, instructor):
    asset = process_in_process(instructor, talk, title="Flaky")
    stt.mode, stt.fail_times = "flaky", 1  # the first upload gets a 429
    assert retried(asset.pk) == "captioned"
    assert len(stt.uploads) == 1 + 4  # the failed attempt, then every chunk again
    assert CaptionTrack.objects.filter(asset=asset).count() == 1


@pytest.mark.parametrize("mode", ["error", "garbage"])
def test_provider_down_gives_up_and_marks_nothing_wrong(stt, talk, instructor, mode):
    asset = process_in_process(instructor, talk, title="Down")
    stt.mode = mode
    assert retried(asset.pk) == "gave_up"
    assert len(stt.uploads) == 3  # the first try and MEDIA_STT_MAX_RETRIES retries
    asset.refresh_from_db()
    assert asset.status == VideoAsset.Status.READY and asset.failure_reason == ""
    assert not CaptionTrack.objects.filter(asset=asset).exists()
    assert not TranscriptSegment.objects.exists()
