import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from cms import headless
from cms.models import CoursePage
from tests.factories import courses as cf
from tests.factories.media import VideoAssetFactory
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
        "optional",
        "video_duration",
        "progress",
    }
    assert body["lesson_count"] == 4 and body["total_minutes"] == 20
    assert body["description_html"] == "<p>About</p>"
    assert "Read this carefully" not in str(body)


@pytest.mark.parametrize("role", ROLES)
def test_lesson_authorization_matrix(role, roles, api_client, course):
    client = client_for(roles.user(role))
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


def test_quiz_answers_never_appear_in_any_content_response(roles, api_client, as_user, course):
    quiz_free = cf.course(title="Free quiz", instructors=[])
    clip = VideoAssetFactory(duration_seconds=3.0, status="ready")
    cf.section(
        quiz_free,
        lessons=[
            cf.quiz("Open quiz", free_preview=True),
            cf.video("Open video", asset=clip, free_preview=True),
        ],
    )
    scanned = 0
    for role in ROLES:
        client = client_for(roles.user(role))
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
        # A live course's expire_at changes only by publishing, which drops cached responses
        # (an expire time passing without a publish: test_expiry_passing_without_a_publish).
        headless.course_content_changed(course.pk)
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


@pytest.mark.slow
def test_outline_of_20_sections_of_10_lessons_takes_constant_queries(
    api_client, instructor, django_assert_max_num_queries
):
    picture = cf.image("big")
    clip = VideoAssetFactory(owner=instructor, duration_seconds=12.5, status="ready")
    page = cf.course(title="Big", instructors=[instructor], tags=["a"], cover_image=picture)
    content = [
        ("paragraph", "<p>Text</p>"),
        ("image", {"image": picture, "alt_text": "a", "caption": ""}),
    ]
    for n in range(20):
        cf.section(
            page,
            title=f"Section {n}",
            lessons=[cf.reading(f"L{n}.{i}", content=content) for i in range(9)]
            + [cf.video(f"V{n}", asset=clip)],
        )
    api_client.get(f"/api/v2/courses/{page.pk}/")  # renditions made on first use
    headless.course_content_changed(page.pk)  # measure a freshly built outline, not a cached one
    with django_assert_max_num_queries(8):
        body = outline(api_client, page)
    assert body["lesson_count"] == 200 and len(body["sections"]) == 20
    assert {lesson["video_duration"] for s in body["sections"] for lesson in s["lessons"]} == {
        None,
        12.5,
    }


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


def test_video_lesson_outline_and_body(as_user, api_client, instructor):
    clip = VideoAssetFactory(owner=instructor, duration_seconds=42.0, status="ready")
    page = cf.course(title="Video course", instructors=[instructor])
    cf.section(
        page,
        lessons=[cf.video("Watch", asset=clip, free_preview=True), cf.video("Gated", asset=clip)],
    )
    lessons = outline(api_client, page)["sections"][0]["lessons"]
    assert [(x["kind"], x["video_duration"]) for x in lessons] == [("video", 42.0), ("video", 42.0)]
    body = api_client.get(f"/api/v2/courses/{page.pk}/lessons/{lessons[0]['id']}/").json()["body"]
    assert body["video"]["video"]["id"] == clip.pk
    assert body["video"]["video"]["duration_seconds"] == 42.0
    checkpoint = body["checkpoints"][0]
    assert checkpoint["at_seconds"] == 1.5 and checkpoint["question"]["type"] == "numeric"
    assert body["notes_html"] == "<p>Notes under the video.</p>"
    text = str(body)
    for marker in cf.ANSWER_MARKERS:
        assert marker not in text
    gated = api_client.get(f"/api/v2/courses/{page.pk}/lessons/{lessons[1]['id']}/")
    assert gated.status_code == 403
    assert (
        as_user(instructor)
        .get(f"/api/v2/courses/{page.pk}/lessons/{lessons[1]['id']}/")
        .status_code
        == 200
    )


def test_lesson_bodies_are_cached_shorter_than_their_signed_urls_live(settings):
    settings.COURSE_CONTENT_CACHE_SECONDS = 3600
    settings.MEDIA_SIGNED_URL_SECONDS = 600
    assert headless.lesson_cache_seconds() == 300
    settings.MEDIA_SIGNED_URL_SECONDS = 7200
    assert headless.lesson_cache_seconds() == 3600
