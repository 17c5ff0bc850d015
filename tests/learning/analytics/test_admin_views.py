"""The "Analytics" menu of the Wagtail admin: the course dashboard shows the rollups'
numbers to the course's instructor, the platform dashboard to reviewers."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

COURSE = "/admin/analytics/course/"
PLATFORM = "/admin/analytics/platform/"
MARCH = "start=2026-03-01&end=2026-03-31"


def denied(response) -> bool:
    """Wagtail answers PermissionDenied in the admin with a redirect to the dashboard."""
    location = response.get("Location", "")
    return response.status_code == 302 and (
        location == "/admin/" or location.startswith("/admin/login/")
    )


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def kpis(html: str) -> dict[str, str]:
    return dict(
        re.findall(r'data-kpi="(\w+)"><span class="value"[^>]*>([^<]*)</span>', unescape(html))
    )


def table(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'id="{table_id}".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", unescape(body), re.S)
    ]


def test_course_dashboard_shows_the_numbers(instructor, other_student, analytics_course):
    client = login(instructor)
    response = client.get(f"{COURSE}?course={analytics_course.pk}&{MARCH}&interval=week")
    assert response.status_code == 200
    html = response.content.decode()
    assert kpis(html) == {
        "learning_now": "0",
        "enrollments_total": "2",
        "completion_rate": "50.0%",
        "enrollments": "2",
        "active_learners": "2",
        "lesson_completions": "2",
        "course_completions": "1",
        "median_days_to_complete": "8.0",
        "watch_seconds": "0",
    }
    assert table(html, "series") == [
        ["2026-02-23", "1", "1", "2", "1", "0"],
        ["2026-03-02", "1", "1", "1", "0", "0"],
        ["2026-03-09", "0", "1", "0", "1", "1"],
        ["2026-03-16", "0", "0", "0", "0", "0"],
        ["2026-03-23", "0", "0", "0", "0", "0"],
        ["2026-03-30", "0", "0", "0", "0", "0"],
    ]
    assert html.count("<rect") >= 12  # the chart: two bars per week, then the heatmap
    assert table(html, "funnel") == [
        ["Video 1", "2", "1", "50.0%", "1"],
        ["Notes", "1", "1", "100.0%", "0"],
    ]
    heat = re.search(r'class="listing heatmap".*?<tbody>(.*?)</tbody>', html, re.S).group(1)
    assert "<td>30-40</td><td>2</td><td>1</td>" in heat
    at_risk = table(html, "at-risk")
    assert len(at_risk) == 1 and other_student.email in at_risk[0][0]
    assert at_risk[0][1:] == ["2026-03-02", "0", "inactive, behind the median pace"]
    assert f"/admin/reports/course-roster/?course={analytics_course.pk}" in html
    assert f"/api/v2/analytics/courses/{analytics_course.pk}/lessons/?format=csv" in html
    assert "analytics/learning_now.js" in html  # served from our static files, no CDN


def test_csv_links_work_with_the_admin_session(instructor, analytics_course):
    client = login(instructor)
    response = client.get(f"/api/v2/analytics/courses/{analytics_course.pk}/lessons/?format=csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_course_dashboard_permissions(
    instructor, other_instructor, student, editor, analytics_course
):
    url = f"{COURSE}?course={analytics_course.pk}"
    assert denied(login(other_instructor).get(url))
    assert denied(login(student).get(url))
    assert login(editor).get(url).status_code == 200
    assert login(instructor).get(f"{COURSE}?course=999999").status_code == 404
    # Without a course: a list of the courses one teaches.
    listing = login(instructor).get(COURSE).content.decode()
    assert f"?course={analytics_course.pk}" in listing


def test_bad_range_shows_a_message(instructor, analytics_course):
    html = (
        login(instructor)
        .get(f"{COURSE}?course={analytics_course.pk}&start=2026-03-10&end=2026-03-01")
        .content.decode()
    )
    assert "The start of the date range is after its end." in html


def test_platform_dashboard(admin_user, instructor, editor, analytics_course):
    assert denied(login(instructor).get(PLATFORM))
    assert login(editor).get(PLATFORM).status_code == 200
    html = login(admin_user).get(f"{PLATFORM}?{MARCH}").content.decode()
    assert kpis(html) == {
        "signups": "0",
        "active_users": "2",
        "enrollments": "2",
        "completions": "1",
        "active_courses": "1",
    }
    assert table(html, "top-courses") == [["Stats", "2", "1"]]


def test_analytics_menu(instructor, editor):
    menu = login(editor).get("/admin/").content.decode()
    assert "/admin/analytics/course/" in menu and "/admin/analytics/platform/" in menu
    menu = login(instructor).get("/admin/").content.decode()
    assert "/admin/analytics/course/" in menu and "/admin/analytics/platform/" not in menu
