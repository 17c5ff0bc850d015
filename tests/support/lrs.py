"""A real Learning Record Store for tests: ralph-malph from its own virtualenv (``make lrs``,
part of ``make install-dev``), started and stopped by the test (outages included)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx

from tests.support.processes import free_port

ROOT = Path(__file__).resolve().parents[2]
LRS_PYTHON = ROOT / os.environ.get("LRS_VENV", ".venv-lrs") / "bin" / "python"
LRS_BIN = LRS_PYTHON.parent
USERNAME, PASSWORD = "unpuzzle", "lrs-test-secret"


class RalphLRS:
    """``start()``/``stop()`` the server on one port and one statements folder; ``url`` is
    the xAPI base URL; ``statements()`` reads what it stored, in the order it stored it."""

    def __init__(self, folder: Path) -> None:
        if not LRS_PYTHON.exists():
            raise RuntimeError(f"{LRS_PYTHON} is missing: run `make lrs` (or make install-dev)")
        self.folder = folder
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        self.proc: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "RALPH_APP_DIR": str(folder / "app"),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder / "data"),
        }
        (folder / "data").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [str(LRS_BIN / "ralph"), "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all",
             "-A", USERNAME, "http://unpuzzle.test", "-w"],
            env=self.env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip

    def start(self, timeout: float = 30) -> None:
        script = ROOT / "tests" / "support" / "ralph_lrs.py"
        self.proc = subprocess.Popen(
            [str(LRS_PYTHON), str(script), "127.0.0.1", str(self.port)],
            env=self.env,
            cwd=self.folder,
            stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "server.log", "ab"),  # noqa: SIM115
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError((self.folder / "server.log").read_text()[-2000:])
            try:
                httpx.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the LRS did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def statements(self) -> list[dict]:
        path = self.folder / "data" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
