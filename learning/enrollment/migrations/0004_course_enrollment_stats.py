"""Enrollment owns its counter and seat lock: ``cms.CourseStats.learner_count`` moves to
``enrollment.CourseEnrollmentStats`` with its numbers (and back on reversal)."""

import django.db.models.deletion
from django.db import migrations, models


def copy_counts_in(apps, schema_editor):
    CourseStats = apps.get_model("cms", "CourseStats")
    CourseEnrollmentStats = apps.get_model("enrollment", "CourseEnrollmentStats")
    for course_id, count in CourseStats.objects.values_list("course_id", "learner_count"):
        CourseEnrollmentStats.objects.update_or_create(
            course_id=course_id, defaults={"learner_count": count}
        )


def copy_counts_back(apps, schema_editor):
    CourseStats = apps.get_model("cms", "CourseStats")
    CourseEnrollmentStats = apps.get_model("enrollment", "CourseEnrollmentStats")
    for course_id, count in CourseEnrollmentStats.objects.values_list("course_id", "learner_count"):
        CourseStats.objects.update_or_create(course_id=course_id, defaults={"learner_count": count})


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_course_access_days"),
        ("enrollment", "0003_enrollment_expiry"),
    ]

    operations = [
        migrations.CreateModel(
            name="CourseEnrollmentStats",
            fields=[
                (
                    "course",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="enrollment_stats",
                        serialize=False,
                        to="cms.coursepage",
                    ),
                ),
                ("learner_count", models.PositiveIntegerField(default=0)),
            ],
            options={"verbose_name_plural": "course enrollment stats"},
        ),
        migrations.RunPython(copy_counts_in, copy_counts_back),
    ]
