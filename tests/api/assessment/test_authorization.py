"""Authorization matrix of the assessment endpoints x every role; refused calls change
nothing."""

import pytest

from learning.assessment.models import CheckpointAnswer, QuizAttempt, QuizGrade
from tests.factories import assessment as af
from tests.factories import courses as cf
from tests.factories import learning as lf
from tests.factories.media import VideoAssetFactory
from tests.support.roles import ROLES, client_for

pytestmark = pytest.mark.django_db

ALL_ROLES = (*ROLES, "unverified")

# Who may take the course's quiz and answer its checkpoints: its learners and its staff.
TAKE = {
    "anonymous": 401,
    "unverified": 403,
    "student": 201,
    "other_student": 403,
    "instructor": 201,
    "other_instructor": 403,
    "editor": 201,
    "admin_user": 201,
}
# The course's gradebook: its instructors and reviewers.
STAFF = {
    "anonymous": 401,
    "unverified": 403,
    "student": 403,
    "other_student": 403,
    "instructor": 200,
    "other_instructor": 403,
    "editor": 200,
    "admin_user": 200,
}


@pytest.fixture
def world(student, instructor, as_user):
    course = cf.course(instructors=[instructor], title="Matrix course")
    clip = VideoAssetFactory(duration_seconds=100.0, status="ready")
    section = cf.section(course, lessons=[cf.video("Watch", asset=clip), cf.quiz("Check")])
    video_id, quiz_id = (child.id for child in section.lessons)
    checkpoint_id = section.lessons[0].value["checkpoints"].bound_blocks[0].id
    lf.enroll(student, course)
    client = as_user(student)
    attempt = client.post(f"/api/v2/courses/{course.pk}/lessons/{quiz_id}/attempts/").json()
    return {
        "course": course,
        "section": section,
        "video_id": video_id,
        "quiz_id": quiz_id,
        "checkpoint_id": checkpoint_id,
        "attempt": attempt,
    }


def snapshot():
    return (
        list(QuizAttempt.objects.order_by("pk").values_list("pk", "status", "answers")),
        list(QuizGrade.objects.order_by("pk").values_list("pk", "attempts_started")),
        CheckpointAnswer.objects.count(),
    )


def expect(response, status, where):
    assert response.status_code == status, (where, response.content)


@pytest.mark.parametrize("role", ALL_ROLES)
def test_assessment_authorization_matrix(role, request, api_client, as_user, world):
    client = client_for(role, request, api_client, as_user)
    course, quiz_id, attempt = world["course"], world["quiz_id"], world["attempt"]
    base = f"/api/v2/courses/{course.pk}"
    denied_take = TAKE[role] >= 400

    before = snapshot()
    started = client.post(f"{base}/lessons/{quiz_id}/attempts/")
    if role == "student":
        expect(started, 200, "resume")  # the student's attempt is open
    else:
        expect(started, TAKE[role], "start")
    listing = client.get(f"{base}/lessons/{quiz_id}/attempts/")
    expect(listing, TAKE[role] if denied_take else 200, "list")
    checkpoint = client.post(
        f"{base}/lessons/{world['video_id']}/checkpoints/{world['checkpoint_id']}/answer/",
        {"answer": 1.0},
    )
    expect(checkpoint, TAKE[role], "checkpoint")
    mine = client.get(f"{base}/lessons/{world['video_id']}/checkpoints/")
    expect(mine, TAKE[role] if denied_take else 200, "my checkpoints")
    if denied_take:
        assert started.json()["code"] in {"enrollment_required", "not_authenticated"}
        assert snapshot() == before

    # The student's attempt is theirs alone.
    before = snapshot()
    own = role == "student"
    missing = 401 if role == "anonymous" else 404
    answers = af.right_answers(world["section"], quiz_id)
    expect(client.get(f"/api/v2/attempts/{attempt['id']}/"), 200 if own else missing, "read")
    saved = client.put(f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": answers})
    expect(saved, 200 if own else missing, "save")
    submitted = client.post(f"/api/v2/attempts/{attempt['id']}/submit/", {"answers": answers})
    expect(submitted, 200 if own else missing, "submit")
    if not own:
        if role != "anonymous":
            assert submitted.json()["code"] == "attempt_not_found"
        assert snapshot() == before
    else:
        assert submitted.json()["passed"] is True

    grades = client.get("/api/v2/me/grades/")
    expect(grades, 401 if role == "anonymous" else 200, "grades")
    if role not in ("anonymous", "student"):
        # Nobody else sees the student's grades as their own.
        assert all(
            quiz["attempts_used"] == (1 if TAKE[role] == 201 else 0)
            for row in grades.json()
            for quiz in row["quizzes"]
        )

    before = snapshot()
    for url in (
        f"{base}/gradebook/",
        f"{base}/gradebook/export/",
        f"{base}/gradebook/quizzes/{quiz_id}/questions/",
    ):
        response = client.get(url)
        expect(response, STAFF[role], url)
        if STAFF[role] == 403:
            assert response.json()["code"] == "not_course_staff"
    assert snapshot() == before
