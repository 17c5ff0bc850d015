from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops import backup


class Command(BaseCommand):
    help = (
        "Restore a folder written by `backup` into an EMPTY database (run it before migrate) "
        "and the configured storages, then check the row counts against the backup."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A folder written by `manage.py backup`.")

    def handle(self, *args, folder: Path, **options):
        try:
            summary = backup.restore(folder)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(summary.tables.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows in {len(summary.tables)} tables and {summary.files} files "
                f"from {summary.folder}; row counts match the backup."
            )
        )
