"""Caption files: parse and validate WebVTT or SRT, convert SRT to WebVTT."""

from __future__ import annotations

import re
from dataclasses import dataclass

from media_pipeline.errors import InvalidCaptions

MAX_CAPTION_BYTES = 2 * 1024 * 1024
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_TIMESTAMP = r"(?:(\d{1,3}):)?(\d{2}):(\d{2})[.,](\d{3})"
_TIMING = re.compile(rf"^\s*{_TIMESTAMP}\s+-->\s+{_TIMESTAMP}(?:\s+.*)?$")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class ParsedCaptions:
    format: str  # "vtt" or "srt"
    cues: list[Cue]
    webvtt: str


def _seconds(h: str | None, m: str, s: str, ms: str) -> float:
    return int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000


def vtt_timestamp(seconds: float) -> str:
    total_ms = round(seconds * 1000)
    h, rest = divmod(total_ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def decode(content: bytes) -> str:
    if len(content) > MAX_CAPTION_BYTES:
        raise InvalidCaptions(f"Caption files may be at most {MAX_CAPTION_BYTES // 1024} KiB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidCaptions("Caption files must be UTF-8 text.") from exc
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _cues(blocks: list[str], *, fmt: str) -> list[Cue]:
    cues: list[Cue] = []
    for block in blocks:
        lines = [line for line in block.split("\n") if line.strip() != ""]
        if not lines:
            continue
        if fmt == "vtt" and lines[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        timing_index = next((i for i, line in enumerate(lines[:2]) if "-->" in line), None)
        if timing_index is None:
            raise InvalidCaptions(f"Cue without timing: {lines[0][:60]!r}.")
        match = _TIMING.match(lines[timing_index])
        if not match:
            raise InvalidCaptions(f"Malformed cue timing: {lines[timing_index][:60]!r}.")
        g = match.groups()
        start, end = _seconds(*g[0:4]), _seconds(*g[4:8])
        if end < start:
            raise InvalidCaptions(f"Cue ends before it starts: {lines[timing_index][:60]!r}.")
        text = "\n".join(lines[timing_index + 1 :]).strip()
        cues.append(Cue(start, end, text))
    if not cues:
        raise InvalidCaptions("The caption file contains no cues.")
    return cues


def parse(content: bytes) -> ParsedCaptions:
    """Validate WebVTT or SRT and return its cues and a WebVTT rendering.

    WebVTT is kept as uploaded (cue settings and styling survive); SRT is converted.
    """
    text = decode(content)
    if text.lstrip().startswith("WEBVTT"):
        header, _, body = text.lstrip().partition("\n\n")
        if not re.match(r"^WEBVTT(?:[ \t].*)?$", header.split("\n", 1)[0]):
            raise InvalidCaptions("The WebVTT header line is malformed.")
        cues = _cues(re.split(r"\n{2,}", body), fmt="vtt")
        webvtt = text if text.endswith("\n") else text + "\n"
        return ParsedCaptions("vtt", cues, webvtt)
    if "-->" not in text:
        raise InvalidCaptions("This is neither WebVTT nor SRT.")
    cues = _cues(re.split(r"\n{2,}", text.strip()), fmt="srt")
    return ParsedCaptions("srt", cues, render_webvtt(cues))


def render_webvtt(cues: list[Cue]) -> str:
    lines = ["WEBVTT", ""]
    for cue in cues:
        lines += [f"{vtt_timestamp(cue.start)} --> {vtt_timestamp(cue.end)}", cue.text, ""]
    return "\n".join(lines)


def validate_language(language: str) -> str:
    if not LANGUAGE_TAG.match(language or ""):
        raise InvalidCaptions(f"{language!r} is not a language tag such as 'en' or 'pt-BR'.")
    return language
