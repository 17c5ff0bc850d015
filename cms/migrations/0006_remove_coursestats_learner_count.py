"""The learner counter now lives in enrollment (``enrollment.CourseEnrollmentStats``), which
copied the numbers first; reversing re-adds the column and enrollment copies them back."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0005_course_access_days"),
        ("enrollment", "0004_course_enrollment_stats"),
    ]

    operations = [
        migrations.RemoveField(model_name="coursestats", name="learner_count"),
    ]
