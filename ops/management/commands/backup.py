from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops import backup


class Command(BaseCommand):
    help = (
        "Back up the database, every file storage and the certificate signing key into a new "
        "folder (see ops/backup.py). Safe on a running stack."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A new (or empty) folder to write into.")

    def handle(self, *args, folder: Path, **options):
        try:
            summary = backup.backup(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(summary.tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows} rows in {len(summary.tables)} tables and {summary.files} "
                f"files ({summary.bytes} bytes) into {summary.folder}"
            )
        )
