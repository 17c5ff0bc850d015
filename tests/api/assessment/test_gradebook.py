"""Gradebook and statistics for instructors, grades for learners, checkpoints over HTTP."""

import csv
import io

import pytest

from learning.assessment.models import CheckpointAnswer
from tests.factories import UserFactory
from tests.factories import assessment as af
from tests.factories import courses as cf
from tests.factories import learning as lf
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db


def take(client, course, lesson_id, answers=None):
    attempt = client.post(f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/attempts/").json()
    body = {"answers": answers} if answers else {}
    response = client.post(f"/api/v2/attempts/{attempt['id']}/submit/", body)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def graded_course(student, other_student, instructor, as_user):
    course, section, lesson_id = af.quiz_course(
        instructors=[instructor], quiz=cf.quiz("=cmd|' /C calc'!A0")
    )
    student.display_name = '=HYPERLINK("http://evil")'
    student.save()
    other_student.display_name = "Zoë Plain"
    other_student.save()
    lf.enroll(student, course)
    lf.enroll(other_student, course)
    right = af.right_answers(section, lesson_id)
    take(as_user(student), course, lesson_id, right)
    take(as_user(other_student), course, lesson_id)
    return course, section, lesson_id


def test_gradebook_matrix_search_and_pagination(instructor, student, as_user, graded_course):
    course, _section, lesson_id = graded_course
    client = as_user(instructor)
    body = client.get(f"/api/v2/courses/{course.pk}/gradebook/?ordering=email").json()
    assert body["count"] == 2 and body["quizzes"][0]["lesson_id"] == str(lesson_id)
    rows = {row["learner"]["email"]: row for row in body["results"]}
    mine = rows[student.email]["grades"][0]
    assert mine == {
        "lesson_id": str(lesson_id),
        "attempts_used": 1,
        "best_percent": 100.0,
        "last_percent": 100.0,
        "passed": True,
    }
    assert rows["other.student@example.com"]["grades"][0]["passed"] is False
    found = client.get(f"/api/v2/courses/{course.pk}/gradebook/?q=zoë").json()
    assert [r["learner"]["email"] for r in found["results"]] == ["other.student@example.com"]
    paged = client.get(f"/api/v2/courses/{course.pk}/gradebook/?page_size=1").json()
    assert len(paged["results"]) == 1 and paged["next"]
    bad = client.get(f"/api/v2/courses/{course.pk}/gradebook/?ordering=salary")
    assert bad.status_code == 400 and "ordering" in bad.json()["errors"]


def test_gradebook_csv_is_parseable_and_formula_safe(instructor, student, as_user, graded_course):
    course, _section, _lesson_id = graded_course
    response = as_user(instructor).get(f"/api/v2/courses/{course.pk}/gradebook/export/")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    header, *body = rows
    assert header[:4] == ["name", "email", "status", "percent_complete"]
    # The quiz title (authored) is neutralised too.
    assert header[4] == "'=cmd|' /C calc'!A0: best percent"
    by_email = {row[1]: row for row in body}
    assert by_email[student.email][0] == '\'=HYPERLINK("http://evil")'
    assert by_email[student.email][4:] == ["100.0", "1", "yes"]
    assert by_email["other.student@example.com"][0] == "Zoë Plain"
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell


def test_question_statistics(instructor, as_user, graded_course):
    course, section, lesson_id = graded_course
    for _ in range(2):
        learner = UserFactory()
        lf.enroll(learner, course)
        client = as_user(learner)
        attempt = client.post(f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/attempts/")
        questions = {q["id"]: q for q in attempt.json()["questions"]}
        keys = af.answer_keys(section, lesson_id)
        wrong = {
            qid: af.wrong_answer(
                key, {"choice_ids": [c["id"] for c in questions[qid].get("choices", [])]}
            )
            for qid, key in keys.items()
        }
        client.post(f"/api/v2/attempts/{attempt.json()['id']}/submit/", {"answers": wrong})
    stats = as_user(instructor).get(
        f"/api/v2/courses/{course.pk}/gradebook/quizzes/{lesson_id}/questions/"
    )
    assert stats.status_code == 200
    by_type = {q["type"]: q for q in stats.json()}
    single = by_type["single_choice"]
    assert single["attempts"] == 4 and single["correct"] == 1 and single["percent_correct"] == 25
    assert single["most_chosen_wrong_choice"]["text"] == "wrong"
    assert single["most_chosen_wrong_choice"]["count"] == 2
    assert by_type["numeric"]["most_chosen_wrong_choice"] is None


def test_my_grades(student, as_user, graded_course):
    grades = as_user(student).get("/api/v2/me/grades/").json()
    assert len(grades) == 1
    quiz = grades[0]["quizzes"][0]
    assert quiz["attempts_used"] == 1 and quiz["best_percent"] == 100 and quiz["passed"]
    assert grades[0]["enrollment_status"] == "completed"


def test_checkpoint_over_http_once_with_explanation(student, as_user):
    course = cf.course()
    clip = VideoAssetFactory(duration_seconds=100.0, status="ready")
    section = cf.section(course, lessons=[cf.video("Watch", asset=clip)])
    lf.enroll(student, course)
    video = section.lessons[0]
    checkpoint_id = video.value["checkpoints"].bound_blocks[0].id
    client = as_user(student)
    url = f"/api/v2/courses/{course.pk}/lessons/{video.id}/checkpoints/{checkpoint_id}/answer/"
    assert client.post(url, {"answer": "42"}).json()["code"] == "wrong_answer_type"
    answered = client.post(url, {"answer": 41})
    assert answered.status_code == 201
    assert answered.json()["correct"] is False
    assert "SECRET-EXPLANATION" in answered.json()["explanation_html"]
    twice = client.post(url, {"answer": 42.125})
    assert twice.status_code == 409 and twice.json()["code"] == "checkpoint_already_answered"
    unknown = client.post(
        url.replace(checkpoint_id, "00000000-0000-0000-0000-000000000000"), {"answer": 1}
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "checkpoint_not_found"
    assert CheckpointAnswer.objects.get(user=student).correct is False
    mine = client.get(f"/api/v2/courses/{course.pk}/lessons/{video.id}/checkpoints/").json()
    assert [a["checkpoint_id"] for a in mine] == [checkpoint_id]
