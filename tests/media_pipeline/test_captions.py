import pytest

from media_pipeline import captions
from media_pipeline.errors import InvalidCaptions


def test_webvtt_with_notes_styles_and_cue_ids():
    text = (
        "\ufeffWEBVTT - lecture 1\n\nNOTE written by hand\n\nSTYLE\n::cue { color: lime }\n\n"
        "intro\n00:01.000 --> 00:02.500 line:0\nHi\n\n01:00:00.000 --> 01:00:01.000\nLate\n"
    )
    parsed = captions.parse(text.encode())
    assert parsed.format == "vtt"
    assert [(c.start, c.end, c.text) for c in parsed.cues] == [
        (1.0, 2.5, "Hi"),
        (3600.0, 3601.0, "Late"),
    ]
    assert parsed.webvtt.startswith("WEBVTT - lecture 1")


def test_srt_converts_to_webvtt():
    parsed = captions.parse(
        b"1\n00:00:01,000 --> 00:00:02,000\nOne\n\n2\n01:02:03,004 --> 01:02:04,000\nTwo\n"
    )
    assert parsed.format == "srt"
    assert parsed.webvtt == (
        "WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nOne\n\n01:02:03.004 --> 01:02:04.000\nTwo\n"
    )


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"WEBVTTX\n\n00:00.000 --> 00:01.000\nx\n",
        b"1\nnot a timing\nx\n",
        b"x" * (3 * 1024**2),
    ],
)
def test_invalid_caption_files(content):
    with pytest.raises(InvalidCaptions):
        captions.parse(content)


@pytest.mark.parametrize("tag", ["en", "pt-BR", "zh-Hant-TW", "fil"])
def test_language_tags(tag):
    assert captions.validate_language(tag) == tag


@pytest.mark.parametrize("tag", ["", "e", "english", "en_US", "en-", "../x"])
def test_bad_language_tags(tag):
    with pytest.raises(InvalidCaptions):
        captions.validate_language(tag)
