from urllib.parse import quote

import pytest
from django.core import mail
from django.urls import reverse

from learning.accounts.models import InstructorRequest
from learning.accounts.roles import roles_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("run_tasks_in_process")]

MOTIVATION = "I teach watercolour painting and want to bring my classes online."


def test_request_then_editor_approves_in_the_admin(
    student, editor, as_user, client, django_capture_on_commit_callbacks
):
    api = as_user(student)
    created = api.post("/api/v2/me/instructor-request/", {"motivation": MOTIVATION})
    assert created.status_code == 201
    request_id = created.json()["id"]
    assert created.json()["status"] == "pending"
    duplicate = api.post("/api/v2/me/instructor-request/", {"motivation": MOTIVATION})
    assert (duplicate.status_code, duplicate.json()["code"]) == (409, "request_pending")

    client.force_login(editor)
    queue = client.get(reverse("instructor_requests:index"))
    assert queue.status_code == 200
    assert (
        student.email in queue.content.decode() or student.get_full_name() in queue.content.decode()
    )
    assert client.get(reverse("instructor_requests:edit", args=[request_id])).status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("instructor_requests:edit", args=[request_id]),
            {"decision": "approve", "decision_note": "Welcome aboard!"},
        )
    assert response.status_code == 302
    decided = InstructorRequest.objects.get(pk=request_id)
    assert decided.status == "approved"
    assert decided.decided_by == editor
    student.refresh_from_db()
    assert roles_of(student) == ["student", "instructor"]
    assert mail.outbox[-1].to == [student.email]
    assert "You are now an instructor" in mail.outbox[-1].subject
    assert "Welcome aboard!" in mail.outbox[-1].body

    # Deciding twice is refused and changes nothing.
    again = client.post(
        reverse("instructor_requests:edit", args=[request_id]),
        {"decision": "reject", "decision_note": ""},
    )
    assert again.status_code == 200
    assert InstructorRequest.objects.get(pk=request_id).status == "approved"

    # Now an instructor, the person cannot ask again.
    third = api.post("/api/v2/me/instructor-request/", {"motivation": MOTIVATION})
    assert (third.status_code, third.json()["code"]) == (409, "already_instructor")


def test_rejection_is_emailed_and_the_person_may_ask_again(
    student, admin_user, as_user, client, django_capture_on_commit_callbacks
):
    api = as_user(student)
    request_id = api.post("/api/v2/me/instructor-request/", {"motivation": MOTIVATION}).json()["id"]
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("instructor_requests:edit", args=[request_id]),
            {"decision": "reject", "decision_note": "Please add a sample lesson."},
        )
    assert InstructorRequest.objects.get(pk=request_id).status == "rejected"
    assert "was not approved" in " ".join(mail.outbox[-1].body.split())
    assert roles_of(student) == ["student"]
    listed = api.get("/api/v2/me/instructor-request/").json()
    assert (listed["count"], listed["next"], listed["previous"]) == (1, None, None)
    assert listed["results"][0]["status"] == "rejected"
    assert listed["results"][0]["decision_note"] == "Please add a sample lesson."
    assert api.post("/api/v2/me/instructor-request/", {"motivation": MOTIVATION}).status_code == 201


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_people_without_review_rights_cannot_decide(role, student, instructor, client):
    request = InstructorRequest.objects.create(user=student, motivation=MOTIVATION)
    person = {"student": student, "instructor": instructor}[role]
    client.force_login(person)
    url = reverse("instructor_requests:edit", args=[request.pk])
    response = client.post(url, {"decision": "approve", "decision_note": ""})
    # Students have no admin access (sent to sign in), instructors no review right.
    expected = f"/admin/login/?next={quote(url)}" if role == "student" else "/admin/"
    assert (response.status_code, response.url) == (302, expected)
    assert InstructorRequest.objects.get(pk=request.pk).status == "pending"
    assert roles_of(student) == ["student"]


def test_admin_user_list_shows_roles_and_verification(client, admin_user, student, instructor):
    from tests.factories import UserFactory

    UserFactory(email="unverified@example.com", email_verified_at=None)
    client.force_login(admin_user)
    response = client.get(reverse("wagtailusers_users:index"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Roles" in html and "Email verified" in html
    assert "instructor" in html
    filtered = client.get(reverse("wagtailusers_users:index"), {"email_verified": "false"})
    assert "unverified@example.com" in filtered.content.decode()
    assert "instructor@example.com" not in filtered.content.decode()
