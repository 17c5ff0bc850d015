import pytest

from media_pipeline import ffmpeg
from media_pipeline.errors import ProcessingFailed

LADDER = ffmpeg.parse_ladder(["720:2800", "360:800"])


def test_ladder_never_exceeds_the_source_and_keeps_even_dimensions_and_aspect():
    plan = ffmpeg.plan_ladder(1920, 1080, LADDER)
    assert [(r.name, r.width, r.height) for r in plan] == [
        ("360p", 640, 360),
        ("720p", 1280, 720),
    ]
    only_low = ffmpeg.plan_ladder(854, 480, LADDER)
    assert [(r.width, r.height) for r in only_low] == [(640, 360)]
    portrait = ffmpeg.plan_ladder(720, 1280, LADDER)
    assert [(r.width, r.height) for r in portrait] == [(202, 360), (404, 720)]
    assert all(r.width % 2 == 0 and r.height % 2 == 0 for r in portrait)


def test_a_source_below_every_rung_keeps_its_own_size():
    [rendition] = ffmpeg.plan_ladder(321, 241, LADDER)
    assert (rendition.name, rendition.width, rendition.height) == ("240p", 320, 240)
    assert 200 <= rendition.video_kbps < 800


def test_probe_reads_container_duration_dimensions_and_codecs(clips):
    info = ffmpeg.probe(clips["hd"])
    assert "mp4" in info.container.split(",")
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert (info.width, info.height) == (1280, 720)
    assert (info.video_codec, info.audio_codec, info.has_audio) == ("h264", "aac", True)


@pytest.mark.parametrize(
    ("clip", "code", "message"),
    [
        ("text", "not_a_video", "not a video we can read"),
        ("truncated", "not_a_video", "damaged, incomplete"),
    ],
)
def test_probe_rejects_files_that_are_not_decodable_video(clips, clip, code, message):
    with pytest.raises(ProcessingFailed) as error:
        ffmpeg.probe(clips[clip])
    assert error.value.code == code
    assert message in str(error.value)


def test_the_binary_is_found_and_reports_its_version(settings):
    binary = ffmpeg.locate()
    assert binary.source in {"system", "imageio-ffmpeg"}
    assert ffmpeg.version()["version"]
    settings.MEDIA_FFMPEG_BINARY = binary.path
    assert ffmpeg.locate().source == "setting"
    settings.MEDIA_FFMPEG_BINARY = "/nonexistent/ffmpeg"
    with pytest.raises(Exception, match="not an executable"):
        ffmpeg.locate()


def test_progress_is_parsed_from_ffmpeg_progress_output(clips, tmp_path):
    reported: list[int] = []
    [rendition] = ffmpeg.plan_ladder(320, 240, LADDER)
    (tmp_path / rendition.name).mkdir()
    cmd = ffmpeg.hls_command(
        ffmpeg.locate().path,
        clips["small"],
        tmp_path,
        [rendition],
        has_audio=True,
        segment_seconds=1,
        preset="ultrafast",
    )
    ffmpeg.run_with_progress(cmd, duration=2.0, on_progress=reported.append)
    assert reported, "no progress reported"
    assert reported == sorted(set(reported))
    assert reported[-1] <= 99
    assert (tmp_path / "master.m3u8").read_text().startswith("#EXTM3U")
