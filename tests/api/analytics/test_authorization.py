"""Who sees which analytics: every endpoint x every role."""

from __future__ import annotations

import pytest

from learning.analytics.models import CourseDay, RollupState
from tests.support.roles import ROLES_WITH_UNVERIFIED, client_for

pytestmark = pytest.mark.django_db

COURSE = {
    "anonymous": 401,
    "unverified": 403,
    "student": 403,  # a learner of the course
    "other_student": 403,
    "instructor": 200,
    "other_instructor": 403,
    "editor": 200,
    "admin_user": 200,
}
PLATFORM = {**COURSE, "instructor": 403}
OWN = dict.fromkeys(COURSE, 200) | {"anonymous": 401}


def course_urls(course) -> list[str]:
    base = f"/api/v2/analytics/courses/{course.pk}"
    return [
        f"{base}/overview/",
        f"{base}/timeseries/",
        f"{base}/lessons/",
        f"{base}/videos/{course.video_id}/heatmap/",
        f"{base}/questions/",
        f"{base}/learners/",
        f"{base}/live/",
    ]


PLATFORM_URLS = ["/api/v2/analytics/platform/overview/", "/api/v2/analytics/platform/timeseries/"]


@pytest.mark.parametrize("role", ROLES_WITH_UNVERIFIED)
def test_analytics_authorization_matrix(role, request, api_client, as_user, analytics_course):
    client = client_for(role, request, api_client, as_user)
    before = (list(CourseDay.objects.values_list()), list(RollupState.objects.values_list()))
    for url in course_urls(analytics_course):
        for suffix in ("", "?format=csv"):
            response = client.get(url + suffix)
            assert response.status_code == COURSE[role], (url + suffix, response.content)
            if COURSE[role] == 403:
                assert response.json()["code"] == "not_course_staff"
            if COURSE[role] == 200 and suffix:
                assert response["Content-Type"].startswith("text/csv")
    for url in PLATFORM_URLS:
        response = client.get(url)
        assert response.status_code == PLATFORM[role], (url, response.content)
        if PLATFORM[role] == 403:
            assert response.json()["code"] == "not_reviewer"
    assert client.get("/api/v2/me/activity/").status_code == OWN[role]
    # Reads write nothing.
    assert before == (
        list(CourseDay.objects.values_list()),
        list(RollupState.objects.values_list()),
    )


def test_unknown_and_unpublished_courses_are_not_found(
    as_user, instructor, other_instructor, editor
):
    from tests.factories import courses as cf

    draft = cf.course(instructors=[instructor], publish=False, title="Draft")
    for path in ("overview/", "timeseries/", "lessons/", "learners/", "questions/"):
        for course_id in (draft.pk, 999999):
            response = as_user(other_instructor).get(
                f"/api/v2/analytics/courses/{course_id}/{path}"
            )
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"
    # A reviewer sees the draft's (empty) analytics.
    response = as_user(editor).get(f"/api/v2/analytics/courses/{draft.pk}/overview/")
    assert response.status_code == 200 and response.json()["enrollments_total"] == 0
