# A benchmark harness: it starts local servers it names itself, with fixed local credentials.
# ruff: noqa: S103, S106, S110, S311, S603, S607
"""Fault injection against real services: the product keeps answering, loses nothing and
recovers on its own when its dependencies fail.

    .venv/bin/python bench/faults/run.py                       # every scenario, 3-minute soak
    .venv/bin/python bench/faults/run.py --soak-seconds 600    # the 10-minute soak
    .venv/bin/python bench/faults/run.py --scenarios redis,postgres --learners 4

Everything it breaks is its own: the script starts a **private** PostgreSQL cluster
(``initdb`` + ``pg_ctl`` in a temporary folder, as the ``postgres`` user when run as root),
a private ``redis-server`` and moto's S3 server on free ports, a small SMTP sink, then the
product on them: one ``uvicorn config.asgi:application`` and two Celery workers (``media``;
``default,email,analytics``), both ``--pool=prefork --concurrency=1`` so the process running a
task can be killed alone. The machine's shared PostgreSQL and Redis are never touched.

Load while faults happen (``--learners`` N): N learners post honest video heartbeats (5
events per batch, about one batch a second) and **retry a failed batch with the same event
ids** until it is answered 200, like the reference player's queue; a reader GETs the course
catalog and detail; N WebSocket clients stay on ``/ws/notifications/`` and reconnect when
closed (the server pushes every accepted heartbeat to them); ``/readyz`` is polled.

Scenarios (``--scenarios``, comma separated, default all):

- ``kill-transcode``: a video is uploaded through the API to S3; its worker's pool process
  (and its ffmpeg) is SIGKILLed mid-transcode; the task must be redelivered and finish with
  one set of renditions.
- ``kill-email``: three accounts register; the SMTP sink holds the first message before
  answering ``250``; the email worker's pool process is SIGKILLed while it waits; every
  address must receive exactly one verification email.
- ``redis``: the private Redis (cache, channel layer, broker) is stopped for 8 s, restarted.
- ``postgres``: the private PostgreSQL is stopped (``pg_ctl -m fast``) for 6 s, started.
- ``s3``: moto is stopped: an upload, a playback and processing are tried; moto comes back
  while processing retries; nothing may be ready without its files.
- ``soak``: ``--soak-seconds`` of load with the faults above at random (a transcode is kept
  running so a worker kill has something to hit).

Counts per scenario: heartbeat events sent / acknowledged / stored (``HeartbeatReceipt``
rows), responses by status inside and outside the fault windows (a window runs from the
injection to the first ``/readyz`` 200 after the service is back), WebSocket connects and
whether every socket received a push after the fault, tasks and side effects, RSS of the
server and workers. Results go to ``--out`` (JSON) and a summary to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor as concurrent_pool
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
BUCKET = "unpuzzle-faults"
COURSE_SLUG = "faults-course"
T0 = time.monotonic()


def now() -> float:
    return round(time.monotonic() - T0, 3)


def log(message: str) -> None:
    print(f"[{now():8.2f}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, interval: float = 0.1, what: str = ""):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# --- Private services -----------------------------------------------------------------------


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            sys.exit("redis-server is needed (Debian package redis-server)")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port)
        wait_until(lambda: _pings(client), 10, what="redis-server")
        client.close()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


class PrivateS3:
    """moto's standalone server in this process; its state survives a stop and start."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.server = None

    def start(self) -> None:
        from moto.server import ThreadedMotoServer

        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id="faults",
            aws_secret_access_key="faults",
            region_name="us-east-1",
        )


class SmtpSink:
    """A minimal SMTP server that counts delivered messages per recipient. ``hold`` seconds
    pass between the end of DATA and the ``250`` reply; a client that goes away meanwhile
    did not deliver (RFC 5321: the server takes responsibility with its 250)."""

    def __init__(self):
        self.port = free_port()
        self.delivered: list[tuple[str, str]] = []
        self.aborted = 0
        self.hold = 0.0
        self.holding = threading.Event()
        self.loop = asyncio.new_event_loop()

    def start(self) -> None:
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self.loop)
            server = self.loop.run_until_complete(
                asyncio.start_server(self._session, "127.0.0.1", self.port)
            )
            self.server = server
            ready.set()
            self.loop.run_forever()

        threading.Thread(target=run, daemon=True, name="smtp-sink").start()
        ready.wait(10)

    async def _session(self, reader, writer):
        writer.write(b"220 faults sink\r\n")
        recipients: list[str] = []
        try:
            while line := await reader.readline():
                verb = line[:4].upper()
                if verb in (b"EHLO", b"HELO"):
                    writer.write(b"250 faults sink\r\n")
                elif verb == b"MAIL":
                    recipients = []
                    writer.write(b"250 OK\r\n")
                elif verb == b"RCPT":
                    recipients.append(line.decode().split(":", 1)[1].strip().strip("<>"))
                    writer.write(b"250 OK\r\n")
                elif verb == b"DATA":
                    writer.write(b"354 go ahead\r\n")
                    await writer.drain()
                    body = []
                    while (chunk := await reader.readline()) not in (b".\r\n", b""):
                        body.append(chunk[1:] if chunk.startswith(b"..") else chunk)
                    if self.hold:
                        self.holding.set()
                        await asyncio.sleep(self.hold)
                    if reader.at_eof():  # the sender died before our 250: not delivered
                        self.aborted += 1
                        return
                    subject = message_from_bytes(b"".join(body)).get("Subject", "")
                    self.delivered.extend((to, subject) for to in recipients)
                    writer.write(b"250 OK queued\r\n")
                elif verb == b"QUIT":
                    writer.write(b"221 bye\r\n")
                    await writer.drain()
                    return
                else:  # RSET, NOOP, ...
                    writer.write(b"250 OK\r\n")
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            self.aborted += 1
        finally:
            with contextlib.suppress(Exception):
                writer.close()


# --- The product's processes ----------------------------------------------------------------


class Product:
    def __init__(self, env: dict[str, str]):
        self.env = env
        self.web: subprocess.Popen | None = None
        self.workers: dict[str, subprocess.Popen] = {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.logs = Path(env["VAR_DIR"]) / "logs"
        self.logs.mkdir(parents=True, exist_ok=True)

    def _spawn(self, name: str, argv: list[str]) -> subprocess.Popen:
        out = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115  (lives with the process)
        return subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=out, stderr=out)

    def start(self) -> None:
        self.web = self._spawn(
            "web",
            [
                str(BIN / "uvicorn"), "config.asgi:application", "--host", "127.0.0.1",
                "--port", str(self.port), "--log-level", "warning", "--no-access-log",
                "--lifespan", "off",
            ],
        )  # fmt: skip
        for name, queues in (("media", "media"), ("tasks", "default,email,analytics")):
            self.workers[name] = self._spawn(
                f"worker-{name}",
                [
                    str(BIN / "celery"), "-A", "config.celery", "worker", "--pool=prefork",
                    "--concurrency=1", "-Q", queues, "-n", f"{name}-faults@%h",
                    "--loglevel=INFO", "--without-mingle", "--without-gossip",
                ],
            )  # fmt: skip
        import httpx

        def up():
            try:
                return httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(up, 60, 0.2, "the ASGI server")

    def stop(self) -> None:
        for proc in [self.web, *self.workers.values()]:
            if proc and proc.poll() is None:
                proc.terminate()
        for proc in [self.web, *self.workers.values()]:
            if proc:
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()

    def pool_child(self, worker: str) -> int | None:
        found = children(self.workers[worker].pid)
        return found[0] if found else None

    def rss_mb(self) -> dict[str, float]:
        sizes = {"web": rss(self.web.pid)}
        for name, proc in self.workers.items():
            sizes[f"worker-{name}"] = rss(proc.pid) + sum(rss(c) for c in children(proc.pid))
        return {k: round(v / 1024, 1) for k, v in sizes.items()}


def children(pid: int) -> list[int]:
    found: list[int] = []
    with contextlib.suppress(FileNotFoundError, ProcessLookupError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                found += [int(child) for child in fh.read().split()]
    return found


def rss(pid: int) -> int:
    """Resident set size in KiB (0 when the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def kill_tree(pid: int) -> None:
    """SIGKILL a process and its descendants (a pool process and its ffmpeg)."""
    doomed = [pid]
    for child in children(pid):
        doomed += [child, *children(child)]
    for victim in doomed:
        with contextlib.suppress(ProcessLookupError):
            os.kill(victim, signal.SIGKILL)


# --- Django in this process (seeding and counting) ------------------------------------------


def db():
    """Django's ORM after any outage: drop connections a restart may have broken."""
    from django.db import connections

    for conn in connections.all():
        with contextlib.suppress(Exception):
            conn.close()


def seed(learners: int) -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cms.models import CourseLesson
    from learning.accounts import services as accounts
    from learning.progress import services as progress
    from tests.factories import DEFAULT_PASSWORD, UserFactory
    from tests.factories import learning as lf

    instructor = UserFactory(email="faults-instructor@example.com", roles=["instructor"])
    course, _ = lf.video_course(
        instructors=[instructor], duration=3600, title="Faults", slug=COURSE_SLUG
    )
    lesson = CourseLesson.objects.get(course=course, kind=CourseLesson.Kind.VIDEO, is_live=True)
    people = []
    for n in range(learners):
        user = UserFactory(email=f"faults-learner-{n:03}@example.com")
        lf.enroll(user, course)
        progress.lesson_open(user=user, lesson=lesson)
        _, refresh = accounts.session_start(email=user.email, password=DEFAULT_PASSWORD)
        people.append({"id": user.pk, "token": str(refresh.access_token)})
    _, refresh = accounts.session_start(email=instructor.email, password=DEFAULT_PASSWORD)
    return {
        "course_id": course.pk,
        "lesson_id": str(lesson.lesson_id),
        "learners": people,
        "instructor_token": str(refresh.access_token),
    }


def stored_receipts(user_ids: list[int]) -> set[str]:
    from learning.progress.models import HeartbeatReceipt

    db()
    return {
        str(value)
        for value in HeartbeatReceipt.objects.filter(user_id__in=user_ids).values_list(
            "client_event_id", flat=True
        )
    }


# --- Load ------------------------------------------------------------------------------------


class Load:
    """Heartbeats, reads, WebSockets and /readyz polls in one asyncio loop on a thread."""

    def __init__(self, base: str, world: dict, learners: int):
        self.base = base
        self.ws_base = base.replace("http://", "ws://")
        self.world = world
        self.learners = world["learners"][:learners]
        self.responses: list[tuple[float, float, str, object]] = []  # start, end, kind, status
        self.sent: set[str] = set()
        self.acknowledged: set[str] = set()
        self.outcomes: Counter = Counter()
        self.ws_connects: Counter = Counter()
        self.ws_last_message: dict[int, float] = {}
        self.ws_open: dict[int, bool] = {}
        self.readyz: list[tuple[float, int | str, list]] = []
        self.pending_batches = 0
        self.stopping = False
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._run, daemon=True, name="load")

    def start(self) -> None:
        self.thread.start()

    def stop(self, drain_timeout: float = 60) -> None:
        """Stop producing; wait until every batch sent has been answered 200."""
        self.stopping = True
        deadline = time.monotonic() + drain_timeout
        while self.pending_batches and time.monotonic() < deadline:
            time.sleep(0.2)
        self.done = True
        self.thread.join(timeout=30)

    def _run(self) -> None:
        self.done = False
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._main())

    async def _main(self) -> None:
        tasks = [asyncio.create_task(self._learner(person)) for person in self.learners]
        tasks += [asyncio.create_task(self._socket(person)) for person in self.learners]
        tasks += [asyncio.create_task(self._reader()), asyncio.create_task(self._ready())]
        while not self.done:
            await asyncio.sleep(0.1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _request(self, client, kind: str, method: str, path: str, **kw):
        started = now()
        try:
            response = await client.request(method, path, **kw)
            status: object = response.status_code
        except Exception as exc:  # connection refused, timeout: the client sees no answer
            response, status = None, type(exc).__name__
        self.responses.append((started, now(), kind, status))
        return response

    async def _learner(self, person: dict) -> None:
        import httpx

        lesson = self.world["lesson_id"]
        headers = {"Authorization": f"Bearer {person['token']}"}
        media, last = 0.0, time.monotonic()
        await asyncio.sleep(random.uniform(0, 1))
        async with httpx.AsyncClient(base_url=self.base, headers=headers, timeout=10) as client:
            while not self.stopping:
                await asyncio.sleep(1.0)
                if self.stopping:
                    break
                played = min(time.monotonic() - last, 30.0)  # honest playback at 1x
                last = time.monotonic()
                step = played / 5
                sent_at = datetime.now(UTC)
                batch = []
                for n in range(5):
                    end = media + step * (n + 1)
                    batch.append(
                        {
                            "client_event_id": str(uuid.uuid4()),
                            "lesson_id": lesson,
                            "start": round(media + step * n, 3),
                            "end": round(end, 3),
                            "position": round(end, 3),
                            "playback_rate": 1.0,
                            "client_time": (
                                sent_at - timedelta(seconds=played - step * (n + 1))
                            ).isoformat(),
                        }
                    )
                media += played
                self.sent.update(event["client_event_id"] for event in batch)
                self.pending_batches += 1
                try:
                    while True:  # the player's queue: resend the same ids until answered
                        response = await self._request(
                            client, "heartbeat", "POST", "/api/v2/progress/events/",
                            json={"events": batch},
                        )  # fmt: skip
                        if response is not None and response.status_code == 200:
                            for result in response.json()["results"]:
                                self.outcomes[result["status"]] += 1
                                if result["status"] != "rejected":
                                    self.acknowledged.add(str(result["client_event_id"]))
                            break
                        await asyncio.sleep(0.5)
                finally:
                    self.pending_batches -= 1

    async def _reader(self) -> None:
        import httpx

        course = self.world["course_id"]
        paths = ["/api/v2/courses/", f"/api/v2/courses/{course}/"]
        async with httpx.AsyncClient(base_url=self.base, timeout=10) as client:
            n = 0
            while True:
                await self._request(client, "read", "GET", paths[n % 2])
                n += 1
                await asyncio.sleep(0.25)

    async def _ready(self) -> None:
        import httpx

        async with httpx.AsyncClient(base_url=self.base, timeout=10) as client:
            while True:
                try:
                    response = await client.get("/readyz")
                    failing = response.json().get("failing", []) if response.content else []
                    self.readyz.append((now(), response.status_code, failing))
                except Exception as exc:
                    self.readyz.append((now(), type(exc).__name__, []))
                await asyncio.sleep(0.5)

    async def _socket(self, person: dict) -> None:
        import websockets

        url = f"{self.ws_base}/ws/notifications/?access_token={person['token']}"
        pk = person["id"]
        while True:
            try:
                async with websockets.connect(url, open_timeout=5) as ws:
                    self.ws_connects[pk] += 1
                    self.ws_open[pk] = True
                    async for _message in ws:
                        self.ws_last_message[pk] = now()
            except asyncio.CancelledError:
                raise
            except Exception:
                pass
            self.ws_open[pk] = False
            await asyncio.sleep(0.5)

    # -- summaries --

    def statuses(self, windows: list[tuple[float, float]], since: float = 0.0) -> dict:
        def inside(start, end):
            return any(start <= w_end and end >= w_start for w_start, w_end in windows)

        summary = {"inside": Counter(), "outside": Counter()}
        for start, end, kind, status in self.responses:
            if start < since:
                continue
            where = "inside" if inside(start, end) else "outside"
            summary[where][f"{kind} {status}"] += 1
        return {key: dict(sorted(value.items())) for key, value in summary.items()}

    def server_errors(self, windows, since: float = 0.0) -> dict:
        counts = {"inside": 0, "outside": 0, "outside_detail": []}
        for start, end, kind, status in self.responses:
            if start < since or not (isinstance(status, int) and status >= 500):
                continue
            if any(start <= w_end and end >= w_start for w_start, w_end in windows):
                counts["inside"] += 1
            else:
                counts["outside"] += 1
                counts["outside_detail"].append([start, end, kind, status])
        counts["outside_detail"] = counts["outside_detail"][:20]
        return counts


# --- Fault helpers ---------------------------------------------------------------------------


def ready_again(load: Load, after: float, timeout: float = 60) -> float:
    """When /readyz first answered 200 after ``after`` (the end of a fault window)."""

    def seen():
        for at, status, _failing in load.readyz:
            if at > after and status == 200:
                return at
        return None

    return wait_until(seen, timeout, 0.2, "/readyz to answer 200")


def readyz_during(load: Load, start: float, end: float) -> dict:
    seen = Counter()
    for at, status, failing in load.readyz:
        if start <= at <= end:
            seen[f"{status} {','.join(failing)}".strip()] += 1
    return dict(seen)


def upload(base: str, token: str, clip: Path, title: str) -> tuple[int | None, object]:
    """Create an upload, PUT the bytes, complete it. Returns (asset id, failure)."""
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    data = clip.read_bytes()
    asset_id, step = None, "create"
    try:
        created = httpx.post(
            f"{base}/api/v2/media/uploads/",
            json={
                "filename": clip.name,
                "size_bytes": len(data),
                "content_type": "video/mp4",
                "title": title,
            },
            headers=headers,
            timeout=30,
        )
        if created.status_code != 201:
            return None, {"step": step, "status": created.status_code, "body": created.json()}
        body = created.json()
        asset_id, step = body["asset"]["id"], "put bytes to the signed URL"
        for part in body["upload"]["parts"]:
            chunk = data[part["offset"] : part["offset"] + part["size"]]
            sent = httpx.put(part["url"], content=chunk, headers=body["upload"]["headers"])
            if sent.status_code != 200:
                return asset_id, {"step": step, "status": sent.status_code}
        step = "complete"
        done = httpx.post(
            f"{base}/api/v2/media/uploads/{asset_id}/complete/", headers=headers, timeout=30
        )
        if done.status_code != 200:
            return asset_id, {"step": step, "status": done.status_code, "body": done.json()}
        return asset_id, None
    except httpx.HTTPError as exc:
        return asset_id, {"step": step, "error": f"{type(exc).__name__}: {exc}"}


def asset_state(asset_id: int) -> dict:
    from media_pipeline.models import VideoAsset

    db()
    asset = VideoAsset.objects.get(pk=asset_id)
    return {
        "status": asset.status,
        "progress": asset.progress,
        "attempts": asset.processing_attempts,
        "renditions": asset.renditions.count(),
        "failure_reason": asset.failure_reason,
    }


def wait_settled(asset_id: int, timeout: float = 180) -> dict:
    def done():
        state = asset_state(asset_id)
        return state if state["status"] in ("ready", "failed") else None

    return wait_until(done, timeout, 0.5, f"video {asset_id} to settle")


def files_missing(s3, asset_ids: list[int]) -> dict[int, list[str]]:
    """For every ready asset, the files its rows name that are not in the bucket."""
    from media_pipeline.models import VideoAsset

    db()
    client = s3.client()
    missing: dict[int, list[str]] = {}
    for asset in VideoAsset.objects.filter(pk__in=asset_ids, status="ready"):
        keys = set()
        token = None
        while True:
            kwargs = {"Bucket": BUCKET, "Prefix": asset.storage_prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = client.list_objects_v2(**kwargs)
            keys |= {obj["Key"] for obj in page.get("Contents", [])}
            token = page.get("NextContinuationToken")
            if not token:
                break
        names = [asset.hls_master.name, asset.poster.name]
        names += [r.playlist.name for r in asset.renditions.all() if hasattr(r, "playlist")]
        lost = [name for name in names if name and name not in keys]
        if lost or not keys:
            missing[asset.pk] = lost or ["<no files at all>"]
    return missing


# --- Scenarios -------------------------------------------------------------------------------


class Run:
    def __init__(self, args, pg, redis, s3, smtp, product, world, clip):
        self.args, self.pg, self.redis, self.s3, self.smtp = args, pg, redis, s3, smtp
        self.product, self.world, self.clip = product, world, clip
        self.results: dict = {}

    def load(self, learners: int | None = None) -> Load:
        load = Load(self.product.url, self.world, learners or self.args.learners)
        load.start()
        return load

    def heartbeat_counts(self, load: Load) -> dict:
        ids = [p["id"] for p in load.learners]
        stored = stored_receipts(ids) & load.sent
        return {
            "events_sent": len(load.sent),
            "events_acknowledged": len(load.acknowledged),
            "events_stored": len(stored),
            "events_lost": len(load.sent - stored),
            "acknowledged_not_stored": len(load.acknowledged - stored),
            "outcomes": dict(load.outcomes),
            "batches_unanswered_at_end": load.pending_batches,
        }

    def sockets(self, load: Load, after: float) -> dict:
        return {
            "connects_per_socket": sorted(load.ws_connects.values()),
            "open_at_end": sum(1 for v in load.ws_open.values() if v),
            "pushed_to_after_recovery": sum(
                1 for pk in load.ws_open if load.ws_last_message.get(pk, -1) > after
            ),
            "sockets": len(load.learners),
        }

    # Every outage scenario has the same shape: load, warm-up, fault, recovery, cool-down.
    def _outage(self, name: str, stop, start, down_for: float) -> dict:
        load = self.load()
        rss_before = self.product.rss_mb()
        time.sleep(6)
        fault_start = now()
        log(f"{name}: stopping")
        stop()
        time.sleep(down_for)
        log(f"{name}: starting again")
        start()
        restored = now()
        back = ready_again(load, restored)
        log(f"{name}: ready again {back - restored:.2f} s after the restart")
        time.sleep(8)
        load.stop()
        window = (fault_start, back)
        return {
            "window": {"start": fault_start, "restored": restored, "ready": back},
            "down_seconds": round(restored - fault_start, 2),
            "heartbeats": self.heartbeat_counts(load),
            "responses": load.statuses([window]),
            "server_errors": load.server_errors([window]),
            "readyz_during_fault": readyz_during(load, fault_start, restored),
            "websockets": self.sockets(load, back),
            "rss_mb": {"before": rss_before, "after": self.product.rss_mb()},
        }

    def scenario_redis(self) -> dict:
        return self._outage("redis", self.redis.stop, self.redis.start, 8)

    def scenario_postgres(self) -> dict:
        loaded = self._outage("postgres", self.pg.stop, self.pg.start, 6)
        return {"under_load": loaded, "quiet_restart": self.quiet_postgres_restart()}

    def quiet_postgres_restart(self) -> dict:
        """No request meets the outage: every pooled connection is stale when traffic comes
        back, so the first requests show whether the pool hands out dead connections."""
        import httpx

        person = self.world["learners"][0]
        headers = {"Authorization": f"Bearer {person['token']}"}
        url = f"{self.product.url}/api/v2/me/enrollments/"

        def burst(n: int) -> Counter:
            with concurrent_pool(n) as pool:
                futures = [
                    pool.submit(httpx.get, url, headers=headers, timeout=15) for _ in range(n)
                ]
                return Counter(f.result().status_code for f in futures)

        warm = burst(8)  # several connections in the pool
        self.pg.stop("fast")
        self.pg.start()
        log("postgres (quiet): restarted with no traffic; now 8 concurrent, then 12 in a row")
        after = burst(8)
        after.update(httpx.get(url, headers=headers, timeout=15).status_code for _ in range(12))
        return {"warm": dict(warm), "after_restart": dict(after)}

    def scenario_kill_transcode(self) -> dict:
        asset_id, failure = upload(
            self.product.url, self.world["instructor_token"], self.clip, "Kill me"
        )
        assert failure is None, failure

        def transcoding():
            state = asset_state(asset_id)
            return state["status"] == "processing" and 0 < state["progress"] < 90

        wait_until(transcoding, 120, 0.05, "the transcode to start")
        victim = self.product.pool_child("media")
        mid = asset_state(asset_id)
        log(f"kill-transcode: SIGKILL pool process {victim} at progress {mid['progress']}")
        kill_tree(victim)
        state = wait_settled(asset_id)
        missing = files_missing(self.s3, [asset_id])
        return {
            "killed_at_progress": mid["progress"],
            "final": state,
            "expected": {"status": "ready", "attempts": 2, "renditions": 2},
            "ready_without_files": missing,
            "replacement_pool_process": self.product.pool_child("media") not in (None, victim),
        }

    def scenario_kill_email(self) -> dict:
        import httpx

        self.smtp.hold = 3.0
        self.smtp.holding.clear()
        before = len(self.smtp.delivered)
        addresses = [f"faults-signup-{uuid.uuid4().hex[:8]}@example.com" for _ in range(3)]
        statuses = []
        for address in addresses:
            response = httpx.post(
                f"{self.product.url}/api/v2/auth/register/",
                json={"email": address, "password": "a-Long-and-unusual-pass-42"},
                timeout=30,
            )
            statuses.append(response.status_code)
        if not self.smtp.holding.wait(60):
            raise RuntimeError("no email reached the SMTP sink")
        victim = self.product.pool_child("tasks")
        log(f"kill-email: SIGKILL pool process {victim} while the sink holds a message")
        kill_tree(victim)
        self.smtp.hold = 0.0

        def all_delivered():
            got = Counter(to for to, _ in self.smtp.delivered[before:])
            return all(got[a] >= 1 for a in addresses)

        wait_until(all_delivered, 120, 0.2, "every verification email")
        time.sleep(5)  # a duplicate would arrive now
        got = Counter(to for to, _ in self.smtp.delivered[before:])
        return {
            "register_statuses": statuses,
            "emails_per_address": [got[a] for a in addresses],
            "expected_per_address": 1,
            "aborted_deliveries": self.smtp.aborted,
        }

    def scenario_s3(self) -> dict:
        import httpx

        token = self.world["instructor_token"]
        headers = {"Authorization": f"Bearer {token}"}
        # A ready video to play while the bucket is away.
        ready_id, failure = upload(self.product.url, token, self.clip, "Plays")
        assert failure is None, failure
        assert wait_settled(ready_id)["status"] == "ready"
        # An upload whose processing will meet the outage.
        pending_id, failure = upload(self.product.url, token, self.clip, "Meets the outage")
        assert failure is None, failure
        load = self.load(2)
        time.sleep(3)
        fault_start = now()
        log("s3: stopping")
        self.s3.stop()
        during_upload_id, upload_failure = upload(self.product.url, token, self.clip, "During")
        playback = httpx.get(
            f"{self.product.url}/api/v2/media/videos/{ready_id}/playback/",
            headers=headers,
            timeout=30,
        )
        segment_fetch = None
        if playback.status_code == 200:
            try:
                segment_fetch = httpx.get(playback.json()["hls_url"], timeout=10).status_code
            except httpx.HTTPError as exc:
                segment_fetch = type(exc).__name__
        mid_state = asset_state(pending_id)
        time.sleep(8)
        log("s3: starting again")
        self.s3.start()
        restored = now()
        back = ready_again(load, restored)
        settled_pending = wait_settled(pending_id)
        settled_during = (
            wait_settled(during_upload_id) if during_upload_id and not upload_failure else None
        )
        during_state = asset_state(during_upload_id) if during_upload_id else None
        time.sleep(3)
        load.stop()
        ids = [i for i in (ready_id, pending_id, during_upload_id) if i]
        window = (fault_start, back)
        return {
            "window": {"start": fault_start, "restored": restored, "ready": back},
            "upload_during_outage": upload_failure,
            "playback_during_outage": {
                "status": playback.status_code,
                "body": playback.json() if playback.status_code != 200 else "signed URLs",
                "master_playlist_fetch": segment_fetch,
            },
            "processing_during_outage": mid_state,
            "processing_after": settled_pending,
            "upload_during_outage_after": settled_during or during_state,
            "ready_without_files": files_missing(self.s3, ids),
            "readyz_during_fault": readyz_during(load, fault_start, restored),
            "server_errors": load.server_errors([window]),
            "heartbeats": self.heartbeat_counts(load),
        }

    def scenario_soak(self) -> dict:
        import httpx

        seconds = self.args.soak_seconds
        rng = random.Random(self.args.seed)
        load = self.load()
        rss_samples = [(now(), self.product.rss_mb())]
        windows: list[tuple[float, float]] = []
        faults: list[dict] = []
        assets: list[int] = []
        transcode_kills = 0
        signups: list[str] = []
        delivered_before = len(self.smtp.delivered)
        time.sleep(10)
        started = now()
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            time.sleep(rng.uniform(8, 18))
            rss_samples.append((now(), self.product.rss_mb()))
            if time.monotonic() > ends - 5:
                break
            if self.args.no_faults:
                continue
            kind = rng.choice(["redis", "postgres", "s3", "kill-transcode", "kill-email"])
            fault = {"kind": kind, "start": now()}
            if kind in ("redis", "postgres", "s3"):
                down = rng.uniform(3, 10)
                stop, start = {
                    "redis": (self.redis.stop, self.redis.start),
                    "postgres": (self.pg.stop, self.pg.start),
                    "s3": (self.s3.stop, self.s3.start),
                }[kind]
                stop()
                time.sleep(down)
                start()
                fault["restored"] = now()
                try:
                    fault["ready"] = ready_again(load, fault["restored"])
                except RuntimeError as exc:
                    fault["ready"] = None
                    fault["error"] = str(exc)
                windows.append((fault["start"], fault["ready"] or now()))
            elif kind == "kill-transcode":
                asset_id, failure = upload(
                    self.product.url, self.world["instructor_token"], self.clip, f"Soak {now()}"
                )
                if asset_id and not failure:
                    assets.append(asset_id)
                if failure:
                    fault["upload_failure"] = failure
                else:
                    time.sleep(rng.uniform(1, 4))
                    victim = self.product.pool_child("media")
                    if victim:
                        kill_tree(victim)
                        transcode_kills += 1
                        fault["state_at_kill"] = asset_state(asset_id)
            else:  # a verification email in flight when its worker's pool process dies
                address = f"faults-soak-{uuid.uuid4().hex[:8]}@example.com"
                signups.append(address)
                self.smtp.hold = 2.0
                self.smtp.holding.clear()
                fault["register"] = httpx.post(
                    f"{self.product.url}/api/v2/auth/register/",
                    json={"email": address, "password": "a-Long-and-unusual-pass-42"},
                    timeout=30,
                ).status_code
                fault["caught_in_flight"] = self.smtp.holding.wait(20)
                victim = self.product.pool_child("tasks")
                if victim:
                    kill_tree(victim)
                self.smtp.hold = 0.0
            faults.append(fault)
            log(f"soak: {fault}")
        load.stop()
        settled = {i: wait_settled(i, timeout=300) for i in assets}
        with contextlib.suppress(RuntimeError):
            wait_until(
                lambda: {to for to, _ in self.smtp.delivered[delivered_before:]} >= set(signups),
                60,
                0.5,
                "the soak's emails",
            )
        emails = Counter(to for to, _ in self.smtp.delivered[delivered_before:])
        rss_samples.append((now(), self.product.rss_mb()))
        return {
            "seconds": seconds,
            "seed": self.args.seed,
            "faults": faults,
            "fault_counts": dict(Counter(f["kind"] for f in faults)),
            "heartbeats": self.heartbeat_counts(load),
            "responses": load.statuses(windows),
            "server_errors": load.server_errors(windows),
            "websockets": self.sockets(load, windows[-1][1] if windows else started),
            "emails": {
                "signups": len(signups),
                "emails_per_address": [emails[a] for a in signups],
            },
            "videos": {
                "uploaded": len(assets),
                "transcode_kills": transcode_kills,
                "final": Counter(s["status"] for s in settled.values()),
                "attempts": [s["attempts"] for s in settled.values()],
                "renditions": [s["renditions"] for s in settled.values()],
                "failures": [s["failure_reason"] for s in settled.values() if s["failure_reason"]],
                "ready_without_files": files_missing(self.s3, assets),
            },
            "rss_mb": {
                "samples": rss_samples[:: max(1, len(rss_samples) // 12)] + rss_samples[-1:]
            },
        }


SCENARIOS = ["kill-transcode", "kill-email", "redis", "postgres", "s3", "soak"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--learners", type=int, default=8)
    parser.add_argument("--soak-seconds", type=float, default=180)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument(
        "--no-faults", action="store_true", help="soak without faults (a baseline for memory)"
    )
    parser.add_argument("--out", default=str(ROOT / "var" / "bench-faults" / "results.json"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    chosen = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    root = Path(tempfile.mkdtemp(prefix="unpuzzle-faults-"))
    os.chmod(root, 0o755)
    sys.path.insert(0, str(ROOT))
    from tests.support.postgres import PrivatePostgres, server_binaries

    if server_binaries() is None:
        sys.exit("PostgreSQL server binaries not found (set PG_BIN to the folder of pg_ctl)")
    pg = PrivatePostgres(root / "pg", server_binaries())
    redis, s3, smtp = PrivateRedis(), PrivateS3(), SmtpSink()
    product = None
    started_at = datetime.now(UTC)
    try:
        log(f"private services under {root}")
        pg.init()
        pg.start()
        pg.create_database("unpuzzle_faults")
        redis.start()
        s3.start()
        s3.client().create_bucket(Bucket=BUCKET)
        smtp.start()
        env = dict(os.environ)
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings.local",
            DEBUG="false",
            LOG_LEVEL="WARNING",
            DATABASE_URL=pg.url("unpuzzle_faults"),
            REDIS_URL=f"redis://127.0.0.1:{redis.port}/0",
            AWS_STORAGE_BUCKET_NAME=BUCKET,
            AWS_S3_ENDPOINT_URL=s3.endpoint,
            AWS_ACCESS_KEY_ID="faults",
            AWS_SECRET_ACCESS_KEY="faults",
            AWS_S3_REGION_NAME="us-east-1",
            AWS_MAX_ATTEMPTS="1",
            EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
            VAR_DIR=str(root / "var"),
            JWT_ACCESS_MINUTES="120",
            MEDIA_X264_PRESET="faster",
            MEDIA_HLS_SEGMENT_SECONDS="2",
            MEDIA_STORAGE_RETRY_BACKOFF_SECONDS="3",
            MEDIA_STORAGE_MAX_RETRIES="6",
            READINESS_TIMEOUT_SECONDS="1",
        )
        env.pop("CELERY_BROKER_URL", None)
        (root / "var" / "static").mkdir(parents=True)
        os.environ.update(env)
        os.environ["DATABASE_POOL"] = "false"  # this process only counts; no pool to recover
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        log("migrating and seeding")
        world = seed(args.learners)
        from media_pipeline import ffmpeg

        clip = ffmpeg.generate_test_clip(
            root / "clip.mp4",
            seconds=5,
            size="1280x720",
            tone_hz=440,
            encode=(
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
            ),
        )
        product = Product(env)
        product.start()
        log(f"product on {product.url}")
        run = Run(args, pg, redis, s3, smtp, product, world, clip)
        for name in chosen:
            log(f"--- {name}")
            began = time.monotonic()
            try:
                result = getattr(run, "scenario_" + name.replace("-", "_"))()
            except Exception as exc:  # keep going: one scenario's failure is a finding too
                result = {"error": f"{type(exc).__name__}: {exc}"}
            result["duration_seconds"] = round(time.monotonic() - began, 1)
            run.results[name] = result
            log(json.dumps(result, default=str)[:3000])
        report = {
            "started_at": started_at.isoformat(),
            "commit": subprocess.run(
                ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
            ).stdout.strip(),
            "command": " ".join(sys.argv),
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "kernel": platform.release(),
                "load_average_at_end": os.getloadavg(),
            },
            "learners": args.learners,
            "results": run.results,
            "total_seconds": round(time.monotonic() - T0, 1),
        }
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(report, indent=2, default=str))
        log(f"results in {out}")
    finally:
        if product:
            product.stop()
        with contextlib.suppress(Exception):
            redis.stop()
        with contextlib.suppress(Exception):
            s3.stop()
        with contextlib.suppress(Exception):
            pg.stop("immediate")
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
        else:
            log(f"kept {root}")


if __name__ == "__main__":
    main()
