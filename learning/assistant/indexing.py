"""Course content as passages for the tutor's index.

Reads the *raw* stream data of live sections and takes only fields that are safe to show a
learner: reading text (paragraphs, headings, code, callouts, image text, captions), lesson
summaries, quiz instructions and video notes, plus the caption transcripts of the videos.
Questions, choices, answers and explanations are never read here, so they can never reach
the index (and, through it, a prompt).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags

# PostgreSQL text search configurations for the course languages (``settings.LANGUAGES``).
PG_CONFIGS = {
    "en": "english",
    "es": "spanish",
    "fr": "french",
    "de": "german",
    "pt": "portuguese",
    "it": "italian",
    "nl": "dutch",
    "ru": "russian",
}

_WS = re.compile(r"\s+")


def pg_config(language: str) -> str:
    return PG_CONFIGS.get((language or "en").split("-")[0].lower(), "simple")


def plain(value) -> str:
    """Text of an HTML fragment (rich text source) without tags or entities."""
    if not value:
        return ""
    text = re.sub(r"<(br|/p|/li|/h\d)\s*/?>", "\n", str(value))
    return html.unescape(strip_tags(text)).strip()


@dataclass
class Chunk:
    body: str
    start: float | None = None
    end: float | None = None


def _reading_texts(value: dict) -> list[str]:
    texts = []
    for child in value.get("content") or []:
        kind, item = child.get("type"), child.get("value")
        if kind == "paragraph":
            texts.append(plain(item))
        elif kind == "heading":
            texts.append((item or {}).get("text", ""))
        elif kind == "code":
            texts.append(" ".join(filter(None, [item.get("code", ""), item.get("caption", "")])))
        elif kind == "callout":
            texts.append(" ".join(filter(None, [item.get("title", ""), plain(item.get("text"))])))
        elif kind == "image":
            texts.append(" ".join(filter(None, [item.get("alt_text"), item.get("caption")])))
        elif kind == "embed":
            texts.append(item.get("caption", ""))
        elif kind == "document":
            texts.append(item.get("description", ""))
    return texts


def lesson_texts(kind: str, value: dict) -> list[str]:
    """The learner-visible text of one lesson (raw stream value), paragraph by paragraph.
    A whitelist per lesson kind: quiz questions and video checkpoints are never read."""
    texts = [value.get("summary") or ""]
    if kind == "reading":
        texts += _reading_texts(value)
    elif kind == "quiz":
        texts.append(plain(value.get("instructions")))
    elif kind == "video":
        texts.append(plain(value.get("notes")))
    texts = [t.strip() for t in texts if t and t.strip()]
    # A summary copied from the body would only repeat it.
    if texts and any(texts[0] in other for other in texts[1:]):
        texts = texts[1:]
    return texts


def chunk_texts(texts: list[str], *, max_words: int) -> list[Chunk]:
    """Paragraphs packed into chunks of at most ``max_words`` words (long paragraphs split)."""
    chunks: list[Chunk] = []
    current: list[str] = []
    for text in texts:
        words = _WS.sub(" ", text).split(" ")
        while words:
            room = max_words - len(current)
            if room <= 0 or (current and len(words) > room and len(words) <= max_words):
                chunks.append(Chunk(" ".join(current)))
                current = []
                continue
            current += words[:room]
            words = words[room:]
    if current:
        chunks.append(Chunk(" ".join(current)))
    return chunks


def chunk_segments(segments, *, max_words: int, max_seconds: float) -> list[Chunk]:
    """Transcript segments ``(start, end, text)`` grouped into passages that keep their time
    range: at most ``max_words`` words and ``max_seconds`` seconds each."""
    chunks: list[Chunk] = []
    texts: list[str] = []
    start = end = None
    words = 0
    for seg_start, seg_end, text in segments:
        text = _WS.sub(" ", text or "").strip()
        if not text:
            continue
        count = len(text.split(" "))
        if texts and (words + count > max_words or seg_end - start > max_seconds):
            chunks.append(Chunk(" ".join(texts), start, end))
            texts, words, start = [], 0, None
        if start is None:
            start = seg_start
        texts.append(text)
        words += count
        end = seg_end
    if texts:
        chunks.append(Chunk(" ".join(texts), start, end))
    return chunks
