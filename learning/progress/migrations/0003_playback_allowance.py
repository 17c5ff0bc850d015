"""One playback allowance per learner instead of one per lesson progress row.

Learners who already have progress get an empty allowance that refills from the migration
on; the per-row allowances are dropped (they only ever held under a minute of credit).
Reversible: going back re-adds empty per-row allowances and drops the per-learner table.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def allowances_create(apps, schema_editor):
    LessonProgress = apps.get_model("progress", "LessonProgress")
    PlaybackAllowance = apps.get_model("progress", "PlaybackAllowance")
    now = django.utils.timezone.now()
    users = LessonProgress.objects.values_list("user_id", flat=True).distinct().order_by()
    batch = []
    for user_id in users.iterator(chunk_size=2000):
        batch.append(PlaybackAllowance(user_id=user_id, balance=0.0, refilled_at=now))
        if len(batch) >= 2000:
            PlaybackAllowance.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    PlaybackAllowance.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0002_receipt_user_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="PlaybackAllowance",
            fields=[
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="playback_allowance",
                        serialize=False,
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("balance", models.FloatField(default=0.0)),
                ("refilled_at", models.DateTimeField()),
            ],
        ),
        migrations.RunPython(allowances_create, migrations.RunPython.noop, elidable=True),
        migrations.RemoveField(model_name="lessonprogress", name="allowance"),
        migrations.RemoveField(model_name="lessonprogress", name="allowance_at"),
        migrations.AlterField(
            model_name="lessonprogress",
            name="started_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When the learner started the lesson; watching is credited from here.",
            ),
        ),
    ]
