"""Wagtail's read/write API (v3) for authoring clients: API tokens, the admin's page rules."""

import json

import pytest
from wagtail.models import APIToken

from tests.factories import courses as cf

pytestmark = pytest.mark.django_db

URL = "/api/cms/v3/pages/"


def patch(client, page, token, **fields):
    return client.patch(
        f"{URL}{page.pk}/",
        data=json.dumps({"meta": {"type": "cms.CoursePage"}, **fields}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


@pytest.fixture
def course(instructor):
    return cf.course(title="API course", subtitle="Before", instructors=[instructor])


def test_a_course_instructor_writes_a_draft_through_the_api(client, course, instructor):
    _, token = APIToken.create_token(user=instructor, name="authoring")
    response = patch(client, course, token, subtitle="After")
    assert response.status_code == 200, response.content
    course.refresh_from_db()
    assert course.get_latest_revision_as_object().subtitle == "After"
    assert course.subtitle == "Before"  # still the live version: instructors cannot publish
    response = patch(
        client,
        course,
        token,
        subtitle="Live now",
        meta={"type": "cms.CoursePage", "action": "publish"},
    )
    assert response.status_code == 403
    course.refresh_from_db()
    assert course.subtitle == "Before"


@pytest.mark.parametrize("who", ["other_instructor", "student"])
def test_others_are_refused_and_nothing_changes(who, request, client, course):
    _, token = APIToken.create_token(user=request.getfixturevalue(who), name="authoring")
    revisions = course.revisions.count()
    response = patch(client, course, token, subtitle="Hijacked")
    assert response.status_code == 403
    course.refresh_from_db()
    assert course.subtitle == "Before"
    assert course.revisions.count() == revisions
    assert course.get_latest_revision_as_object().subtitle == "Before"


def test_without_a_token_writes_are_refused_and_reads_show_live_pages(client, course):
    response = client.patch(
        f"{URL}{course.pk}/",
        data=json.dumps({"meta": {"type": "cms.CoursePage"}, "subtitle": "x"}),
        content_type="application/json",
    )
    assert response.status_code == 401
    listing = client.get(URL, {"type": "cms.CoursePage"})
    assert listing.status_code == 200
    assert [item["id"] for item in listing.json()["items"]] == [course.pk]
