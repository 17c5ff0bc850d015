"""Captions from speech: the optional step that transcribes videos without captions.

Off by default; on when ``MEDIA_STT_API_KEY`` is set. The audio is extracted by the real
ffmpeg as 16 kHz mono 16-bit WAV (32,000 bytes a second, so a chunk's size follows from its
length) and cut by ffmpeg's segment muxer into chunks under ``MEDIA_STT_MAX_CHUNK_BYTES``;
each chunk goes to an OpenAI-compatible ``POST {MEDIA_STT_BASE_URL}/audio/transcriptions``
(``response_format=verbose_json``) and its segments are shifted by the chunk's start time
(from the muxer's segment list) into one list of cues.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import httpx
import openai
from django.conf import settings

from media_pipeline import ffmpeg
from media_pipeline.captions import Cue
from media_pipeline.errors import SpeechToTextRefused, SpeechToTextUnavailable

SAMPLE_RATE = 16_000
BYTES_PER_SECOND = SAMPLE_RATE * 2  # mono, 16-bit PCM
WAV_HEADER_BYTES = 1024  # the RIFF header with ffmpeg's LIST chunk; generous


def enabled() -> bool:
    return bool(settings.MEDIA_STT_API_KEY)


@dataclass(frozen=True)
class AudioChunk:
    path: Path
    start: float  # seconds into the video
    end: float


def chunk_seconds(max_bytes: int) -> float:
    """The longest chunk (whole seconds) whose WAV file stays under ``max_bytes``."""
    seconds = (max_bytes - WAV_HEADER_BYTES) // BYTES_PER_SECOND
    if seconds < 1:
        raise SpeechToTextRefused(
            f"MEDIA_STT_MAX_CHUNK_BYTES ({max_bytes}) is too small for one second of audio."
        )
    return float(seconds)


def extract_chunks(source: Path, folder: Path, *, max_bytes: int) -> list[AudioChunk]:
    """The video's audio as WAV chunks under ``max_bytes`` each, with their time ranges.
    No chunks when the video has no audio stream."""
    info = ffmpeg.probe(source)
    if not info.audio_codec:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    listing = folder / "chunks.csv"
    command = [ffmpeg.locate().path, "-v", "error", "-y", "-i", str(source)]
    command += ["-vn", "-ac", "1", "-ar", str(SAMPLE_RATE), "-c:a", "pcm_s16le"]
    command += ["-f", "segment", "-segment_time", str(chunk_seconds(max_bytes))]
    command += ["-segment_format", "wav", "-segment_list", str(listing)]
    command += ["-segment_list_type", "csv", "-reset_timestamps", "1"]
    command += [str(folder / "chunk%04d.wav")]
    ffmpeg.run(command, timeout=settings.MEDIA_PROCESSING_SOFT_TIME_LIMIT)
    chunks = []
    with listing.open(newline="") as fh:
        for name, start, end in csv.reader(fh):
            path = folder / name
            if path.stat().st_size > max_bytes:  # the arithmetic above guarantees it
                raise SpeechToTextRefused(f"Audio chunk {name} is over the size limit.")
            chunks.append(AudioChunk(path, float(start), float(end)))
    return chunks


def _client() -> openai.OpenAI:
    return openai.OpenAI(
        api_key=settings.MEDIA_STT_API_KEY,
        base_url=settings.MEDIA_STT_BASE_URL or None,
        timeout=httpx.Timeout(settings.MEDIA_STT_TIMEOUT_SECONDS, connect=10.0),
        max_retries=0,  # the task retries with backoff
    )


def transcribe_chunk(client: openai.OpenAI, chunk: AudioChunk) -> list[Cue]:
    """The chunk's segments as cues in video time."""
    kwargs = {}
    if settings.MEDIA_STT_LANGUAGE:
        kwargs["language"] = settings.MEDIA_STT_LANGUAGE.split("-")[0]
    try:
        with chunk.path.open("rb") as fh:
            result = client.audio.transcriptions.create(
                file=(chunk.path.name, fh, "audio/wav"),
                model=settings.MEDIA_STT_MODEL,
                response_format="verbose_json",
                timestamp_granularities=["segment"],
                **kwargs,
            )
    except (openai.APIConnectionError, openai.RateLimitError, openai.InternalServerError) as exc:
        raise SpeechToTextUnavailable(f"Speech-to-text is unavailable: {exc}") from exc
    except openai.APIStatusError as exc:
        if exc.status_code >= 500 or exc.status_code in (408, 409):
            raise SpeechToTextUnavailable(f"Speech-to-text failed: {exc}") from exc
        raise SpeechToTextRefused(f"Speech-to-text refused the audio: {exc}") from exc
    except ValueError as exc:  # a body that is not JSON
        raise SpeechToTextUnavailable("Speech-to-text answered with garbage.") from exc
    segments = getattr(result, "segments", None)
    if segments is None and isinstance(result, dict):
        segments = result.get("segments")
    if not isinstance(segments, list):
        raise SpeechToTextUnavailable("Speech-to-text answered without segments.")
    cues = []
    for segment in segments:
        get = segment.get if isinstance(segment, dict) else lambda k, s=segment: getattr(s, k)
        try:
            start, end, text = float(get("start")), float(get("end")), str(get("text")).strip()
        except (TypeError, ValueError, AttributeError) as exc:
            raise SpeechToTextUnavailable("Speech-to-text segments are malformed.") from exc
        if text:
            start = chunk.start + max(0.0, start)
            end = min(chunk.end, chunk.start + max(0.0, end)) if chunk.end else chunk.start + end
            cues.append(Cue(round(start, 3), round(max(start, end), 3), text))
    return cues


def transcribe(source: Path, folder: Path) -> list[Cue]:
    """Cues for the whole video, in time order."""
    chunks = extract_chunks(source, folder, max_bytes=settings.MEDIA_STT_MAX_CHUNK_BYTES)
    client = _client()
    cues: list[Cue] = []
    for chunk in chunks:
        cues += transcribe_chunk(client, chunk)
    return cues
