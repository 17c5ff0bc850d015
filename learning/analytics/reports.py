"""The weekly course report to instructors: last week's enrollments, completions, active
learners and learners at risk, with a link to the course dashboard.

Sent through the notifications app as the kind ``course_weekly_report`` (in the app and by
email), so each instructor turns it off like any other kind: in their notification
preferences or with the email's unsubscribe link. One per instructor, course and week
(``dedupe_key``): a re-run of the beat job sends nothing twice.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.urls import reverse

from learning.analytics import periods, selectors

KIND = "course_weekly_report"


def register_kind() -> None:
    from learning.notifications.registry import Audience, Channel, NotificationKind, register

    register(
        NotificationKind(
            KIND,
            "Weekly course report",
            title="{course_title}: your week in numbers",
            body=(
                "Week of {week}: {enrollments} new enrollments, {completions} completions, "
                "{active} active learners; {at_risk} learners at risk. "
                "Course dashboard: {url}"
            ),
            audience=Audience.STAFF,
            email=Channel.IMMEDIATE,
            description="Every Monday, last week's figures of each course you teach.",
        )
    )


def week_before(today: date) -> periods.Period:
    """Monday to Sunday of the last complete week before ``today``."""
    monday = today - timedelta(days=today.weekday() + 7)
    return periods.Period(start=monday, end=monday + timedelta(days=6), interval="week", tz="UTC")


def weekly_reports_send(*, today: date | None = None) -> int:
    """Notify the instructors of every course with learners of last week's figures (from the
    rollups). Returns how many notifications were created."""
    from cms.models import CoursePage, CourseStaff
    from learning.enrollment.models import Enrollment
    from learning.notifications.services import Target, notify

    today = today or periods.today_in("UTC")
    span = week_before(today)
    staff: dict[int, list[int]] = {}
    for course_id, user_id in CourseStaff.objects.values_list("course_id", "user_id"):
        staff.setdefault(course_id, []).append(user_id)
    with_learners = set(
        Enrollment.objects.current()
        .filter(course_id__in=list(staff))
        .values_list("course_id", flat=True)
        .distinct()
    )
    sent = 0
    dashboard = reverse("analytics_admin:course")
    for course in CoursePage.objects.filter(pk__in=with_learners).order_by("pk"):
        overview = selectors.course_overview(course, span)
        at_risk = len(selectors.course_learners(course, today=today, at_risk_only=True))
        url = f"{settings.SITE_URL}{dashboard}?course={course.pk}"
        sent += len(
            notify(
                recipients=staff[course.pk],
                kind=KIND,
                context={
                    "course_title": course.title,
                    "week": span.start.isoformat(),
                    "enrollments": overview["enrollments"],
                    "completions": overview["course_completions"],
                    "active": overview["active_learners"],
                    "at_risk": at_risk,
                    "url": url,
                },
                target=Target(type="course_analytics", id=course.pk, url=url),
                course_id=course.pk,
                dedupe_key=f"{KIND}:{course.pk}:{span.start.isoformat()}",
                data={"week": span.start.isoformat(), "at_risk": at_risk},
            )
        )
    return sent
