"""Notifications in the Wagtail admin: announcements as a snippet for course staff, the
"Waiting for review" dashboard panel, the notifications menu badge and page."""

from __future__ import annotations

import pytest
from django.test import Client

from learning.notifications import kinds, services
from learning.notifications.models import Announcement, Notification
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db

SNIPPETS = "/admin/snippets/notifications/announcement/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def course(instructor, student):
    page, _ = lf.video_course(instructors=[instructor], title="Admin course")
    lf.enroll(student, page)
    return page


def test_instructors_author_announcements_of_their_courses_in_the_admin(
    course,
    instructor,
    other_instructor,
    student,
    run_tasks_in_process,
    django_capture_on_commit_callbacks,
):
    other_course, _ = lf.video_course(instructors=[other_instructor], title="Not yours")
    client = login(instructor)
    form = client.get(SNIPPETS + "add/")
    assert form.status_code == 200
    assert "Admin course" in form.content.decode()
    assert "Not yours" not in form.content.decode()  # only their own courses to pick
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SNIPPETS + "add/",
            {"course": course.pk, "title": "Office hours", "body": "Thursday 5 pm."},
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    announcement = Announcement.objects.get()
    assert announcement.author == instructor
    note = Notification.objects.get(recipient=student, kind=kinds.ANNOUNCEMENT)
    assert note.title == "Admin course: Office hours"

    refused = client.post(SNIPPETS + "add/", {"course": other_course.pk, "title": "x", "body": "y"})
    assert refused.status_code == 200  # the form refuses a course they do not teach
    assert Announcement.objects.count() == 1
    theirs = Announcement.objects.create(course=other_course, title="Theirs", body="b")
    assert client.get(f"{SNIPPETS}edit/{theirs.pk}/").status_code in (302, 403, 404)
    assert "Theirs" not in client.get(SNIPPETS).content.decode()
    assert login(student).get(SNIPPETS).status_code in (302, 403)


def test_reviewers_see_what_waits_for_review_and_everyone_their_unread_count(
    editor, instructor, course
):
    from wagtail.models import Workflow

    section = course.get_children().first().specific
    workflow = Workflow.objects.filter(active=True).first() or Workflow.objects.create(
        name="Review"
    )
    workflow.start(section, instructor)
    dashboard = login(editor).get("/admin/")
    html = dashboard.content.decode()
    assert "Waiting for review (1)" in html and section.title in html
    fragment = login(editor).get("/admin/notifications/review-panel/")
    assert section.title in fragment.content.decode()
    assert login(instructor).get("/admin/notifications/review-panel/").status_code in (302, 403)
    assert "Waiting for review" not in login(instructor).get("/admin/").content.decode()

    # Submitting notified the reviewers (Wagtail's workflow signal).
    assert Notification.objects.filter(recipient=editor, kind=kinds.WORKFLOW_SUBMITTED).exists()
    services.notify(recipients=[instructor], kind=kinds.SYSTEM_ALERT, context={"title": "Hi"})
    page = login(instructor).get("/admin/")
    assert "Notifications (1)" in page.content.decode()
    assert login(instructor).get("/admin/notifications/status/").json() == {"unread_count": 1}
    listing = login(instructor).get("/admin/notifications/")
    assert "Hi" in listing.content.decode()
    login(instructor).post("/admin/notifications/read-all/")
    assert login(instructor).get("/admin/notifications/status/").json() == {"unread_count": 0}
