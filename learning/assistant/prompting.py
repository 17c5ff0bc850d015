"""Prompts: the one place where what a model sees is assembled.

Templates are files in ``prompts/`` (``string.Template`` syntax). Course content enters only
through :class:`~learning.assistant.providers.Source` objects built from the index (which
never holds answer keys or explanations) and the transcript window; it is quoted inside
``<course_content>`` with angle brackets neutralised, so it cannot close the quote or pose as
instructions. The learner's own words are quoted the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from string import Template

from django.conf import settings

from learning.assistant import tokens
from learning.assistant.providers import ModelRequest, Source

PROMPTS_DIR = Path(__file__).resolve().parent / "prompts"
AGENT_TEMPLATES = {
    "chat": "chat.txt",
    "hint": "hint.txt",
    "check": "check.txt",
    "reflect": "reflect.txt",
    "path": "path.txt",
}


@cache
def template(name: str) -> Template:
    return Template((PROMPTS_DIR / name).read_text(encoding="utf-8"))


def quoted(text: str) -> str:
    """Text safe to place inside the prompt's quotes: no tags, no closing triple quote."""
    return (text or "").replace("<", "\u2039").replace(">", "\u203a").replace('"""', "“”“")


def clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(seconds)
    return f"{total // 60}:{total % 60:02d}"


@dataclass
class PromptContext:
    course_title: str
    lesson_title: str = ""
    video_time: float | None = None
    selected_text: str = ""
    question: str = ""
    progress: str = "unknown"
    transcript: Source | None = None
    passages: list[Source] = field(default_factory=list)
    history: list[tuple[str, str]] = field(default_factory=list)  # (role, content), oldest first
    params: dict = field(default_factory=dict)

    @property
    def sources(self) -> list[Source]:
        return ([self.transcript] if self.transcript else []) + self.passages


def _render_source(source: Source) -> str:
    where = f", at {clock(source.start_seconds)}" if source.start_seconds is not None else ""
    label = "video transcript" if source.kind == "transcript" else "lesson text"
    return (
        f'[{source.number}] {label} of lesson "{quoted(source.lesson_title)}"{where}:\n'
        + quoted(source.text)
    )


def _fields(ctx: PromptContext) -> dict:
    moment = ""
    if ctx.video_time is not None:
        moment = f"The learner is at {clock(ctx.video_time)} in the lesson's video."
    selected = ""
    if ctx.selected_text:
        selected = (
            f'The learner selected this text in the lesson:\n"""{quoted(ctx.selected_text)}"""'
        )
    transcript = ""
    if ctx.transcript is not None:
        transcript = "Transcript around the learner's moment:\n" + _render_source(ctx.transcript)
    passages = rendered_passages(ctx) or "(no matching passages)"
    return {
        "course_title": quoted(ctx.course_title),
        "lesson_title": quoted(ctx.lesson_title) or "(none)",
        "progress": quoted(ctx.progress),
        "moment": moment,
        "selected": selected,
        "transcript": transcript,
        "passages": passages,
        "question": quoted(ctx.question),
        "max_words": settings.ASSISTANT_MAX_REPLY_WORDS,
        **{key: quoted(str(value)) for key, value in ctx.params.items()},
    }


def _history_messages(ctx: PromptContext, budget: int) -> list[dict]:
    """The newest turns whose messages (content and chat framing, counted with the real
    tokenizer) fit ``budget`` tokens, oldest first."""
    kept: list[dict] = []
    used = 0
    for role, content in reversed(ctx.history):
        cost = tokens.message_tokens(content)
        if used + cost > budget:
            break
        kept.append({"role": role, "content": content})
        used += cost
    return list(reversed(kept))


def rendered_passages(ctx: PromptContext) -> str:
    return "\n\n".join(_render_source(s) for s in ctx.passages)


def content_tokens(ctx: PromptContext) -> int:
    """Tokens the course content takes in the prompt, counted with the real tokenizer on the
    text exactly as rendered: the transcript window and the retrieved passages block."""
    transcript = _render_source(ctx.transcript) if ctx.transcript is not None else ""
    return tokens.count_tokens(transcript) + tokens.count_tokens(rendered_passages(ctx))


def fit_passages(ctx: PromptContext, budget: int) -> None:
    """Drop the lowest-ranked passages until the course content fits ``budget`` tokens; a
    transcript window that alone exceeds the budget is cut (by tokens) to fit."""
    while ctx.passages and content_tokens(ctx) > budget:
        ctx.passages.pop()
    if ctx.transcript is not None and content_tokens(ctx) > budget:
        text = quoted(ctx.transcript.text)
        room = tokens.count_tokens(text) - (content_tokens(ctx) - budget)
        while text and content_tokens(
            replace(ctx, transcript=replace(ctx.transcript, text=text))
        ) > (budget):
            text = tokens.truncate(text, room)
            room -= 1
        ctx.transcript = replace(ctx.transcript, text=text)


def build(agent: str, ctx: PromptContext) -> ModelRequest:
    """The model request for ``agent`` (chat, hint, check, reflect, path)."""
    fit_passages(ctx, settings.ASSISTANT_CONTEXT_TOKENS)
    fields = _fields(ctx)
    system = template("system.txt").safe_substitute(fields)
    user = template(AGENT_TEMPLATES[agent]).safe_substitute(fields)
    messages = [{"role": "system", "content": system}]
    if agent == "chat":
        messages += _history_messages(ctx, settings.ASSISTANT_HISTORY_TOKENS)
    messages.append({"role": "user", "content": user})
    return ModelRequest(
        agent=agent,
        messages=messages,
        max_tokens=settings.ASSISTANT_MAX_REPLY_TOKENS,
        sources=ctx.sources,
        params={**ctx.params, "lesson_title": ctx.lesson_title, "question": ctx.question},
        json_reply=agent in ("check", "path"),
    )
