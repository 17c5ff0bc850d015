"""Acceptance: an instructor builds a course with every lesson kind in the Wagtail admin and
submits it; an editor previews and approves it; it appears in the API; another instructor
cannot edit it. Plus publish rights and scheduled publishing."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import Page, WorkflowState
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import CoursePage, SectionPage
from tests.factories import courses as cf
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db

EMBED_URL = "https://videos.example.com/watch/intro"


def _list(values, ids=None):
    data = {
        str(i): {"value": value, "deleted": "", "order": str(i), **({"id": ids[i]} if ids else {})}
        for i, value in enumerate(values)
    }
    data["count"] = str(len(values))
    return data


def course_form(instructor, category, **overrides) -> dict:
    data = {
        "title": "Python from zero",
        "slug": "python-from-zero",
        "subtitle": "Learn by doing",
        "description": rich_text("<p>A first course in Python.</p>"),
        "learning_outcomes": streamfield([("outcome", "Write small programs")]),
        "prerequisites": rich_text("<p>None</p>"),
        "category": str(category.pk),
        "tags": "python, beginner",
        "level": "beginner",
        "language": "en",
        "price": "0",
        "currency": "USD",
        "course_instructors": inline_formset([{"user": str(instructor.pk)}]),
        "enrollment_open": "on",
        "capacity": "",
        "video_completion_threshold": "90",
        "certificate_enabled": "on",
        "ai_tutor_enabled": "on",
        "comments": inline_formset([]),
    }
    data.update(overrides)
    return nested_form_data(data)


def _question(prompt, **fields):
    return {
        "prompt": rich_text(f"<p>{prompt}</p>"),
        "explanation": rich_text("<p>SECRET-EXPLANATION</p>"),
        "points": "1",
        **fields,
    }


def all_kinds_lessons(image, document, clip) -> dict:
    video = {
        "title": "Video with a checkpoint",
        "summary": "",
        "estimated_minutes": "4",
        "free_preview": "",
        "video": {"video": str(clip.pk), "title": "Intro", "caption": ""},
        "checkpoints": _list(
            [
                {
                    "at_seconds": "2",
                    "question": streamfield(
                        [("true_false", _question("Seen?", correct_answer="true"))]
                    ),
                }
            ]
        ),
        "notes": rich_text("<p>Notes</p>"),
    }
    reading = {
        "title": "Reading with everything",
        "summary": "All content blocks",
        "estimated_minutes": "7",
        "free_preview": "on",
        "content": streamfield(
            [
                ("paragraph", rich_text("<p>Hello</p>")),
                ("heading", {"text": "Part one", "level": "h2"}),
                ("image", {"image": str(image.pk), "alt_text": "A chart", "caption": ""}),
                ("code", {"language": "python", "code": "print(1)", "caption": ""}),
                ("callout", {"style": "tip", "title": "Tip", "text": rich_text("<p>Do it</p>")}),
                ("embed", {"embed": EMBED_URL, "caption": ""}),
                ("document", {"document": str(document.pk), "description": "Worksheet"}),
            ]
        ),
    }
    quiz = {
        "title": "Quiz with every question type",
        "summary": "",
        "estimated_minutes": "5",
        "free_preview": "",
        "instructions": rich_text("<p>Go</p>"),
        "pass_mark": "70",
        "attempt_limit": "2",
        "shuffle": "on",
        "questions": streamfield(
            [
                (
                    "single_choice",
                    _question(
                        "One",
                        choices=_list(
                            [{"text": "yes", "correct": "on"}, {"text": "no", "correct": ""}]
                        ),
                    ),
                ),
                (
                    "multiple_choice",
                    _question(
                        "Many",
                        choices=_list(
                            [{"text": "a", "correct": "on"}, {"text": "b", "correct": ""}]
                        ),
                    ),
                ),
                ("true_false", _question("TF", correct_answer="false")),
                ("numeric", _question("Num", answer="42.125", tolerance="0", unit="")),
                (
                    "short_text",
                    _question(
                        "Text", accepted_answers=_list(["SECRET-ACCEPTED"]), case_sensitive=""
                    ),
                ),
            ]
        ),
    }
    return streamfield([("video", video), ("reading", reading), ("quiz", quiz)])


def section_form(title, lessons) -> dict:
    return nested_form_data(
        {
            "title": title,
            "slug": title.lower().replace(" ", "-"),
            "summary": "",
            "lessons": lessons,
            "comments": inline_formset([]),
        }
    )


def assert_saved(response):
    if response.status_code != 302:
        form = response.context and response.context.get("form")
        pytest.fail(f"not saved ({response.status_code}): {form.errors if form else ''}")


@pytest.fixture
def authoring(db, instructor):
    catalog = cf.catalog()
    image = cf.image("chart")
    document = get_document_model().objects.create(
        title="Worksheet",
        file=cf.ImageFile(open(__file__, "rb"), name="sheet.txt"),  # noqa: SIM115
    )
    Embed.objects.create(
        hash=get_embed_hash(EMBED_URL),
        url=EMBED_URL,
        html='<iframe src="https://videos.example.com/embed/intro"></iframe>',
        type="video",
        provider_name="Example",
    )
    return {
        "catalog": catalog,
        "image": image,
        "document": document,
        "category": cf.category(),
        "clip": VideoAssetFactory(owner=instructor, duration_seconds=8.0, status="ready"),
    }


def _submit_course(client, instructor, authoring) -> tuple[CoursePage, SectionPage]:
    add_course = reverse(
        "wagtailadmin_pages:add", args=("cms", "coursepage", authoring["catalog"].pk)
    )
    data = course_form(instructor, authoring["category"])
    data["action-submit"] = "Submit for review"
    assert_saved(client.post(add_course, data))
    course = CoursePage.objects.get(slug="python-from-zero")
    add_section = reverse("wagtailadmin_pages:add", args=("cms", "sectionpage", course.pk))
    data = section_form(
        "Getting started",
        all_kinds_lessons(authoring["image"], authoring["document"], authoring["clip"]),
    )
    data["action-submit"] = "Submit for review"
    assert_saved(client.post(add_section, data))
    return course, SectionPage.objects.get(slug="getting-started")


def _approve(client, page):
    state = WorkflowState.objects.get(
        base_content_type__isnull=False, object_id=str(page.pk), status="in_progress"
    )
    task_state = state.current_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(page.pk, "approve", task_state.pk))
    response = client.post(url, {"comment": "Looks good"})
    assert response.status_code == 302, response.content[:500]


def test_instructor_builds_submits_editor_previews_approves_and_it_is_live(
    client, api_client, instructor, other_instructor, editor, authoring, settings
):
    client.force_login(instructor)
    course, section = _submit_course(client, instructor, authoring)
    assert not course.live and course.workflow_in_progress
    assert section.workflow_in_progress
    # Instructors cannot publish.
    assert not course.permissions_for_user(instructor).can_publish()
    assert api_client.get(f"/api/v2/courses/{course.pk}/").status_code == 404

    # The editor previews the section under review. With the frontend preview switched off the
    # preview is the site's own section page: every lesson in full, no answers (the frontend's
    # preview is the browser journey's business).
    settings.HEADLESS_PREVIEW_CLIENT_URL = ""
    client.force_login(editor)
    task_id = section.current_workflow_task.pk
    preview = client.get(reverse("wagtailadmin_pages:workflow_preview", args=(section.pk, task_id)))
    assert preview.status_code == 200
    body = preview.content.decode()
    kinds = re.findall(r'data-kind="(\w+)"', body)
    assert kinds == ["video", "reading", "quiz"]
    for marker in cf.ANSWER_MARKERS:
        assert marker not in body

    # Approving the course publishes the section waiting with it.
    _approve(client, course)
    course.refresh_from_db()
    section.refresh_from_db()
    assert course.live and section.live

    detail = api_client.get(f"/api/v2/courses/{course.pk}/").json()
    assert detail["title"] == "Python from zero"
    assert detail["instructors"] == [{"id": instructor.pk, "name": instructor.public_name}]
    lessons = detail["sections"][0]["lessons"]
    assert [lesson["kind"] for lesson in lessons] == ["video", "reading", "quiz"]
    assert lessons[0]["video_duration"] == 8.0
    reading = api_client.get(f"/api/v2/courses/{course.pk}/lessons/{lessons[1]['id']}/").json()
    types = [block["type"] for block in reading["body"]["content"]]
    assert types == ["paragraph", "heading", "image", "code", "callout", "embed", "document"]
    image_block = reading["body"]["content"][2]
    assert image_block["image"]["renditions"]["medium"]["url"].startswith(
        "http://testserver/media/"
    )
    catalog = api_client.get("/api/v2/courses/").json()
    assert [c["id"] for c in catalog["results"]] == [course.pk]
    assert catalog["results"][0]["lesson_count"] == 3

    # The second instructor cannot edit the course or its section, nor add sections.
    client.force_login(other_instructor)
    for page in (course, section):
        response = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
        assert (response.status_code, response.url) == (302, "/admin/"), page
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(course.pk,)),
        course_form(other_instructor, authoring["category"], title="Hijacked"),
    )
    assert (response.status_code, response.url) == (302, "/admin/")
    course.refresh_from_db()
    assert course.title == "Python from zero"
    assert course.get_latest_revision_as_object().title == "Python from zero"
    add_section = reverse("wagtailadmin_pages:add", args=("cms", "sectionpage", course.pk))
    response = client.get(add_section)
    assert (response.status_code, response.url) == (302, "/admin/")

    # The course's own instructor still can edit it (and save a new draft).
    client.force_login(instructor)
    response = client.post(
        reverse("wagtailadmin_pages:edit", args=(course.pk,)),
        course_form(instructor, authoring["category"], title="Python from zero, 2nd ed."),
    )
    assert_saved(response)
    course.refresh_from_db()
    assert course.get_latest_revision_as_object().title == "Python from zero, 2nd ed."


def test_editor_publishes_unpublishes_and_instructor_cannot(client, instructor, editor, authoring):
    course = cf.course(
        title="Draft course", instructors=[instructor], owner=instructor, publish=False
    )
    client.force_login(instructor)
    data = course_form(instructor, authoring["category"], title="Draft course", slug=course.slug)
    data["action-publish"] = "Publish"
    client.post(reverse("wagtailadmin_pages:edit", args=(course.pk,)), data)
    course.refresh_from_db()
    assert not course.live

    client.force_login(editor)
    data = course_form(instructor, authoring["category"], title="Draft course", slug=course.slug)
    data["action-publish"] = "Publish"
    assert_saved(client.post(reverse("wagtailadmin_pages:edit", args=(course.pk,)), data))
    course.refresh_from_db()
    assert course.live
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=(course.pk,)))
    assert response.status_code == 302
    course.refresh_from_db()
    assert not course.live


def test_scheduled_publishing_goes_live_when_the_time_comes(
    client, api_client, instructor, editor, authoring
):
    course = cf.course(title="Later", instructors=[instructor], publish=False)
    cf.section(course, lessons=[cf.reading("One", free_preview=True)])
    client.force_login(editor)
    go_live = timezone.now() + timedelta(hours=1)
    data = course_form(
        instructor,
        authoring["category"],
        title="Later",
        slug=course.slug,
        go_live_at=go_live.strftime("%Y-%m-%d %H:%M:%S"),
    )
    data["action-publish"] = "Publish"
    assert_saved(client.post(reverse("wagtailadmin_pages:edit", args=(course.pk,)), data))
    course.refresh_from_db()
    assert not course.live
    assert course.scheduled_revision is not None
    assert api_client.get(f"/api/v2/courses/{course.pk}/").status_code == 404

    call_command("publish_scheduled", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Page.objects.get(pk=course.pk).live  # not yet

    # The hour passes: the approved go-live moment of the scheduled revision is now behind us.
    from wagtail.models import Revision

    from cms.tasks import publish_scheduled

    revision = Revision.objects.get(pk=course.scheduled_revision.pk)
    moment = timezone.now() - timedelta(seconds=1)
    revision.approved_go_live_at = moment
    revision.content["go_live_at"] = moment.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])

    publish_scheduled()  # the periodic task beat runs every minute
    assert Page.objects.get(pk=course.pk).live
    assert api_client.get(f"/api/v2/courses/{course.pk}/").status_code == 200


def test_an_instructor_is_listed_once(client, instructor, editor, authoring):
    course = cf.course(title="Twice", instructors=[instructor], publish=False)
    client.force_login(editor)
    data = course_form(
        instructor,
        authoring["category"],
        title="Twice",
        slug=course.slug,
        course_instructors=inline_formset(
            [{"user": str(instructor.pk)}, {"user": str(instructor.pk)}]
        ),
    )
    response = client.post(reverse("wagtailadmin_pages:edit", args=(course.pk,)), data)
    assert response.status_code == 200  # the form again, with the error
    assert "already an instructor" in response.content.decode()
