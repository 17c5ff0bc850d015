"""Model providers behind one interface.

- :class:`OpenAICompatibleProvider` talks to any OpenAI-compatible endpoint with the
  ``openai`` package (``ASSISTANT_OPENAI_BASE_URL``, ``OPENAI_API_KEY``,
  ``ASSISTANT_MODEL``): timeouts, retries with backoff on 429/5xx and connection errors
  (never after the first streamed token), and a circuit breaker that stops calling a
  provider that keeps failing.
- :class:`OfflineProvider` needs no key and no network: it answers *extractively* from the
  retrieved course passages, with their citations, clearly labelled as such.

Every failure becomes a :class:`learning.assistant.errors.ProviderError` subclass.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import weakref
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import openai
from django.conf import settings

from learning.assistant import errors
from learning.assistant.tokens import count_tokens, prompt_tokens


@dataclass
class Source:
    """A piece of course content in a prompt: a retrieved passage or the transcript window."""

    number: int
    lesson_id: str
    lesson_title: str
    kind: str  # "text" or "transcript"
    text: str
    start_seconds: float | None = None
    end_seconds: float | None = None

    def citation(self, excerpt_chars: int = 240) -> dict:
        excerpt = self.text if len(self.text) <= excerpt_chars else self.text[:excerpt_chars] + "…"
        return {
            "number": self.number,
            "lesson_id": self.lesson_id,
            "lesson_title": self.lesson_title,
            "kind": self.kind,
            "excerpt": excerpt,
            "start_seconds": self.start_seconds,
            "end_seconds": self.end_seconds,
        }


@dataclass
class ModelRequest:
    """What a model is asked: ``messages`` is the whole prompt (the only thing sent)."""

    agent: str
    messages: list[dict]
    max_tokens: int
    sources: list[Source] = field(default_factory=list)
    params: dict = field(default_factory=dict)  # agent inputs the offline provider uses
    json_reply: bool = False


@dataclass
class Completion:
    text: str
    tokens_in: int
    tokens_out: int
    model: str
    provider: str
    latency_ms: int = 0


@dataclass
class StreamDelta:
    text: str


# --- Circuit breaker ------------------------------------------------------------------------


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; while open every call fails at once
    with :class:`ProviderCircuitOpen`; after ``reset_seconds`` one trial call is let through
    (half-open) and a success closes it again. Per process."""

    def __init__(self, threshold: int, reset_seconds: float) -> None:
        self.threshold, self.reset_seconds = threshold, reset_seconds
        self._lock = threading.Lock()
        self.failures = 0
        self.opened_at: float | None = None

    def before_call(self) -> None:
        with self._lock:
            if self.opened_at is None:
                return
            if time.monotonic() - self.opened_at < self.reset_seconds:
                raise errors.ProviderCircuitOpen()
            self.opened_at = time.monotonic()  # half-open: this call is the trial

    def succeeded(self) -> None:
        with self._lock:
            self.failures, self.opened_at = 0, None

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = time.monotonic()

    def reset(self) -> None:
        self.succeeded()


_breakers: dict[str, CircuitBreaker] = {}
_sync_clients: dict[tuple, object] = {}
_async_clients: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def breaker_for(key: str) -> CircuitBreaker:
    if key not in _breakers:
        _breakers[key] = CircuitBreaker(
            settings.ASSISTANT_CIRCUIT_FAILURES, settings.ASSISTANT_CIRCUIT_RESET_SECONDS
        )
    return _breakers[key]


def reset_breakers() -> None:
    _breakers.clear()


# --- Interface --------------------------------------------------------------------------------


class Provider:
    name = "provider"
    label = ""  # shown with every answer when not empty (the offline provider's disclosure)
    model = ""

    def complete(self, request: ModelRequest) -> Completion:
        raise NotImplementedError

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamDelta | Completion]:
        """Text deltas, then one :class:`Completion` carrying the usage."""
        raise NotImplementedError
        yield  # pragma: no cover


# --- OpenAI-compatible ------------------------------------------------------------------------


def _classify(exc: Exception) -> tuple[errors.ProviderError, bool]:
    """(domain error, retryable) for an exception of the openai package."""
    if isinstance(exc, errors.ProviderError):
        return exc, False
    if isinstance(exc, openai.APITimeoutError | httpx.TimeoutException | TimeoutError):
        return errors.ProviderTimeout(), False
    if isinstance(exc, openai.RateLimitError):
        return errors.ProviderRateLimited(), True
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code >= 500:
            return errors.ProviderError(), True
        return errors.ProviderError(
            f"The tutor's model provider refused the request ({exc.status_code})."
        ), False
    if isinstance(exc, openai.APIConnectionError | httpx.TransportError):
        return errors.ProviderError("The tutor's model provider cannot be reached."), True
    return errors.ProviderBadResponse(), False


class OpenAICompatibleProvider(Provider):
    name = "openai"

    def __init__(self) -> None:
        self.base_url = settings.ASSISTANT_OPENAI_BASE_URL or None
        self.api_key = settings.OPENAI_API_KEY
        self.model = settings.ASSISTANT_MODEL
        self.timeout = settings.ASSISTANT_PROVIDER_TIMEOUT_SECONDS
        self.retries = settings.ASSISTANT_PROVIDER_RETRIES
        self.backoff = settings.ASSISTANT_PROVIDER_BACKOFF_SECONDS
        self.breaker = breaker_for(f"{self.base_url}|{self.model}")

    def _kwargs(self, request: ModelRequest) -> dict:
        kwargs = {
            "model": self.model,
            "messages": request.messages,
            "max_tokens": request.max_tokens,
            "temperature": settings.ASSISTANT_TEMPERATURE,
        }
        if request.json_reply:
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    def _client(self):
        """One client (and connection pool) per configuration and process: creating one
        loads TLS certificates, too slow to repeat per request."""
        key = (self.base_url, self.api_key, self.timeout)
        if key not in _sync_clients:
            _sync_clients[key] = openai.OpenAI(
                base_url=self.base_url, api_key=self.api_key, timeout=self.timeout, max_retries=0
            )
        return _sync_clients[key]

    def _async_client(self):
        """One async client per event loop and configuration (its pool belongs to the loop);
        made once, so the event loop never blocks loading TLS certificates per request."""
        clients = _async_clients.setdefault(asyncio.get_running_loop(), {})
        key = (self.base_url, self.api_key, self.timeout)
        if key not in clients:
            clients[key] = openai.AsyncOpenAI(
                base_url=self.base_url, api_key=self.api_key, timeout=self.timeout, max_retries=0
            )
        return clients[key]

    def complete(self, request: ModelRequest) -> Completion:
        self.breaker.before_call()
        started = time.monotonic()
        attempt = 0
        client = self._client()
        while True:
            try:
                response = client.chat.completions.create(**self._kwargs(request))
                completion = self._completion(response, started)
            except Exception as exc:
                error, retryable = _classify(exc)
                if retryable and attempt < self.retries:
                    time.sleep(self.backoff * (2**attempt))
                    attempt += 1
                    continue
                self.breaker.failed()
                raise error from exc
            self.breaker.succeeded()
            return completion

    def _completion(self, response, started: float) -> Completion:
        try:
            text = response.choices[0].message.content
            usage = response.usage
            tokens_in, tokens_out = int(usage.prompt_tokens), int(usage.completion_tokens)
        except (AttributeError, IndexError, TypeError, ValueError) as exc:
            raise errors.ProviderBadResponse() from exc
        if not isinstance(text, str):
            raise errors.ProviderBadResponse()
        return Completion(
            text=text,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            model=getattr(response, "model", None) or self.model,
            provider=self.name,
            latency_ms=int((time.monotonic() - started) * 1000),
        )

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamDelta | Completion]:
        self.breaker.before_call()
        started = time.monotonic()
        client = self._async_client()
        attempt = 0
        sent_any = False
        text_parts: list[str] = []
        usage = None
        model = self.model
        try:
            while True:
                try:
                    stream = await client.chat.completions.create(
                        **self._kwargs(request),
                        stream=True,
                        stream_options={"include_usage": True},
                    )
                    # The response is closed however the loop ends (a client gone away
                    # included), so its connection returns to the pool.
                    async with stream, asyncio.timeout(settings.ASSISTANT_STREAM_TOTAL_SECONDS):
                        async for chunk in stream:
                            model = getattr(chunk, "model", None) or model
                            if getattr(chunk, "usage", None):
                                usage = chunk.usage
                            for choice in chunk.choices or []:
                                delta = getattr(choice.delta, "content", None)
                                if delta:
                                    sent_any = True
                                    text_parts.append(delta)
                                    yield StreamDelta(delta)
                    break
                except Exception as exc:
                    error, retryable = _classify(exc)
                    if retryable and not sent_any and attempt < self.retries:
                        await asyncio.sleep(self.backoff * (2**attempt))
                        attempt += 1
                        continue
                    raise error from exc
            if not text_parts:
                raise errors.ProviderBadResponse()
        except errors.ProviderError:
            self.breaker.failed()
            raise
        self.breaker.succeeded()
        text = "".join(text_parts)
        yield Completion(
            text=text,
            tokens_in=int(getattr(usage, "prompt_tokens", 0) or 0)
            or prompt_tokens(request.messages),
            tokens_out=int(getattr(usage, "completion_tokens", 0) or 0) or count_tokens(text),
            model=model,
            provider=self.name,
            latency_ms=int((time.monotonic() - started) * 1000),
        )


# --- Offline (extractive) ---------------------------------------------------------------------

OFFLINE_LABEL = (
    "Offline tutor: no AI model is configured, so this answer quotes the course passages "
    "that best match your question."
)


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


class OfflineProvider(Provider):
    """Answers from the retrieved sources only; deterministic, instant, free."""

    name = "offline"
    model = "extractive"
    label = OFFLINE_LABEL

    def _text(self, request: ModelRequest) -> str:
        agent = request.agent
        sources = request.sources
        if agent == "check":
            return json.dumps(self._check(request))
        if agent == "path":
            return json.dumps({"recommendations": []})
        if agent == "reflect":
            title = request.params.get("lesson_title") or "this lesson"
            return (
                f"Think back over “{title}”. What is the one idea you would explain to a "
                "friend, and where in the lesson did it click (or not yet)? Write two or three "
                "sentences, or record a short voice note."
            )
        if not sources:
            return (
                "The course does not seem to cover this. Try other words, or ask your instructor."
            )
        if agent == "hint":
            level = request.params.get("level", "nudge")
            top = sources[0]
            where = f" around {_clock(top.start_seconds)}" if top.start_seconds is not None else ""
            if level == "nudge":
                return f"Look again at “{top.lesson_title}”{where} [{top.number}]."
            sentences = _sentences(top.text)
            if level == "hint":
                return f"{sentences[0] if sentences else top.text} [{top.number}]"
            return " ".join(f"{s.text} [{s.number}]" for s in sources[:2])
        return "From the course: " + " ".join(
            f"“{text}” [{number}]" for number, text in self._best_sentences(request)
        )

    def _best_sentences(self, request: ModelRequest, count: int = 2) -> list[tuple[int, str]]:
        """The sentences of the top sources sharing most words with the question (word
        stems compared by their first five letters), in source order."""
        stems = {w[:5] for w in re.findall(r"\w{3,}", request.params.get("question", "").lower())}
        scored = []
        for rank, source in enumerate(request.sources[:3]):
            for position, sentence in enumerate(_sentences(source.text)):
                words = {w[:5] for w in re.findall(r"\w{3,}", sentence.lower())}
                scored.append((-len(stems & words), rank, position, source.number, sentence))
        best = sorted(scored)[:count]
        return [(number, text) for *_, number, text in sorted(best, key=lambda b: (b[1], b[2]))]

    def _check(self, request: ModelRequest) -> dict:
        text = " ".join(s.text for s in request.sources)
        words = list(re.findall(r"[A-Za-z][A-Za-z']{3,}", text))
        if not words:
            raise errors.ProviderBadResponse("There is no course text here to make a question.")
        # The longest word of the first sentence is the answer; others are distractors.
        first = _sentences(text)[0]
        candidates = re.findall(r"[A-Za-z][A-Za-z']{3,}", first) or words
        answer = max(candidates, key=len)
        others = []
        for w in sorted(set(words), key=lambda w: (-len(w), w)):
            if w.lower() != answer.lower() and w.lower() not in {o.lower() for o in others}:
                others.append(w)
            if len(others) == 3:
                break
        fillers = ["nothing", "everything", "sometimes"]
        while len(others) < 3:
            others.append(fillers[len(others)])
        choices = sorted([answer, *others], key=lambda w: w.lower())
        blanked = re.sub(rf"\b{re.escape(answer)}\b", "_____", first, count=1)
        return {
            "question": f"Fill the gap: {blanked}",
            "choices": choices,
            "correct_index": choices.index(answer),
        }

    def complete(self, request: ModelRequest) -> Completion:
        text = self._text(request)
        return Completion(
            text=text,
            tokens_in=prompt_tokens(request.messages),
            tokens_out=count_tokens(text),
            model=self.model,
            provider=self.name,
        )

    async def stream(self, request: ModelRequest) -> AsyncIterator[StreamDelta | Completion]:
        completion = self.complete(request)
        for piece in re.findall(r"\S+\s*", completion.text):
            yield StreamDelta(piece)
        yield completion


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    total = int(seconds)
    return f"{total // 60}:{total % 60:02d}"


def get_provider() -> Provider:
    """The configured provider: OpenAI-compatible when a key (or a keyless local base URL
    with ``ASSISTANT_PROVIDER=openai``) is configured, else the offline one."""
    choice = settings.ASSISTANT_PROVIDER
    if choice == "openai" or (choice == "auto" and settings.OPENAI_API_KEY):
        return OpenAICompatibleProvider()
    return OfflineProvider()
