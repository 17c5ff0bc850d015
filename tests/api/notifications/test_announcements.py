import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from learning.notifications import kinds
from learning.notifications.models import Announcement, Notification
from tests.factories import UserFactory
from tests.factories import learning as lf
from tests.support.roles import ROLES_WITH_UNVERIFIED, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(instructor, student):
    page, _ = lf.video_course(instructors=[instructor], title="Announced course")
    lf.enroll(student, page)
    return page


@pytest.fixture
def existing(course, instructor):
    return Announcement.objects.create(
        course=course, author=instructor, title="Welcome", body="Hello all"
    )


def url(course, suffix=""):
    return f"/api/v2/courses/{course.pk}/announcements/{suffix}"


READ = {
    "anonymous": 401,
    "unverified": 403,
    "student": 200,
    "other_student": 403,
    "instructor": 200,
    "other_instructor": 403,
    "editor": 200,
    "admin_user": 200,
}
WRITE = {**READ, "student": 403}


@pytest.mark.parametrize("role", ROLES_WITH_UNVERIFIED)
def test_announcements_authorization_matrix(
    role, request, api_client, as_user, course, existing, run_tasks_in_process
):
    client = client_for(role, request, api_client, as_user)
    response = client.get(url(course))
    assert response.status_code == READ[role]
    if READ[role] == 403:
        assert response.json()["code"] == "not_course_member"
    assert client.get(url(course, f"{existing.pk}/")).status_code == READ[role]

    before = Announcement.objects.count()
    response = client.post(url(course), {"title": "Exam moved", "body": "To Friday."})
    assert response.status_code == {200: 201}.get(WRITE[role], WRITE[role])
    if WRITE[role] == 403:
        assert response.json()["code"] == "not_course_staff"
    assert Announcement.objects.count() == before + (WRITE[role] == 200)

    response = client.patch(url(course, f"{existing.pk}/"), {"pinned": True, "title": "Hi!"})
    assert response.status_code == WRITE[role]
    existing.refresh_from_db()
    assert (existing.pinned, existing.title == "Hi!") == (
        (True, True) if WRITE[role] == 200 else (False, False)
    )

    response = client.delete(url(course, f"{existing.pk}/"))
    assert response.status_code == {200: 204}.get(WRITE[role], WRITE[role])
    assert Announcement.objects.filter(pk=existing.pk).exists() == (WRITE[role] != 200)


def test_unknown_or_unpublished_courses_are_not_found(as_user, instructor, student, editor):
    from tests.factories import courses as cf

    draft = cf.course(instructors=[instructor], publish=False, title="Draft")
    assert as_user(student).get(url(draft)).status_code == 404
    assert as_user(editor).get(url(draft)).status_code == 200
    assert as_user(instructor).get("/api/v2/courses/999999/announcements/").status_code == 404


def test_posting_notifies_every_current_learner_in_batches(
    settings,
    course,
    instructor,
    as_user,
    run_tasks_in_process,
    django_capture_on_commit_callbacks,
):
    from learning.notifications import services

    settings.NOTIFICATIONS_FANOUT_BATCH_SIZE = 10
    for _ in range(24):
        lf.enroll(UserFactory(), course)
    left = UserFactory()
    lf.enroll(left, course)
    from learning.enrollment import services as enrollment_services
    from learning.enrollment.models import Enrollment

    enrollment_services.enrollment_cancel(enrollment=Enrollment.objects.get(user=left))
    client = as_user(instructor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url(course), {"title": "Exam moved", "body": "To Friday.", "pinned": True}
        )
    assert response.status_code == 201
    rows = Notification.objects.filter(kind=kinds.ANNOUNCEMENT)
    assert rows.count() == 25  # the student and 24 others; not the one who left
    assert not rows.filter(recipient=left).exists()
    assert rows.first().title == "Announced course: Exam moved"
    assert len(mail.outbox) == 25
    assert all("List-Unsubscribe" in m.extra_headers for m in mail.outbox)

    # Queries grow with batches, not learners: 3 batches of 10 learners, 4 queries each
    # (the batch's ids, who is active, their preferences, one insert), and the empty batch.
    Notification.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        services.fanout(
            audience={"course": course.pk},
            kind=kinds.COURSE_UPDATED,
            context={"course_title": course.title, "section_title": "Part two"},
            course_id=course.pk,
        )
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 3 * 4 + 1, statements
    assert Notification.objects.filter(kind=kinds.COURSE_UPDATED).count() == 25


def test_learners_list_pinned_first(course, student, instructor, as_user):
    from learning.notifications import services

    old = services.announcement_create(course=course, author=instructor, title="Old", body="b")
    services.announcement_create(course=course, author=instructor, title="New", body="b")
    services.announcement_update(announcement=old, pinned=True)
    titles = [a["title"] for a in as_user(student).get(url(course)).json()["results"]]
    assert titles == ["Old", "New"]


def test_bad_input(course, instructor, as_user):
    response = as_user(instructor).post(url(course), {"title": "", "body": "x"})
    assert response.status_code == 400 and "title" in response.json()["errors"]
    assert as_user(instructor).patch(url(course, "999999/"), {"pinned": True}).status_code == 404
