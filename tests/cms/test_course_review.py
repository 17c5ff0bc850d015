"""A course is reviewed and published as one unit with its changed sections: submitting the
course submits them, approving it publishes them in the same transaction, sending it back
withdraws them; the review dashboard says which course a section belongs to, and each
decision is confirmed."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from cms.models import CoursePage, SectionPage
from tests.cms.test_course_authoring import (
    all_kinds_lessons,
    assert_saved,
    course_form,
    section_form,
)

pytestmark = pytest.mark.django_db


def _draft_course_with_sections(client, instructor, authoring, titles=("Getting started",)):
    add_course = reverse(
        "wagtailadmin_pages:add", args=("cms", "coursepage", authoring["catalog"].pk)
    )
    assert_saved(client.post(add_course, course_form(instructor, authoring["category"])))
    course = CoursePage.objects.get(slug="python-from-zero")
    add_section = reverse("wagtailadmin_pages:add", args=("cms", "sectionpage", course.pk))
    for title in titles:
        lessons = all_kinds_lessons(authoring["image"], authoring["document"], authoring["clip"])
        assert_saved(client.post(add_section, section_form(title, lessons)))
    return course, list(SectionPage.objects.child_of(course).order_by("path"))


def _submit(client, instructor, authoring, course):
    data = course_form(instructor, authoring["category"])
    data["action-submit"] = "Submit for review"
    return client.post(reverse("wagtailadmin_pages:edit", args=(course.pk,)), data, follow=True)


def _decide(client, page, action, comment=""):
    state = WorkflowState.objects.get(object_id=str(page.pk), status="in_progress")
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=(page.pk, action, state.current_task_state.pk)
    )
    return client.post(url, {"comment": comment}, follow=True)


def _catalog_ids(api_client):
    return [c["id"] for c in api_client.get("/api/v2/courses/").json()["results"]]


def test_approving_a_course_publishes_its_submitted_sections_in_one_step(
    client, api_client, instructor, editor, authoring
):
    client.force_login(instructor)
    course, sections = _draft_course_with_sections(
        client, instructor, authoring, titles=("Getting started", "Going further")
    )
    response = _submit(client, instructor, authoring, course)
    assert "Submitted with it: Getting started, Going further." in response.content.decode()
    for page in (course, *sections):
        page.refresh_from_db()
        assert page.workflow_in_progress and not page.live
    assert _catalog_ids(api_client) == []

    # The editor's dashboard names the course of each section waiting for review.
    client.force_login(editor)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert "Python from zero → Getting started" in dashboard
    assert "Python from zero → Going further" in dashboard

    response = _decide(client, course, "approve", "Good")
    assert "“Python from zero” was approved and published. 2 sections are live." in (
        response.content.decode()
    )
    for page in (course, *sections):
        page.refresh_from_db()
        assert page.live and not page.workflow_in_progress
    catalog = api_client.get("/api/v2/courses/").json()["results"]
    assert [c["id"] for c in catalog] == [course.pk]
    assert catalog[0]["lesson_count"] == 6
    detail = api_client.get(f"/api/v2/courses/{course.pk}/").json()
    assert [s["title"] for s in detail["sections"]] == ["Getting started", "Going further"]


def test_approval_is_atomic_the_catalog_never_lists_the_course_without_its_sections(
    client, api_client, instructor, editor, authoring, monkeypatch
):
    client.force_login(instructor)
    course, (section,) = _draft_course_with_sections(client, instructor, authoring)
    _submit(client, instructor, authoring, course)

    from cms import services

    def broken(*, course, user):
        raise RuntimeError("storage hiccup while publishing a section")

    monkeypatch.setattr(services, "course_sections_publish_with", broken)
    client.force_login(editor)
    client.raise_request_exception = False
    response = _decide(client, course, "approve")
    assert response.status_code == 500
    course.refresh_from_db()
    section.refresh_from_db()
    assert not course.live and not section.live
    assert course.workflow_in_progress and section.workflow_in_progress
    assert _catalog_ids(api_client) == []


def test_sending_a_course_back_withdraws_its_sections_and_resubmitting_bundles_them(
    client, api_client, instructor, editor, authoring, mailoutbox
):
    client.force_login(instructor)
    course, (section,) = _draft_course_with_sections(client, instructor, authoring)
    _submit(client, instructor, authoring, course)

    client.force_login(editor)
    response = _decide(client, course, "reject", "Add a summary to the section, please.")
    assert "sent back to its authors" in response.content.decode()
    section.refresh_from_db()
    assert not section.workflow_in_progress
    # The instructor hears about it, with the comment.
    to_instructor = [m for m in mailoutbox if instructor.email in m.to]
    assert any("Add a summary to the section" in m.body for m in to_instructor)

    client.force_login(instructor)
    _submit(client, instructor, authoring, course)
    section.refresh_from_db()
    assert section.workflow_in_progress

    client.force_login(editor)
    _decide(client, course, "approve")
    course.refresh_from_db()
    section.refresh_from_db()
    assert course.live and section.live
    assert _catalog_ids(api_client) == [course.pk]


def test_new_course_lists_its_author_and_does_not_autosave(client, instructor, authoring):
    client.force_login(instructor)
    add_course = reverse(
        "wagtailadmin_pages:add", args=("cms", "coursepage", authoring["catalog"].pk)
    )
    page = client.get(add_course).content.decode()
    assert f'<option value="{instructor.pk}" selected>' in page
    # No autosave before the first save: nothing is created while the form is open.
    assert "w-autosave#save" not in page
    assert "data-w-autosave-interval-value" not in page


def test_a_slug_clash_offers_a_free_slug(client, instructor, authoring):
    client.force_login(instructor)
    course, _ = _draft_course_with_sections(client, instructor, authoring)
    add_section = reverse("wagtailadmin_pages:add", args=("cms", "sectionpage", course.pk))
    lessons = all_kinds_lessons(authoring["image"], authoring["document"], authoring["clip"])
    response = client.post(add_section, section_form("Getting started", lessons))
    assert response.status_code == 200
    assert (
        "Another page here already uses the slug “getting-started”. "
        "Use “getting-started-2” instead (Promote tab)."
    ) in response.content.decode()
    assert SectionPage.objects.child_of(course).count() == 1


def test_editing_a_course_in_review_says_so_and_the_reviewed_version_goes_live(
    client, instructor, editor, authoring
):
    client.force_login(instructor)
    course, _ = _draft_course_with_sections(client, instructor, authoring)
    _submit(client, instructor, authoring, course)
    edit = reverse("wagtailadmin_pages:edit", args=(course.pk,))
    assert "This page is currently awaiting moderation." in client.get(edit).content.decode()
    client.post(edit, course_form(instructor, authoring["category"], title="Changed later"))
    course.refresh_from_db()
    assert course.get_latest_revision_as_object().title == "Python from zero"

    client.force_login(editor)
    _decide(client, course, "approve")
    course.refresh_from_db()
    assert course.live and course.title == "Python from zero"
    assert not course.has_unpublished_changes
