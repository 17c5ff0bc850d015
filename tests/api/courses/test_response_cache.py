"""Cached course content responses: conditional requests, public vs private caching, learner
state never shared, invalidation on every way published content changes."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from wagtail.models import PageViewRestriction

from api.conditional import etag_of
from cms import headless
from cms.models import CoursePage, SectionPage
from learning.progress import services as progress_services
from tests.factories import courses as cf
from tests.factories import learning as lf
from tests.factories.certificates import course_lesson

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    page, _section = cf.published_course_with_lessons(
        instructors=[instructor], title="Course", description="<p>About</p>"
    )
    cf.section(page, title="Second", lessons=[cf.reading("Later", free_preview=True)])
    return page


def lesson_ids(course_id, client) -> list[str]:
    body = client.get(f"/api/v2/courses/{course_id}/").json()
    return [lesson["id"] for section in body["sections"] for lesson in section["lessons"]]


def urls(course, client) -> dict[str, str]:
    ids = lesson_ids(course.pk, client)
    return {
        "catalog": "/api/v2/courses/",
        "course": f"/api/v2/courses/{course.pk}/",
        "lesson": f"/api/v2/courses/{course.pk}/lessons/{ids[0]}/",
    }


def vary(response) -> set[str]:
    return {v.strip().lower() for v in response.get("Vary", "").split(",")}


# --- Conditional requests and caching headers ------------------------------------------------


@pytest.mark.parametrize("kind", ["catalog", "course", "lesson"])
def test_anonymous_responses_are_public_with_validators_and_304(kind, api_client, course):
    url = urls(course, api_client)[kind]
    response = api_client.get(url)
    assert response.status_code == 200
    etag, modified = response["ETag"], response["Last-Modified"]
    assert etag.startswith('"') and etag == etag_of(response.json())
    control = response["Cache-Control"]
    assert control.startswith("public, max-age=") and "stale-while-revalidate=" in control
    # A shared cache must never hand this copy to a signed-in client.
    assert {"authorization", "cookie"} <= vary(response)

    again = api_client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == control
    assert api_client.get(url, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    assert api_client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    # If-None-Match wins over If-Modified-Since.
    assert (
        api_client.get(
            url, HTTP_IF_NONE_MATCH='"other"', HTTP_IF_MODIFIED_SINCE=modified
        ).status_code
        == 200
    )


def test_public_lesson_responses_expire_before_their_signed_urls(api_client, course, settings):
    settings.MEDIA_SIGNED_URL_SECONDS = 200  # bodies cached 100 s: clients may keep them 50+50
    response = api_client.get(urls(course, api_client)["lesson"])
    assert response["Cache-Control"] == "public, max-age=50, stale-while-revalidate=50"


@pytest.mark.parametrize("kind", ["catalog", "course", "lesson"])
def test_signed_in_responses_are_private_and_revalidated(kind, as_user, student, course):
    lf.enroll(student, course)
    client = as_user(student)
    url = urls(course, client)[kind]
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "Last-Modified" not in response  # progress changes without content changing
    assert response["ETag"] == etag_of(response.json())
    assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_learners_etag_changes_with_their_progress(as_user, student, course):
    lf.enroll(student, course)
    client = as_user(student)
    url = urls(course, client)["course"]
    first = client.get(url)
    lesson = lesson_ids(course.pk, client)[1]
    progress_services.reading_mark_complete(user=student, lesson=course_lesson(course.pk, lesson))
    second = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]


# --- Anonymous reads served before DRF's dispatch (api.courses.public) -------------------------

SAME_HEADERS_EXCEPT = {"X-Request-ID", "Date"}


def comparable(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in SAME_HEADERS_EXCEPT}
    return response.status_code, response.content, headers


@pytest.fixture
def dispatched(monkeypatch):
    """Calls of DRF's dispatch (authentication, negotiation, the view), by path."""
    from rest_framework.views import APIView

    seen = []
    original = APIView.initial

    def initial(self, request, *args, **kwargs):
        seen.append(request.path)
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(APIView, "initial", initial)
    return seen


@pytest.mark.parametrize("kind", ["catalog", "course", "lesson"])
def test_cached_anonymous_reads_skip_drf_and_answer_exactly_as_the_view(
    kind, api_client, course, dispatched, monkeypatch
):
    url = urls(course, api_client)[kind]
    built = api_client.get(url)  # a miss: the view builds the entry
    dispatched.clear()
    fast = api_client.get(url, HTTP_ACCEPT="application/json")
    fast_304 = api_client.get(url, HTTP_IF_NONE_MATCH=built["ETag"])
    assert dispatched == []
    assert fast.status_code == 200 and fast_304.status_code == 304

    from api.courses import public

    monkeypatch.setattr(public, "is_plain_anonymous_json_get", lambda request: False)
    assert comparable(api_client.get(url, HTTP_ACCEPT="application/json")) == comparable(fast)
    assert comparable(api_client.get(url, HTTP_IF_NONE_MATCH=built["ETag"])) == comparable(fast_304)
    assert dispatched == [url, url]


@pytest.mark.no_contract(reason="the browsable API's HTML and a 406 are outside the contract")
@pytest.mark.parametrize(
    "extra",
    [
        {"HTTP_AUTHORIZATION": "Bearer not-a-token"},  # DRF answers 401
        {"HTTP_ACCEPT": "text/html,application/xhtml+xml,*/*;q=0.8"},  # the browsable API
        {"HTTP_ACCEPT": "application/json; indent=4"},
        {"HTTP_ACCEPT": "application/xml"},  # DRF answers 406
    ],
)
def test_requests_that_may_not_be_anonymous_json_go_through_drf(
    extra, api_client, course, dispatched
):
    url = urls(course, api_client)["course"]
    api_client.get(url)
    dispatched.clear()
    api_client.get(url, **extra)
    assert dispatched == [url]


def test_a_session_cookie_or_a_format_parameter_go_through_drf(
    api_client, as_user, student, course, dispatched
):
    url = urls(course, api_client)["course"]
    api_client.get(url)
    dispatched.clear()
    signed_in = as_user(student)  # a session or a token: either way not the anonymous copy
    signed_in.cookies[settings.SESSION_COOKIE_NAME] = "unknown-session"
    signed_in.get(url)
    api_client.get(url + "?format=json")
    assert dispatched == [url, url]


def test_gated_lessons_are_never_served_from_the_anonymous_path(
    api_client, as_user, student, course, dispatched
):
    lf.enroll(student, course)
    gated = f"/api/v2/courses/{course.pk}/lessons/{lesson_ids(course.pk, api_client)[1]}/"
    assert as_user(student).get(gated).status_code == 200  # the entry exists now
    dispatched.clear()
    response = api_client.get(gated)
    assert response.status_code == 403
    assert response.json()["code"] == "enrollment_required"
    assert dispatched == [gated]


# --- Learner state is never shared ----------------------------------------------------------


def test_two_learners_of_one_course_never_see_each_others_state(
    as_user, student, other_student, api_client, course
):
    lf.enroll(student, course)
    lf.enroll(other_student, course)
    mine, theirs = as_user(student), as_user(other_student)
    ids = lesson_ids(course.pk, api_client)
    progress_services.reading_mark_complete(user=student, lesson=course_lesson(course.pk, ids[1]))

    def states(client):
        body = client.get(f"/api/v2/courses/{course.pk}/").json()
        lesson = client.get(f"/api/v2/courses/{course.pk}/lessons/{ids[1]}/").json()
        outline = {x["id"]: x["progress"]["status"] for s in body["sections"] for x in s["lessons"]}
        percent = body["my_enrollment"]["percent_complete"]
        return outline[ids[1]], lesson["progress"]["status"], percent

    # Interleaved, so each reads what the other just cached.
    for _ in range(2):
        assert states(mine) == ("completed", "completed", 25)
        assert states(theirs) == ("not_started", "not_started", 0)
        anonymous = api_client.get(f"/api/v2/courses/{course.pk}/").json()
        assert anonymous["my_enrollment"] is None
        assert {x["progress"] for s in anonymous["sections"] for x in s["lessons"]} == {None}


def test_gated_lessons_stay_gated_when_cached(api_client, as_user, student, other_student, course):
    lf.enroll(student, course)
    gated = f"/api/v2/courses/{course.pk}/lessons/{lesson_ids(course.pk, api_client)[1]}/"
    assert as_user(student).get(gated).status_code == 200  # now cached
    assert api_client.get(gated).status_code == 403
    assert as_user(other_student).get(gated).status_code == 403


# --- Query budgets -----------------------------------------------------------------------------


def test_cached_responses_cost_no_queries_anonymous_and_two_signed_in(
    api_client, as_user, student, course, django_assert_max_num_queries
):
    lf.enroll(student, course)
    client = as_user(student)
    paths = urls(course, api_client)
    for url in paths.values():
        api_client.get(url)
        client.get(url)
    for url in paths.values():
        with django_assert_max_num_queries(0):
            assert api_client.get(url).status_code == 200
    with django_assert_max_num_queries(1):  # the user
        assert client.get(paths["catalog"]).status_code == 200
    with django_assert_max_num_queries(3):  # the user, the enrollment, lesson states
        assert client.get(paths["course"]).status_code == 200
    with django_assert_max_num_queries(3):  # the user, the enrollment, the lesson's state
        assert client.get(paths["lesson"]).status_code == 200


# --- Every way published content changes -------------------------------------------------------


def seen(client, course, lesson_url) -> tuple:
    catalog = client.get("/api/v2/courses/").json()
    detail = client.get(f"/api/v2/courses/{course.pk}/")
    lesson = client.get(lesson_url)
    return (
        sorted(c["title"] for c in catalog["results"]),
        [s["title"] for s in detail.json()["sections"]] if detail.status_code == 200 else 404,
        lesson.json()["title"] if lesson.status_code == 200 else lesson.status_code,
    )


@pytest.fixture
def cached(api_client, course):
    """The course, its first section and its free lesson's URL, all three responses cached."""
    section = course.get_children().first().specific
    lesson_url = urls(course, api_client)["lesson"]
    assert seen(api_client, course, lesson_url) == (["Course"], ["Basics", "Second"], "Welcome")
    return course, section, lesson_url


def test_publishing_a_section_shows_its_new_revision_next(api_client, cached):
    course, section, lesson_url = cached
    section.lessons[0].value["title"] = "Welcome back"
    section.save_revision()
    assert seen(api_client, course, lesson_url)[2] == "Welcome"  # a draft changes nothing
    section.get_latest_revision().publish()
    assert seen(api_client, course, lesson_url) == (
        ["Course"],
        ["Basics", "Second"],
        "Welcome back",
    )


def test_publishing_a_course_shows_its_new_revision_next(api_client, cached):
    course, _section, lesson_url = cached
    course.title = "Renamed"
    course.save_revision().publish()
    assert seen(api_client, course, lesson_url)[0] == ["Renamed"]
    assert api_client.get(f"/api/v2/courses/{course.pk}/").json()["title"] == "Renamed"


def test_unpublishing_a_section_and_a_course(api_client, cached):
    course, section, lesson_url = cached
    section.unpublish()
    assert seen(api_client, course, lesson_url) == (["Course"], ["Second"], 404)
    CoursePage.objects.get(pk=course.pk).unpublish()
    assert seen(api_client, course, lesson_url) == ([], 404, 404)


def test_deleting_a_live_section(api_client, cached):
    course, section, lesson_url = cached
    SectionPage.objects.get(pk=section.pk).delete()
    assert seen(api_client, course, lesson_url) == (["Course"], ["Second"], 404)


def test_moving_a_section_to_another_course(api_client, instructor, cached):
    course, section, lesson_url = cached
    other = cf.course(title="Other", instructors=[instructor])
    SectionPage.objects.get(pk=section.pk).move(other, pos="last-child")
    assert seen(api_client, course, lesson_url) == (["Course", "Other"], ["Second"], 404)
    moved = api_client.get(f"/api/v2/courses/{other.pk}/").json()
    assert [s["title"] for s in moved["sections"]] == ["Basics"]


def test_scheduled_publishing_when_its_time_comes(api_client, cached):
    from wagtail.models import Revision

    from cms.tasks import publish_scheduled

    course, section, lesson_url = cached
    section.lessons[0].value["title"] = "Scheduled"
    section.go_live_at = timezone.now() + timedelta(hours=1)
    revision = section.save_revision()
    revision.publish()  # scheduled: nothing changes yet
    assert revision.approved_go_live_at is not None
    assert seen(api_client, course, lesson_url)[2] == "Welcome"
    revision = Revision.objects.get(pk=revision.pk)  # the hour passes
    moment = timezone.now() - timedelta(seconds=1)
    revision.approved_go_live_at = moment
    revision.content["go_live_at"] = moment.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    publish_scheduled()
    assert seen(api_client, course, lesson_url)[2] == "Scheduled"


def test_a_view_restriction_hides_the_course_at_once(api_client, cached):
    course, _section, lesson_url = cached
    restriction = PageViewRestriction.objects.create(page=course, restriction_type="login")
    assert seen(api_client, course, lesson_url) == ([], 404, 404)
    restriction.delete()
    assert seen(api_client, course, lesson_url)[1] == ["Basics", "Second"]


def test_renaming_a_category_shows_in_the_catalog_at_once(api_client, instructor):
    category = cf.category("Programming")
    cf.course(title="Typed", instructors=[instructor], category=category)
    assert api_client.get("/api/v2/courses/").json()["results"][0]["category"]["name"] == (
        "Programming"
    )
    category.name = "Coding"
    category.save()
    assert api_client.get("/api/v2/courses/").json()["results"][0]["category"]["name"] == "Coding"


@pytest.mark.slow
def test_expiry_passing_without_a_publish(api_client, course):
    """A course whose expire time passed is gone from the API even before the periodic
    unpublish runs, though its responses were cached while it was live."""
    CoursePage.objects.filter(pk=course.pk).update(
        expire_at=timezone.now() + timedelta(seconds=1.5)
    )
    headless.course_content_changed(course.pk)  # as publishing the expire time does
    lesson_url = urls(course, api_client)["lesson"]
    assert seen(api_client, course, lesson_url) == (["Course"], ["Basics", "Second"], "Welcome")
    time.sleep(1.6)
    assert seen(api_client, course, lesson_url) == ([], 404, 404)


def test_a_publish_between_two_requests_is_whole_in_the_next(api_client, cached):
    """Each response is one cache entry built from one state: after the publish returns, the
    next response is entirely the new revision (its ETag matches its body)."""
    course, section, lesson_url = cached
    before = api_client.get(f"/api/v2/courses/{course.pk}/")
    section.title = "Basics, revised"
    section.lessons[0].value["title"] = "Welcome, revised"
    section.save_revision().publish()
    after = api_client.get(f"/api/v2/courses/{course.pk}/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200 and after["ETag"] == etag_of(after.json())
    first = after.json()["sections"][0]
    assert (first["title"], first["lessons"][0]["title"]) == ("Basics, revised", "Welcome, revised")
    assert api_client.get(lesson_url).json()["title"] == "Welcome, revised"


def test_catalog_entries_follow_the_filters_and_ignore_other_parameters(
    api_client, instructor, django_assert_max_num_queries
):
    cf.course(title="Easy", instructors=[instructor], level="beginner")
    cf.course(title="Hard", instructors=[instructor], level="advanced")

    def titles(query):
        return sorted(
            c["title"] for c in api_client.get(f"/api/v2/courses/{query}").json()["results"]
        )

    assert titles("") == ["Easy", "Hard"]
    assert titles("?level=advanced") == ["Hard"]
    assert titles("?level=beginner&ordering=title") == ["Easy"]
    with django_assert_max_num_queries(0):  # the same entries
        assert titles("?utm_source=mail") == ["Easy", "Hard"]
        assert titles("?ordering=title&level=beginner") == ["Easy"]
    assert api_client.get("/api/v2/courses/?level=expert").status_code == 400  # never cached
    assert api_client.get("/api/v2/courses/?level=expert").status_code == 400
