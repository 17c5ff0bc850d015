"""The weekly course report: last week's numbers from the rollups to the course's
instructors, once per week, and not to those who opted out."""

from __future__ import annotations

from datetime import date

import pytest

from learning.analytics import reports
from learning.notifications import services as notifications
from learning.notifications.models import Notification

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 3, 16)  # the week before: 9 to 15 March


def test_weekly_report_numbers_once_per_week(
    instructor,
    analytics_course,
    mailoutbox,
    django_capture_on_commit_callbacks,
    run_tasks_in_process,
):
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.weekly_reports_send(today=MONDAY) == 1
    note = Notification.objects.get(recipient=instructor, kind=reports.KIND)
    assert note.title == "Stats: your week in numbers"
    # 9 March: the student completed the course; the other student, idle since 2 March, is
    # at risk.
    assert note.body.startswith(
        "Week of 2026-03-09: 0 new enrollments, 1 completions, 1 active learners; "
        "1 learners at risk. Course dashboard: "
    )
    assert note.target_url.endswith(f"/admin/analytics/course/?course={analytics_course.pk}")
    assert [m.to for m in mailoutbox] == [[instructor.email]]
    assert "1 learners at risk" in mailoutbox[0].body
    # The beat job running twice sends nothing twice.
    with django_capture_on_commit_callbacks(execute=True):
        assert reports.weekly_reports_send(today=MONDAY) == 0
    assert len(mailoutbox) == 1


def test_instructors_can_opt_out(instructor, analytics_course, mailoutbox, run_tasks_in_process):
    notifications.preferences_update(
        user=instructor, changes=[{"kind": reports.KIND, "in_app": False, "email": "off"}]
    )
    assert reports.weekly_reports_send(today=MONDAY) == 0
    assert not Notification.objects.filter(kind=reports.KIND).exists()
    assert mailoutbox == []
