"""Back up and restore the product's state: the database, every file storage (public media,
videos, certificates) and the certificate signing key.

A backup is a folder::

    manifest.json        what is inside: when, which database, row counts per table, files
    database.dump        PostgreSQL: ``pg_dump --format=custom`` (restored with ``pg_restore``)
    database.sqlite3     the embedded default: SQLite's online backup
    storages/<alias>/…   every file of each distinct storage, under its own name
    keys/…               the certificate signing key file, when the key comes from a file

``backup`` reads a running stack without stopping it (``pg_dump`` takes one consistent
snapshot; files are copied after it, so a file may exist without its row, never a row
without its file except for uploads that start during the copy). ``restore`` only writes into
an empty database and refuses otherwise, then checks the restored row counts against the
manifest.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import storages
from django.db import connection, transaction
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
BACKED_UP_STORAGES = ("default", "videos", "certificates")


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    folder: Path
    tables: dict[str, int]
    files: int
    bytes: int


# --- Database --------------------------------------------------------------------------------


def _pg_env_and_args() -> tuple[dict[str, str], list[str]]:
    db = connection.settings_dict
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    return env, args


def _run(command: list[str], env: dict[str, str]) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(
            f"{command[0]} is not installed: install the PostgreSQL client tools "
            "(Debian: postgresql-client) at the server's major version."
        )
    # The command is ours; only the database settings vary.
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _count(cursor, tables, quote) -> dict[str, int]:
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 (known names)
        counts[table] = cursor.fetchone()[0]
    return counts


def table_counts() -> dict[str, int]:
    """Rows per table of the product's database (every table in it)."""
    tables = sorted(connection.introspection.table_names(include_views=False))
    with connection.cursor() as cursor:
        return _count(cursor, tables, connection.ops.quote_name)


def _dump_database(folder: Path) -> tuple[str, dict[str, int]]:
    """Dump the database; returns the file and the row counts of exactly what was dumped."""
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        # Count and dump one snapshot: pg_dump joins the counting transaction's snapshot, so
        # writes that go on meanwhile are in neither.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            counts = table_counts()
            dump = [*("--snapshot", snapshot), *("--file", str(folder / PG_DUMP))]
            _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", *args, *dump], env)
        return PG_DUMP, counts
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(folder / SQLITE_COPY)
        try:
            connection.connection.backup(target)
            names = target.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            ).fetchall()
            counts = _count(target.cursor(), [name for (name,) in names], connection.ops.quote_name)
        finally:
            target.close()
        return SQLITE_COPY, counts
    raise BackupError(f"Backups of {connection.vendor} databases are not supported.")


def _restore_database(folder: Path, dump: str) -> None:
    if table_counts().get("django_migrations"):
        raise BackupError(
            "The target database is not empty (it has applied migrations). Restore into a new, "
            "empty database: create it, point DATABASE_URL at it, run restore before migrate."
        )
    if connection.vendor == "postgresql":
        if dump != PG_DUMP:
            raise BackupError("This backup holds a SQLite database; the target is PostgreSQL.")
        env, args = _pg_env_and_args()
        connection.close()
        flags = ["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction"]
        _run(["pg_restore", *flags, *args, str(folder / PG_DUMP)], env)
        return
    if connection.vendor == "sqlite":
        if dump != SQLITE_COPY:
            raise BackupError("This backup holds a PostgreSQL dump; the target is SQLite.")
        connection.ensure_connection()
        source = sqlite3.connect(folder / SQLITE_COPY)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    raise BackupError(f"Restoring into {connection.vendor} databases is not supported.")


# --- Files -----------------------------------------------------------------------------------


def _distinct_storages() -> dict[str, object]:
    """Each configured storage once: aliases configured alike (videos and certificates on the
    embedded default) share their files."""
    seen: dict[str, str] = {}
    chosen = {}
    for alias in BACKED_UP_STORAGES:
        if alias not in settings.STORAGES:
            continue
        key = json.dumps(settings.STORAGES[alias], sort_keys=True, default=str)
        if key in seen:
            continue
        seen[key] = alias
        chosen[alias] = storages[alias]
    return chosen


def _walk(store, prefix: str = ""):
    try:
        folders, files = store.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for folder in sorted(folders):
        yield from _walk(store, f"{prefix}{folder}/")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_storages_out(folder: Path) -> list[dict]:
    entries = []
    for alias, store in _distinct_storages().items():
        for name in _walk(store):
            target = folder / "storages" / alias / name
            target.parent.mkdir(parents=True, exist_ok=True)
            with store.open(name, "rb") as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
            entries.append(
                {
                    "storage": alias,
                    "name": name,
                    "size": target.stat().st_size,
                    "sha256": _sha256(target),
                }
            )
    return entries


def _copy_storages_in(folder: Path, entries: list[dict]) -> None:
    for entry in entries:
        store = storages[entry["storage"]]
        source = folder / "storages" / entry["storage"] / entry["name"]
        if _sha256(source) != entry["sha256"]:
            raise BackupError(f"{source} does not match its checksum: the backup is damaged.")
        if store.exists(entry["name"]):
            store.delete(entry["name"])
        with source.open("rb") as handle:
            saved = store.save(entry["name"], File(handle))
        if saved != entry["name"]:
            raise BackupError(f"{entry['name']} was stored as {saved}; restore into empty storage.")


def _key_file() -> Path | None:
    path = Path(getattr(settings, "CERTIFICATE_SIGNING_KEY_FILE", "") or "")
    return path if path.name and path.is_file() else None


# --- Commands --------------------------------------------------------------------------------


def backup(folder: Path) -> Summary:
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; back up into a new folder.")
    folder.mkdir(parents=True, exist_ok=True)
    dump, counts = _dump_database(folder)
    files = _copy_storages_out(folder)
    key = _key_file()
    if key is not None:
        (folder / "keys").mkdir()
        shutil.copy2(key, folder / "keys" / key.name)
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": {"vendor": connection.vendor, "file": dump, "tables": counts},
        "files": files,
        "signing_key": key.name if key is not None else None,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
    return Summary(folder, counts, len(files), sum(entry["size"] for entry in files))


def restore(folder: Path) -> Summary:
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError as exc:
        raise BackupError(f"{folder} holds no {MANIFEST}: not a backup folder.") from exc
    if manifest.get("format") != FORMAT_VERSION:
        raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
    _restore_database(folder, manifest["database"]["file"])
    _copy_storages_in(folder, manifest["files"])
    if manifest.get("signing_key"):
        target = Path(settings.CERTIFICATE_SIGNING_KEY_FILE)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / "keys" / manifest["signing_key"], target)
    expected = manifest["database"]["tables"]
    restored = table_counts()
    different = {
        table: (count, restored.get(table))
        for table, count in expected.items()
        if restored.get(table) != count
    }
    if different:
        raise BackupError(f"Restored row counts differ from the backup: {different}")
    files = manifest["files"]
    return Summary(folder, restored, len(files), sum(entry["size"] for entry in files))
