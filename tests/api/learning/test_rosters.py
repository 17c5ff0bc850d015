import csv
import io

import pytest

from learning.enrollment.models import Enrollment
from tests.factories import UserFactory
from tests.factories import learning as lf
from tests.support.roles import ROLES, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor, student, other_student):
    page, (_video, _reading) = lf.video_course(instructors=[instructor], title="Roster course")
    lf.enroll(student, page)
    lf.enroll(other_student, page)
    return page


def roster_url(course, suffix: str = "") -> str:
    return f"/api/v2/courses/{course.pk}/roster/{suffix}"


EXPECTED = {
    "anonymous": 401,
    "student": 403,
    "other_student": 403,
    "instructor": 200,
    "other_instructor": 403,
    "editor": 200,
    "admin_user": 200,
}


@pytest.mark.parametrize("role", ROLES)
def test_roster_authorization_matrix(role, roles, course):
    client = client_for(roles.user(role))
    for url in (roster_url(course), roster_url(course, "export/")):
        response = client.get(url)
        assert response.status_code == EXPECTED[role], (url, response.content)
        if EXPECTED[role] == 403:
            assert response.json()["code"] == "not_course_staff"
    response = client.post(roster_url(course), {"email": "someone@example.com"})
    assert response.status_code == {200: 202}.get(EXPECTED[role], EXPECTED[role])
    invitations = client.get(roster_url(course, "invitations/"))
    assert invitations.status_code == EXPECTED[role]
    enrollment = Enrollment.objects.filter(course=course).first()
    response = client.delete(roster_url(course, f"{enrollment.pk}/"))
    assert response.status_code == {200: 204}.get(EXPECTED[role], EXPECTED[role])
    still = Enrollment.objects.get(pk=enrollment.pk).status
    assert still == ("cancelled" if EXPECTED[role] == 200 else "active")


def test_roster_lists_progress_search_and_ordering(
    student, other_student, instructor, as_user, course, django_assert_max_num_queries
):
    video = course.lesson_index.get(kind="video").lesson_id
    lf.watch(as_user(student), student, video, 0, 100)
    for _ in range(25):
        lf.enroll(UserFactory(), course)
    client = as_user(instructor)
    with django_assert_max_num_queries(8):
        response = client.get(roster_url(course) + "?page_size=100")
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 27
    top = client.get(roster_url(course) + "?ordering=-progress").json()["results"][0]
    assert top["learner"]["email"] == student.email
    assert top["percent_complete"] == 37  # 3 of 8 minutes
    found = client.get(roster_url(course) + f"?q={other_student.email[:8].upper()}").json()
    assert [r["learner"]["id"] for r in found["results"]] == [other_student.pk]
    bad = client.get(roster_url(course) + "?ordering=salary")
    assert bad.status_code == 400 and "ordering" in bad.json()["errors"]


def test_roster_csv(student, instructor, as_user, course):
    student.display_name = "=HYPERLINK(1)"
    student.save()
    response = as_user(instructor).get(roster_url(course, "export/") + "?ordering=email")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["name", "email", "status"]
    assert sorted(row[1] for row in rows[1:]) == sorted(
        Enrollment.objects.filter(course=course).values_list("user__email", flat=True)
    )
    # A name that a spreadsheet would run as a formula is quoted.
    assert "'=HYPERLINK(1)" in [row[0] for row in rows]


def test_invite_and_remove(
    instructor,
    as_user,
    course,
    mailoutbox,
    django_capture_on_commit_callbacks,
    run_tasks_in_process,
):
    learner = UserFactory(email="Invited.Person@example.com", email_verified_at=None)
    client = as_user(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(roster_url(course), {"email": "invited.person@EXAMPLE.com"})
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "invite"
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert (response.json()["id"], response.json()["course_id"]) == (enrollment.pk, course.pk)
    assert set(response.json()) == {
        "id",
        "course_id",
        "learner",
        "status",
        "source",
        "enrolled_at",
        "completed_at",
        "last_activity_at",
        "percent_complete",
    }
    assert enrollment.enrolled_by == instructor
    assert len(mailoutbox) == 1 and "Roster course" in mailoutbox[0].subject
    again = client.post(roster_url(course), {"email": learner.email})
    assert again.status_code == 409 and again.json()["code"] == "already_enrolled"
    assert client.post(roster_url(course), {"email": "nope"}).status_code == 400
    assert client.delete(roster_url(course, f"{enrollment.pk}/")).status_code == 204
    assert client.delete(roster_url(course, f"{enrollment.pk}/")).status_code == 404
    assert Enrollment.objects.get(pk=enrollment.pk).status == "cancelled"


def test_invites_respect_capacity(instructor, as_user, course):
    course.capacity = 2
    course.save_revision().publish()
    response = as_user(instructor).post(roster_url(course), {"email": UserFactory().email})
    assert response.status_code == 409 and response.json()["code"] == "course_full"


def test_unknown_and_unpublished_courses(instructor, other_instructor, student, as_user, course):
    course.unpublish()
    # Its staff still see who enrolled; others cannot tell it exists.
    assert as_user(instructor).get(roster_url(course)).json()["count"] == 2
    assert as_user(other_instructor).get(roster_url(course)).status_code == 404
    assert as_user(student).get(roster_url(course)).status_code == 404
    assert as_user(instructor).get("/api/v2/courses/999999/roster/").status_code == 404


def test_inviting_an_address_without_an_account(
    instructor,
    as_user,
    api_client,
    course,
    mailoutbox,
    django_capture_on_commit_callbacks,
    run_tasks_in_process,
):
    from learning.accounts.tokens import make_verification_token

    client = as_user(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(roster_url(course), {"email": "New.Learner@Example.com"})
    assert response.status_code == 202, response.content
    invitation = response.json()
    assert invitation["email"] == "new.learner@example.com" and invitation["status"] == "pending"
    assert len(mailoutbox) == 1
    assert "register?email=new.learner%40example.com" in mailoutbox[0].body
    again = client.post(roster_url(course), {"email": "new.learner@example.com"})
    assert again.status_code == 409 and again.json()["code"] == "already_invited"
    listed = client.get(roster_url(course, "invitations/")).json()["results"]
    assert [i["id"] for i in listed] == [invitation["id"]]

    # The person signs up with another letter case and verifies the address: enrolled.
    learner = UserFactory(email="new.learner@EXAMPLE.com", email_verified_at=None)
    assert not Enrollment.objects.filter(user=learner).exists()
    token = make_verification_token(learner)
    assert api_client.post("/api/v2/auth/verify-email/", {"token": token}).status_code == 200
    enrollment = Enrollment.objects.get(user=learner, course=course)
    assert enrollment.source == "invite" and enrollment.enrolled_by == instructor
    assert client.get(roster_url(course, "invitations/")).json()["results"] == []


def test_revoking_an_invitation(instructor, other_instructor, as_user, api_client, course):
    from learning.accounts.tokens import make_verification_token

    client = as_user(instructor)
    invitation = client.post(roster_url(course), {"email": "later@example.com"}).json()
    url = roster_url(course, f"invitations/{invitation['id']}/")
    assert as_user(other_instructor).delete(url).status_code == 403
    assert client.delete(url).status_code == 204
    assert client.delete(url).status_code == 404
    learner = UserFactory(email="later@example.com", email_verified_at=None)
    api_client.post("/api/v2/auth/verify-email/", {"token": make_verification_token(learner)})
    assert not Enrollment.objects.filter(user=learner).exists()
