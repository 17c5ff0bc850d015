"""Platform analytics for reviewers, quiz item analysis and a learner's own activity."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.models import CourseLesson
from learning.analytics import periods, services
from learning.analytics.models import Verb
from tests.factories import UserFactory
from tests.factories.analytics import at, log, run_rollups

pytestmark = pytest.mark.django_db


def test_platform_overview_and_series(as_user, editor, analytics_course):
    UserFactory(date_joined=at(2, 8))
    services.rollup_rebuild_all("platform_day")
    client = as_user(editor)
    body = client.get("/api/v2/analytics/platform/overview/?start=2026-03-01&end=2026-03-31")
    assert body.status_code == 200, body.content
    assert body.json() == {
        "start": "2026-03-01",
        "end": "2026-03-31",
        "signups": 1,
        "enrollments": 2,
        "completions": 1,
        "active_users": 2,
        "active_courses": 1,
        "top_courses": [{"course_id": analytics_course.pk, "enrollments": 2, "completions": 1}],
    }
    rows = client.get(
        "/api/v2/analytics/platform/timeseries/?start=2026-03-01&end=2026-03-14&interval=week"
    ).json()["results"]
    assert [
        (r["period"], r["signups"], r["active_users"], r["enrollments"], r["completions"])
        for r in rows
    ] == [
        ("2026-02-23", 0, 1, 1, 0),
        ("2026-03-02", 1, 1, 1, 0),
        ("2026-03-09", 0, 1, 0, 1),
    ]
    days = client.get(
        "/api/v2/analytics/platform/timeseries/?start=2026-03-01&end=2026-03-02&format=csv"
    )
    assert list(csv.reader(io.StringIO(days.content.decode()))) == [
        ["period", "signups", "active_users", "enrollments", "completions"],
        ["2026-03-01", "0", "1", "1", "0"],
        ["2026-03-02", "1", "1", "1", "0"],
    ]


def test_platform_query_budget(
    as_user, admin_user, analytics_course, django_assert_max_num_queries
):
    client = as_user(admin_user)
    # Auth (session, user; an admin's permissions need no query), then the rollup reads.
    with django_assert_max_num_queries(7):
        assert client.get("/api/v2/analytics/platform/overview/").status_code == 200
    with django_assert_max_num_queries(5):
        assert (
            client.get("/api/v2/analytics/platform/timeseries/?interval=month").status_code == 200
        )


def test_my_activity(as_user, student, analytics_course, monkeypatch):
    client = as_user(student)
    monkeypatch.setattr(periods, "clock", lambda: at(10, 12))
    body = client.get("/api/v2/me/activity/?start=2026-03-01&end=2026-03-14").json()
    active = [(d["date"], d["lessons_completed"]) for d in body["days"] if d["active"]]
    assert active == [("2026-03-01", 1), ("2026-03-09", 1)]
    assert len(body["days"]) == 14
    assert body["weeks"] == [
        {"week": "2026-02-23", "lessons_completed": 1},
        {"week": "2026-03-02", "lessons_completed": 0},
        {"week": "2026-03-09", "lessons_completed": 1},
    ]
    assert body["streak_days"] == 1  # 9 March was yesterday
    # Late events of 7 and 8 March reach the server now: a three-day streak.
    for day in (7, 8):
        log(
            student,
            Verb.LESSON_STARTED,
            analytics_course,
            at(day, 12),
            lesson=analytics_course.video_id,
            stored=timezone.now() + timedelta(seconds=30),
        )
    services.rollups_run(upto=timezone.now() + timedelta(minutes=1))
    assert client.get("/api/v2/me/activity/").json()["streak_days"] == 3
    monkeypatch.setattr(periods, "clock", lambda: at(11, 12))
    assert client.get("/api/v2/me/activity/").json()["streak_days"] == 0
    # Default range: the 28 days up to today.
    body = client.get("/api/v2/me/activity/").json()
    assert (body["start"], body["end"]) == ("2026-02-12", "2026-03-11")
    # Video watched today counts as time that day.
    monkeypatch.setattr(periods, "clock", timezone.now)
    today = client.get("/api/v2/me/activity/").json()["days"][-1]
    assert (today["watch_seconds"], today["active"]) == (100, True)


def test_my_activity_is_only_mine(as_user, other_student, analytics_course, monkeypatch):
    monkeypatch.setattr(periods, "clock", lambda: at(10, 12))
    body = as_user(other_student).get("/api/v2/me/activity/?start=2026-03-01&end=2026-03-14")
    assert [d["date"] for d in body.json()["days"] if d["active"]] == ["2026-03-02"]


def test_question_item_analysis(as_user, instructor):
    from learning.assessment.models import QuizAttempt
    from tests.factories import assessment as af

    course, section, quiz_id = af.quiz_course(instructors=[instructor])
    lesson = CourseLesson.objects.get(course=course, lesson_id=quiz_id)
    for n in range(4):
        QuizAttempt.objects.create(
            user=UserFactory(),
            lesson=lesson,
            course=course,
            number=1,
            revision=section.latest_revision,
            seed=n,
            status="submitted",
            submitted_at=timezone.now() - timedelta(seconds=10),
            answers={"q1": "right" if n >= 2 else "wrong"},
            results={"q1": {"points": 1, "max_points": 1, "correct": n >= 2}},
            score=n,
            max_score=4,
            percent=n * 25,
            passed=n >= 2,
        )
    run_rollups()
    client = as_user(instructor)
    rows = client.get(f"/api/v2/analytics/courses/{course.pk}/questions/").json()["results"]
    assert [
        (r["question_id"], r["attempts"], r["percent_correct"], r["discrimination"]) for r in rows
    ] == [("q1", 4, 50.0, 1.0)]
    assert (rows[0]["top_wrong_answer"], rows[0]["top_wrong_count"]) == ("wrong", 2)
    table = client.get(f"/api/v2/analytics/courses/{course.pk}/questions/?format=csv")
    assert table.content.decode().splitlines()[1].endswith(",q1,4,50.0,1.0,wrong,2")
