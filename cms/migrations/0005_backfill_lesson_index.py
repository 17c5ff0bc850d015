"""Fill the lesson index of courses published before it existed. Idempotent (a refresh of
each live course); nothing to undo on the way back (the index table goes with 0004)."""

from django.db import migrations


def backfill(apps, schema_editor):
    # The index is derived from StreamField content, which only the real models can read.
    from cms.models import CoursePage
    from cms.services import course_stats_refresh

    for course in CoursePage.objects.all():
        course_stats_refresh(course=course)


class Migration(migrations.Migration):
    dependencies = [("cms", "0004_lesson_index")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
