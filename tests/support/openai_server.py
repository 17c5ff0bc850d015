"""A local OpenAI-compatible HTTP server for tests and benchmarks: ``POST
/v1/chat/completions``, streaming (SSE, chunked) and not, with ``usage`` fields.

``mode`` switches its behaviour: ``ok``, ``rate_limit`` (429), ``error`` (500), ``slow``
(answers after ``delay`` seconds), ``garbage`` (200 with a body that is not a completion),
``partial`` (streams two pieces then drops the connection), ``flaky`` (429 for the first
``fail_times`` requests, then ok). Every request body is kept in ``requests``.

``POST /v1/audio/transcriptions`` (multipart, as the ``openai`` package sends it) answers
``verbose_json`` with ``segments``: by default one segment per ``segment_seconds`` of the
uploaded WAV audio (its length read from the file), text ``"<chunk number> part <n>"``;
``transcribe`` replaces that. The same modes apply; each upload is kept in ``uploads``
(form fields, file name and size in bytes).
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
import time
import wave
from collections.abc import Callable, Iterator
from email.parser import BytesParser
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeOpenAI:
    def __init__(self) -> None:
        self.mode = "ok"
        self.delay = 5.0
        self.fail_times = 1
        self.token_delay = 0.0
        self.requests: list[dict] = []
        self.first_chunk_at: list[float] = []  # time.monotonic() of each stream's 1st token
        self.reply: Callable[[dict], str] = lambda body: "Use print() to show text [1]."
        self.url = ""
        self.uploads: list[dict] = []
        self.segment_seconds = 2.0
        self.transcribe: Callable[[dict, float], list[dict]] | None = None
        self._lock = threading.Lock()

    @property
    def prompts(self) -> list[str]:
        """Every message content of every request received."""
        return [m["content"] for body in self.requests for m in body.get("messages", [])]


def _handler(state: FakeOpenAI):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def _json(self, status: int, body) -> None:
            data = json.dumps(body).encode() if not isinstance(body, bytes) else body
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _transcription(self, raw: bytes) -> None:
            upload = _multipart(self.headers.get("Content-Type", ""), raw)
            with state._lock:
                state.uploads.append(upload)
                count = len(state.uploads)
            mode = state.mode
            if mode == "flaky":
                mode = "rate_limit" if count <= state.fail_times else "ok"
            if mode == "rate_limit":
                return self._json(429, {"error": {"message": "slow down", "type": "rate_limit"}})
            if mode == "error":
                return self._json(500, {"error": {"message": "boom", "type": "server_error"}})
            if mode == "garbage":
                return self._json(200, b"<html>definitely not json")
            duration = _wav_seconds(upload["file"])
            if state.transcribe is not None:
                segments = state.transcribe(upload, duration)
            else:
                segments, start, n = [], 0.0, 0
                while start < duration - 1e-6:
                    end = min(duration, start + state.segment_seconds)
                    segments.append(
                        {"id": n, "start": start, "end": end, "text": f" {count} part {n}"}
                    )
                    start, n = end, n + 1
            text = "".join(seg["text"] for seg in segments).strip()
            return self._json(
                200,
                {
                    "task": "transcribe",
                    "language": "english",
                    "duration": duration,
                    "text": text,
                    "segments": segments,
                },
            )

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            if self.path.endswith("/audio/transcriptions"):
                return self._transcription(raw)
            body = json.loads(raw or b"{}")
            with state._lock:
                state.requests.append(body)
                count = len(state.requests)
            if not self.path.endswith("/chat/completions"):
                return self._json(404, {"error": {"message": "not found"}})
            mode = state.mode
            if mode == "flaky":
                mode = "rate_limit" if count <= state.fail_times else "ok"
            if mode == "rate_limit":
                return self._json(429, {"error": {"message": "slow down", "type": "rate_limit"}})
            if mode == "error":
                return self._json(500, {"error": {"message": "boom", "type": "server_error"}})
            if mode == "slow":
                time.sleep(state.delay)
            if mode == "garbage":
                return self._json(200, b"<html>definitely not json")
            text = state.reply(body)
            usage = {
                "prompt_tokens": 100 + count,
                "completion_tokens": 20,
                "total_tokens": 120 + count,
            }
            model = body.get("model", "test-model")
            if not body.get("stream"):
                return self._json(
                    200,
                    {
                        "id": f"cmpl-{count}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": model,
                        "choices": [
                            {
                                "index": 0,
                                "message": {"role": "assistant", "content": text},
                                "finish_reason": "stop",
                            }
                        ],
                        "usage": usage,
                    },
                )
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            pieces = [p + " " for p in text.split(" ")]
            for index, piece in enumerate(pieces):
                if mode == "partial" and index == 2:
                    self.wfile.flush()
                    self.connection.shutdown(2)
                    self.close_connection = True
                    return
                chunk = {
                    "id": f"cmpl-{count}",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                }
                self._chunk(f"data: {json.dumps(chunk)}\n\n".encode())
                if index == 0:
                    state.first_chunk_at.append(time.monotonic())
                if state.token_delay:
                    time.sleep(state.token_delay)
            final = {
                "id": f"cmpl-{count}",
                "object": "chat.completion.chunk",
                "created": int(time.time()),
                "model": model,
                "choices": [],
                "usage": usage,
            }
            self._chunk(f"data: {json.dumps(final)}\n\n".encode())
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")

    return Handler


def _multipart(content_type: str, raw: bytes) -> dict:
    """Form fields of a multipart/form-data body; the file as bytes under ``file``."""
    message = BytesParser(policy=default).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields: dict = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        value = part.get_payload(decode=True)
        if part.get_filename():
            fields["filename"], fields["file"] = part.get_filename(), value
        else:
            fields.setdefault(name, []).append(value.decode())
    fields["size"] = len(fields.get("file") or b"")
    return fields


def _wav_seconds(data: bytes | None) -> float:
    with wave.open(io.BytesIO(data or b""), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


@contextlib.contextmanager
def fake_openai_server() -> Iterator[FakeOpenAI]:
    state = FakeOpenAI()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
