"""Course staff follows the latest revision: a table of the instructors each course's latest
revision lists (draft or live), filled from those revisions (the live list when a course has
none). Idempotent; reversing drops the table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    CoursePage = apps.get_model("cms", "CoursePage")
    CourseInstructor = apps.get_model("cms", "CourseInstructor")
    CourseStaff = apps.get_model("cms", "CourseStaff")
    Revision = apps.get_model("wagtailcore", "Revision")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    for course in CoursePage.objects.all().only("pk", "latest_revision_id"):
        users = None
        if course.latest_revision_id:
            revision = Revision.objects.filter(pk=course.latest_revision_id).first()
            listed = (revision.content or {}).get("course_instructors") if revision else None
            if listed is not None:
                users = {row.get("user") for row in listed if row.get("user")}
        if users is None:
            users = set(
                CourseInstructor.objects.filter(course_id=course.pk).values_list(
                    "user_id", flat=True
                )
            )
        users = set(User.objects.filter(pk__in=users).values_list("pk", flat=True))
        CourseStaff.objects.bulk_create(
            [CourseStaff(course_id=course.pk, user_id=user_id) for user_id in sorted(users)],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0006_remove_coursestats_learner_count"),
        ("wagtailcore", "0098_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="CourseStaff",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="staff",
                        to="cms.coursepage",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="course_staff_of",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "course staff",
                "constraints": [
                    models.UniqueConstraint(fields=("course", "user"), name="course_staff_unique")
                ],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
