"""Backup and restore, round trip through the real commands in separate processes: a stack
with learners, a course, a certificate PDF and public media is backed up, restored into an
empty database and empty storage, and compared row by row count and byte by byte."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import CommandError, call_command
from django.db import connection

from learning.certificates import services as certificate_services
from ops.backup import table_counts
from tests.factories import certificates as certf
from tests.support import processes


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=processes.PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def empty_database(tmp_path):
    """A new, empty database of the same kind as the test database; yields its URL and a
    function that runs one SQL query on it."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"

        def query(sql):
            with sqlite3.connect(path) as db:
                return db.execute(sql).fetchall()

        yield f"sqlite:///{path}", query
        return
    import psycopg

    name = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = processes.database_url({**connection.settings_dict, "NAME": name})

    def query(sql):
        with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as db:
            return db.execute(sql).fetchall()

    try:
        yield url, query
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
@pytest.mark.timeout(600)  # four fresh Django processes and a database dump
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_stack(
    tmp_path, student, instructor, empty_database, monkeypatch
):
    student.first_name, student.last_name = "Ines", "Moreau"
    student.save()
    # The PDF is rendered here, not by the render task issuing queues: in the PostgreSQL run
    # a real worker is up and would write the same file at the same moment.
    monkeypatch.setattr(certificate_services, "_queue_render", lambda certificate: None)
    certificate = certf.issued(student, instructors=[instructor])
    certificate = certificate_services.certificate_render_pdf(certificate_id=certificate.pk)
    pdf_bytes = storages["certificates"].open(certificate.pdf, "rb").read()
    public_name = storages["default"].save("images/cover.png", ContentFile(b"\x89PNG cover"))

    folder = tmp_path / "backup"
    made = manage("backup", str(folder), env=processes.test_database_env())
    assert made.returncode == 0, made.stderr
    manifest = json.loads((folder / "manifest.json").read_text())
    live = table_counts()
    assert manifest["database"]["tables"] == live
    assert manifest["database"]["tables"]["certificates_certificate"] == 1
    backed_up = {(entry["storage"], entry["name"]) for entry in manifest["files"]}
    assert ("default", public_name) in backed_up
    assert any(name == certificate.pdf for _, name in backed_up)

    url, query = empty_database
    restored_var = tmp_path / "restored-var"
    env = processes.base_env(DATABASE_URL=url, VAR_DIR=str(restored_var))
    done = manage("restore", str(folder), env=env)
    assert done.returncode == 0, done.stderr
    assert "row counts match the backup" in done.stdout

    # The restored stack is a working one: nothing left to migrate, the same rows.
    check = manage("migrate", "--check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
    (code, holder, status), *_ = query(
        "SELECT code, holder_name, revoked_at IS NULL FROM certificates_certificate"
    )
    assert (code, holder, status) == (certificate.code, "Ines Moreau", True)
    emails = query(f"SELECT email FROM accounts_user WHERE id = {student.pk}")  # noqa: S608
    assert emails == [(student.email,)]
    for table, count in live.items():
        assert query(f'SELECT COUNT(*) FROM "{table}"') == [(count,)], table  # noqa: S608
    # Files byte for byte, under the same names, in the restored stack's own storage.
    restored_pdf = restored_var / "private-media" / certificate.pdf
    assert restored_pdf.read_bytes() == pdf_bytes
    assert (restored_var / "media" / public_name).read_bytes() == b"\x89PNG cover"

    # A second restore into the now non-empty database is refused and changes nothing.
    again = manage("restore", str(folder), env=env)
    assert again.returncode != 0 and "not empty" in again.stderr
    assert query("SELECT COUNT(*) FROM certificates_certificate") == [(1,)]


@pytest.mark.django_db
def test_backup_refuses_a_folder_that_is_not_empty(tmp_path):
    folder = tmp_path / "used"
    folder.mkdir()
    (folder / "something").write_text("keep me")
    with pytest.raises(CommandError, match="not empty"):
        call_command("backup", str(folder))
    assert [path.name for path in folder.iterdir()] == ["something"]


@pytest.mark.django_db
def test_restore_of_a_folder_that_is_not_a_backup_is_refused(tmp_path):
    with pytest.raises(CommandError, match="not a backup folder"):
        call_command("restore", str(tmp_path))
