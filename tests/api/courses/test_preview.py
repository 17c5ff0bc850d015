import pytest
from wagtail_headless_preview.models import PagePreview

from cms.models import SectionPage
from tests.factories import courses as cf
from tests.support.roles import ROLES, client_for

pytestmark = pytest.mark.django_db


def preview_token(page) -> str:
    """What the admin's preview does: store the edited page and sign a token for it."""
    return page.create_page_preview().token


@pytest.fixture
def draft_course(instructor):
    course = cf.course(title="Draft", instructors=[instructor], publish=False)
    cf.section(
        course, title="Part one", lessons=[cf.reading("Intro"), cf.quiz("Quiz")], publish=False
    )
    return course


def test_course_preview_is_the_live_shape_with_draft_sections(api_client, draft_course):
    draft = draft_course.get_latest_revision_as_object()
    draft.subtitle = "Unsaved subtitle"
    token = preview_token(draft)
    response = api_client.get(
        "/api/v2/preview/", {"content_type": "cms.coursepage", "token": token}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["course"]["subtitle"] == "Unsaved subtitle"
    assert [s["title"] for s in body["course"]["sections"]] == ["Part one"]
    assert [lesson["kind"] for lesson in body["lessons"]] == ["reading", "quiz"]

    # Once published, the live API answers with the same shape.
    draft_course.save_revision().publish()
    section = SectionPage.objects.get(title="Part one")
    section.save_revision().publish()
    live = api_client.get(f"/api/v2/courses/{draft_course.pk}/").json()
    assert set(live) == set(body["course"])
    assert live["sections"][0]["lessons"] == body["course"]["sections"][0]["lessons"]


@pytest.mark.parametrize("role", ROLES)
def test_preview_token_is_the_capability_and_hides_answers(role, roles, draft_course):
    token = preview_token(draft_course.get_children().first().specific)
    client = client_for(roles.user(role))
    response = client.get("/api/v2/preview/", {"content_type": "cms.sectionpage", "token": token})
    assert response.status_code == 200
    assert response.json()["section"]["title"] == "Part one"
    for marker in cf.ANSWER_MARKERS:
        assert marker not in response.content.decode()


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"token": "x"}, 400, "content_type"),
        ({"content_type": "cms.coursepage"}, 400, "token"),
        ({"content_type": "cms.homepage", "token": "x"}, 400, "content_type"),
        ({"content_type": "cms.coursepage", "token": "forged:token"}, 404, None),
    ],
)
def test_bad_preview_requests(api_client, draft_course, params, status, field):
    before = PagePreview.objects.count()
    response = api_client.get("/api/v2/preview/", params)
    assert response.status_code == status
    if field:
        assert set(response.json()["errors"]) == {field}
    assert PagePreview.objects.count() == before


def test_token_for_another_type_or_expired_is_404(api_client, draft_course, settings):
    token = preview_token(draft_course)
    response = api_client.get(
        "/api/v2/preview/", {"content_type": "cms.sectionpage", "token": token}
    )
    assert response.status_code == 404
    settings.HEADLESS_PREVIEW_TOKEN_MAX_AGE = -1
    response = api_client.get(
        "/api/v2/preview/", {"content_type": "cms.coursepage", "token": token}
    )
    assert response.status_code == 404


def test_the_preview_url_is_the_configured_client(rf, draft_course, settings):
    from wagtail_headless_preview.settings import headless_preview_settings

    request = rf.get("/")
    url = draft_course.get_preview_url(request, "tok")
    assert url.startswith(headless_preview_settings.CLIENT_URLS["default"])
    assert "content_type=cms.coursepage" in url and "token=tok" in url
    # Tokens are timestamped, so the API can refuse old ones.
    draft_course.get_preview_signer().unsign(draft_course.create_page_preview().token, max_age=60)
