"""A PostgreSQL cluster of a test's own (``initdb`` + ``pg_ctl`` in a temporary folder, on a
free port), so a test may stop and restart its database without touching anyone else's."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from tests.support.processes import free_port


def server_binaries() -> Path | None:
    """The folder of ``initdb``/``pg_ctl`` (``PG_BIN``, else the newest Debian install)."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(found[-1]).parent if found else None


class PrivatePostgres:
    def __init__(self, root: Path, bindir: Path):
        self.bin = bindir
        self.root = root
        self.data = root / "data"
        self.port = free_port()
        # initdb refuses to run as root: the cluster then belongs to the postgres user.
        self.as_root = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        argv = list(command)
        if self.as_root:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{command[0]} failed:\n{done.stdout}\n{done.stderr}")

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_root:
            shutil.chown(self.root, "postgres")
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=60 -c shared_buffers=32MB"
        )
        log = str(self.root / "server.log")
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", log, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, name: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A running private cluster in a new temporary folder (one the ``postgres`` user can
    reach: pytest's own are private to root); stopped and removed on exit."""
    bindir = server_binaries()
    if bindir is None or not (bindir / "initdb").exists():
        raise RuntimeError("PostgreSQL server binaries are needed (Debian package postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="unpuzzle-pg-"))
    folder.chmod(0o755)
    server = PrivatePostgres(folder / "cluster", bindir)
    try:
        server.init()
        server.start()
        yield server
    finally:
        with contextlib.suppress(RuntimeError):
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
