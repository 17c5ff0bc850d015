import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.models import CoursePage
from tests.factories import courses as cf
from tests.support.roles import ROLES, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor):
    page, _section = cf.published_course_with_lessons(
        instructors=[instructor], title="Course", description="<p>About</p>"
    )
    cf.section(page, title="Second", lessons=[cf.reading("Later")])
    return page


def outline(client, course):
    response = client.get(f"/api/v2/courses/{course.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def lesson_ids(body):
    return [lesson["id"] for section in body["sections"] for lesson in section["lessons"]]


def test_detail_has_the_ordered_outline_and_never_bodies(api_client, course):
    body = outline(api_client, course)
    assert [s["title"] for s in body["sections"]] == ["Basics", "Second"]
    lessons = body["sections"][0]["lessons"]
    assert [(x["kind"], x["title"], x["free_preview"]) for x in lessons] == [
        ("reading", "Welcome", True),
        ("reading", "Deep dive", False),
        ("quiz", "Check", False),
    ]
    assert set(lessons[0]) == {
        "id",
        "kind",
        "title",
        "estimated_minutes",
        "free_preview",
        "video_duration",
    }
    assert body["lesson_count"] == 4 and body["total_minutes"] == 20
    assert body["description_html"] == "<p>About</p>"
    assert "Read this carefully" not in str(body)


@pytest.mark.parametrize("role", ROLES)
def test_lesson_authorization_matrix(role, request, api_client, as_user, course):
    client = client_for(role, request, api_client, as_user)
    free, gated, quiz, _ = lesson_ids(outline(api_client, course))
    assert client.get(f"/api/v2/courses/{course.pk}/lessons/{free}/").status_code == 200
    may_open = role in {"instructor", "editor", "admin_user"}
    for lesson in (gated, quiz):
        response = client.get(f"/api/v2/courses/{course.pk}/lessons/{lesson}/")
        if may_open:
            assert response.status_code == 200
            assert response.json()["id"] == lesson
        else:
            assert response.status_code == 403
            assert response.json()["code"] == "enrollment_required"
            assert "body" not in response.json()


def test_lesson_body_is_typed_blocks(as_user, editor, course):
    client = as_user(editor)
    _, gated, quiz, _ = lesson_ids(outline(client, course))
    reading = client.get(f"/api/v2/courses/{course.pk}/lessons/{gated}/").json()
    assert reading["kind"] == "reading"
    assert [b["type"] for b in reading["body"]["content"]] == ["paragraph", "code"]
    assert reading["body"]["content"][1]["language"] == "python"
    body = client.get(f"/api/v2/courses/{course.pk}/lessons/{quiz}/").json()["body"]
    assert body["pass_mark"] == 60 and body["attempt_limit"] == 3 and body["shuffle"] is True
    assert [q["type"] for q in body["questions"]] == [
        "single_choice",
        "multiple_choice",
        "true_false",
        "numeric",
        "short_text",
    ]
    assert [c["text"] for c in body["questions"][0]["choices"]] == ["wrong", "right"]
    assert all(set(c) == {"id", "text"} for c in body["questions"][0]["choices"])


def test_quiz_answers_never_appear_in_any_content_response(request, api_client, as_user, course):
    quiz_free = cf.course(title="Free quiz", instructors=[])
    cf.section(quiz_free, lessons=[cf.quiz("Open quiz", free_preview=True)])
    scanned = 0
    for role in ROLES:
        client = client_for(role, request, api_client, as_user)
        for page in (course, quiz_free):
            urls = ["/api/v2/courses/", f"/api/v2/courses/{page.pk}/"]
            urls += [
                f"/api/v2/courses/{page.pk}/lessons/{lesson}/"
                for lesson in lesson_ids(outline(api_client, page))
            ]
            for url in urls:
                response = client.get(url)
                text = response.content.decode()
                for marker in cf.ANSWER_MARKERS:
                    assert marker not in text, (role, url, marker)
                scanned += response.status_code == 200
    assert scanned > 20


@pytest.mark.parametrize(
    "case",
    ["unknown_course", "draft", "expired", "section_id", "other_course_lesson", "unknown_lesson"],
)
def test_not_found_cases(case, as_user, editor, course, instructor):
    client = as_user(editor)  # even a reviewer gets 404 from the live API
    lesson = lesson_ids(outline(client, course))[0]
    course_id = course.pk
    if case == "unknown_course":
        course_id = 999999
    elif case == "draft":
        course_id = cf.course(title="Draft", publish=False, instructors=[instructor]).pk
    elif case == "expired":
        CoursePage.objects.filter(pk=course.pk).update(
            expire_at=timezone.now() - timedelta(seconds=1)
        )
    elif case == "section_id":
        course_id = course.get_children().first().pk
    elif case == "other_course_lesson":
        other, _ = cf.published_course_with_lessons(title="Other")
        lesson = lesson_ids(outline(client, other))[0]
    elif case == "unknown_lesson":
        lesson = str(uuid.uuid4())
    response = client.get(f"/api/v2/courses/{course_id}/lessons/{lesson}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    if case in ("unknown_course", "draft", "expired", "section_id"):
        assert client.get(f"/api/v2/courses/{course_id}/").status_code == 404


def test_malformed_lesson_id_is_404(api_client, course):
    assert api_client.get(f"/api/v2/courses/{course.pk}/lessons/not-a-uuid/").status_code == 404


def test_outline_of_20_sections_of_10_lessons_takes_constant_queries(
    api_client, instructor, django_assert_max_num_queries
):
    picture = cf.image("big")
    page = cf.course(title="Big", instructors=[instructor], tags=["a"], cover_image=picture)
    content = [
        ("paragraph", "<p>Text</p>"),
        ("image", {"image": picture, "alt_text": "a", "caption": ""}),
    ]
    for n in range(20):
        cf.section(
            page,
            title=f"Section {n}",
            lessons=[cf.reading(f"L{n}.{i}", content=content) for i in range(10)],
        )
    api_client.get(f"/api/v2/courses/{page.pk}/")  # renditions made on first use
    from django.core.cache import cache

    cache.clear()  # measure a cold outline, not only a cached one
    with django_assert_max_num_queries(8):
        body = outline(api_client, page)
    assert body["lesson_count"] == 200 and len(body["sections"]) == 20


def test_cached_content_follows_publish_and_unpublish(
    api_client, as_user, editor, course, django_assert_max_num_queries
):
    body = outline(api_client, course)
    free = lesson_ids(body)[0]
    url = f"/api/v2/courses/{course.pk}/lessons/{free}/"
    assert api_client.get(url).json()["title"] == "Welcome"
    with django_assert_max_num_queries(4):  # served from the cache: no section is loaded
        api_client.get(url)

    section = course.get_children().first().specific
    section.lessons[0].value["title"] = "Welcome back"
    section.save_revision()  # a draft changes nothing
    assert api_client.get(url).json()["title"] == "Welcome"
    section.get_latest_revision().publish()  # publishing does
    assert api_client.get(url).json()["title"] == "Welcome back"
    assert outline(api_client, course)["sections"][0]["lessons"][0]["title"] == "Welcome back"

    section.unpublish()
    assert [s["title"] for s in outline(api_client, course)["sections"]] == ["Second"]
    assert api_client.get(url).status_code == 404
    course.refresh_from_db()
    course.unpublish()
    assert api_client.get(f"/api/v2/courses/{course.pk}/").status_code == 404
