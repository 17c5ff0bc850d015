"""Course analytics over the scripted March of ``analytics_course``: exact figures, intervals,
time zones at day boundaries, CSV, bad input and query budgets."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.models import CourseLesson
from learning.analytics import periods
from learning.enrollment.models import Enrollment
from tests.factories import UserFactory
from tests.factories import learning as lf
from tests.factories.analytics import at

pytestmark = pytest.mark.django_db

MARCH = "?start=2026-03-01&end=2026-03-31"


def url(course, path: str) -> str:
    return f"/api/v2/analytics/courses/{course.pk}/{path}"


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv"), response.content
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_overview_figures(as_user, instructor, other_student, analytics_course):
    client = as_user(instructor)
    body = client.get(url(analytics_course, "overview/") + MARCH).json()
    assert {k: v for k, v in body.items() if k not in ("title", "course_id")} == {
        "start": "2026-03-01",
        "end": "2026-03-31",
        "enrollments_total": 2,
        "completions_total": 1,
        "completion_rate": 50.0,
        "enrollments": 2,
        "active_learners": 2,
        "lesson_starts": 3,
        "lesson_completions": 2,
        "course_completions": 1,
        "median_days_to_complete": 8.0,  # 1 March 09:00 to 9 March 10:00
        "watch_seconds": 0,  # the progress rows changed today, not in March
        "learning_now": 0,
    }
    # Heartbeats touch the enrollment: a minute ago is "now", three minutes ago is not.
    enrollment = Enrollment.objects.get(user=other_student, course=analytics_course)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        last_activity_at=timezone.now() - timedelta(seconds=60)
    )
    assert client.get(url(analytics_course, "overview/")).json()["learning_now"] == 1
    assert client.get(url(analytics_course, "live/")).json() == {
        "course_id": analytics_course.pk,
        "learning_now": 1,
    }
    Enrollment.objects.filter(pk=enrollment.pk).update(
        last_activity_at=timezone.now() - timedelta(seconds=180)
    )
    assert client.get(url(analytics_course, "overview/")).json()["learning_now"] == 0


FIELDS = ("enrollments", "active_learners", "lesson_starts", "lesson_completions")


def series(client, course, query: str) -> list[tuple]:
    response = client.get(url(course, "timeseries/") + query)
    assert response.status_code == 200, response.content
    return [
        (row["period"], *(row[f] for f in FIELDS), row["course_completions"])
        for row in response.json()["results"]
    ]


def test_timeseries_by_day_week_and_month(as_user, instructor, analytics_course):
    client = as_user(instructor)
    days = series(client, analytics_course, "?start=2026-02-28&end=2026-03-03")
    assert days == [
        ("2026-02-28", 0, 0, 0, 0, 0),
        ("2026-03-01", 1, 1, 2, 1, 0),  # the 23:30 UTC start is 1 March
        ("2026-03-02", 1, 1, 1, 0, 0),
        ("2026-03-03", 0, 0, 0, 0, 0),
    ]
    # 1 March 2026 is a Sunday: its week started on 23 February.
    weeks = series(client, analytics_course, "?start=2026-03-01&end=2026-03-14&interval=week")
    assert weeks == [
        ("2026-02-23", 1, 1, 2, 1, 0),
        ("2026-03-02", 1, 1, 1, 0, 0),
        ("2026-03-09", 0, 1, 0, 1, 1),
    ]
    months = series(client, analytics_course, MARCH + "&interval=month")
    assert months == [("2026-03-01", 2, 2, 3, 2, 1)]  # two distinct learners in the month


def test_time_zones_pick_today_at_day_granularity(
    as_user, instructor, analytics_course, monkeypatch
):
    client = as_user(instructor)
    monkeypatch.setattr(periods, "clock", lambda: at(1, 23, 30))
    tokyo = client.get(url(analytics_course, "timeseries/") + "?tz=Asia/Tokyo").json()
    assert (tokyo["start"], tokyo["end"], tokyo["tz"]) == ("2026-02-01", "2026-03-02", "Asia/Tokyo")
    # The other student's 00:10 UTC enrollment is 2 March for everyone (UTC days).
    assert tokyo["results"][-1]["enrollments"] == 1
    la = client.get(url(analytics_course, "timeseries/") + "?tz=America/Los_Angeles").json()
    assert la["end"] == "2026-03-01"
    assert la["results"][-1]["lesson_starts"] == 2
    # Without tz, the viewer's profile zone decides.
    instructor.timezone = "Asia/Tokyo"
    instructor.save(update_fields=["timezone"])
    assert client.get(url(analytics_course, "timeseries/")).json()["end"] == "2026-03-02"


def test_lesson_funnel_and_content_edits(as_user, instructor, analytics_course):
    client = as_user(instructor)
    rows = client.get(url(analytics_course, "lessons/")).json()["results"]
    assert [
        (r["kind"], r["starts"], r["completions"], r["dropoff"], r["is_live"]) for r in rows
    ] == [
        ("video", 2, 1, 1, True),  # the other student stopped there
        ("reading", 1, 1, 0, True),
    ]
    assert rows[0]["completion_rate"] == 50.0
    # The reading leaves the course: its history stays, listed after the live lessons.
    CourseLesson.objects.filter(
        course=analytics_course, lesson_id=analytics_course.reading_id
    ).update(is_live=False)
    rows = client.get(url(analytics_course, "lessons/")).json()["results"]
    assert [(r["kind"], r["completions"], r["is_live"]) for r in rows] == [
        ("video", 1, True),
        ("reading", 1, False),
    ]
    table = rows_of(client.get(url(analytics_course, "lessons/") + "?format=csv"))
    assert table[0][:3] == ["lesson_id", "title", "kind"]
    assert [row[5:9] for row in table[1:]] == [["2", "1", "50.0", "1"], ["1", "1", "100.0", "0"]]


def test_video_heatmap(as_user, instructor, analytics_course):
    client = as_user(instructor)
    body = client.get(url(analytics_course, f"videos/{analytics_course.video_id}/heatmap/")).json()
    assert body["bucket_seconds"] == 10 and body["duration_seconds"] == 100.0
    assert [(b["start"], b["learners"], b["exits"]) for b in body["buckets"]] == [
        (0, 2, 0),
        (10, 2, 0),
        (20, 2, 0),
        (30, 2, 1),  # the other student stopped at 35 s
        *((s, 1, 0) for s in range(40, 100, 10)),
    ]
    table = rows_of(
        client.get(url(analytics_course, f"videos/{analytics_course.video_id}/heatmap/?format=csv"))
    )
    assert table[0] == ["start", "end", "learners", "exits"] and table[4] == ["30", "40", "2", "1"]
    missing = client.get(url(analytics_course, f"videos/{analytics_course.reading_id}/heatmap/"))
    assert missing.status_code == 404 and missing.json()["code"] == "lesson_not_found"


def test_learners_at_risk(as_user, instructor, student, other_student, analytics_course):
    client = as_user(instructor)
    body = client.get(url(analytics_course, "learners/")).json()
    assert body["count"] == 2
    first, second = body["results"]
    assert (first["user_id"], first["at_risk"], first["reasons"]) == (
        other_student.pk,
        True,
        ["inactive", "behind_pace"],
    )
    assert first["last_active"] == "2026-03-02" and first["lessons_completed"] == 0
    assert first["roster_url"].endswith(f"/roster/{first['enrollment_id']}/")
    assert (second["user_id"], second["at_risk"], second["lessons_completed"]) == (
        student.pk,
        False,
        2,
    )
    only = client.get(url(analytics_course, "learners/") + "?at_risk=true").json()
    assert [r["user_id"] for r in only["results"]] == [other_student.pk]
    table = rows_of(client.get(url(analytics_course, "learners/") + "?format=csv"))
    assert "roster_url" not in table[0] and len(table) == 3


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ("?start=2026-13-01", "invalid", "start"),
        ("?end=yesterday", "invalid", "end"),
        ("?start=2026-03-10&end=2026-03-01", "date_range_reversed", None),
        ("?start=2024-01-01&end=2026-03-01", "date_range_too_long", None),
        ("?interval=year", "invalid", "interval"),
        ("?tz=Mars/Olympus", "invalid", "tz"),
    ],
)
def test_bad_ranges(as_user, instructor, analytics_course, query, code, field):
    client = as_user(instructor)
    for path in ("overview/", "timeseries/"):
        for extra in ("", "&format=csv"):
            response = client.get(url(analytics_course, path) + query + extra)
            assert response.status_code == 400, response.content
            assert response["Content-Type"] == "application/problem+json"
            body = response.json()
            assert body["code"] == code and body["status"] == 400
            if field:
                assert field in body["errors"]


def test_unknown_format_is_not_found(as_user, instructor, analytics_course):
    response = as_user(instructor).get(url(analytics_course, "overview/") + "?format=xml")
    assert response.status_code == 404


def test_timeseries_csv(as_user, instructor, analytics_course):
    table = rows_of(
        as_user(instructor).get(
            url(analytics_course, "timeseries/") + MARCH + "&interval=month&format=csv"
        )
    )
    assert table == [
        ["period", "enrollments", "unenrollments", "active_learners", "lesson_starts",
         "lesson_completions", "course_completions", "watch_seconds"],
        ["2026-03-01", "2", "0", "2", "3", "2", "1", "0"],
    ]  # fmt: skip


def test_query_budgets(as_user, instructor, analytics_course, django_assert_max_num_queries):
    client = as_user(instructor)
    # Auth (session, user, permissions), the course and its staff, then the rollup reads:
    # the overview makes five (all-time totals, the range's days, distinct active learners,
    # watch time, learning now).
    budgets = {
        "overview/" + MARCH: 10,
        "timeseries/" + MARCH + "&interval=week": 8,
        "lessons/": 7,
        f"videos/{analytics_course.video_id}/heatmap/": 7,
        "questions/": 7,
        "learners/": 6,
    }
    for path, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            assert client.get(url(analytics_course, path)).status_code == 200
    # More learners, same number of queries.
    for _ in range(15):
        lf.enroll(UserFactory(), analytics_course)
    with django_assert_max_num_queries(budgets["learners/"]):
        assert client.get(url(analytics_course, "learners/")).json()["count"] == 17
