"""A BRIN index on the event timestamp, on PostgreSQL.

The log is append-only and rows arrive in (nearly) timestamp order, so a block-range index
finds one day's events (what the day rollups read) at a fraction of a B-tree's size: a few
hundred kilobytes for ten million rows (see bench/analytics/REPORT.md). SQLite, the embedded
default, has no BRIN and its logs are small; it gets nothing.
"""

from django.db import migrations

INDEX = "analytics_event_timestamp_brin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON analytics_learningevent "
            "USING brin (timestamp) WITH (pages_per_range = 32)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_xapi_forwarding")]

    operations = [migrations.RunPython(create, drop)]
