"""Quiz attempts over HTTP: the learner's whole path, resume, feedback policy, deadlines,
edits while an attempt is open, and refused input (distinct codes, nothing recorded)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from learning.analytics.models import LearningEvent
from learning.assessment.models import QuizAttempt, QuizGrade
from learning.enrollment.models import Enrollment
from learning.progress.models import LessonProgress
from tests.factories import assessment as af
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db


def attempts_url(course, lesson_id) -> str:
    return f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/attempts/"


def start(client, course, lesson_id, expected=201):
    response = client.post(attempts_url(course, lesson_id))
    assert response.status_code == expected, response.content
    return response.json()


def save(client, attempt_id, answers, expected=200):
    response = client.put(f"/api/v2/attempts/{attempt_id}/answers/", {"answers": answers})
    assert response.status_code == expected, response.content
    return response.json()


def submit(client, attempt_id, answers=None, expected=200):
    body = {"answers": answers} if answers is not None else {}
    response = client.post(f"/api/v2/attempts/{attempt_id}/submit/", body)
    assert response.status_code == expected, response.content
    return response.json()


@pytest.fixture
def setup(student, instructor, as_user):
    course, section, lesson_id = af.quiz_course(instructors=[instructor], reading=True)
    lf.enroll(student, course)
    return course, section, lesson_id, as_user(student)


def test_enroll_attempt_save_reload_submit_completes_lesson_and_course(
    student, as_user, instructor
):
    course, section, lesson_id = af.quiz_course(instructors=[instructor], reading=True)
    client = as_user(student)
    assert client.post(f"/api/v2/courses/{course.pk}/enrollment/").status_code == 201
    reading_id = section.lessons[0].id
    done = client.post(f"/api/v2/courses/{course.pk}/lessons/{reading_id}/complete/")
    assert done.status_code == 200

    attempt = start(client, course, lesson_id)
    assert attempt["status"] == "open" and attempt["number"] == 1
    assert len(attempt["questions"]) == 5
    assert all(q["answer"] is None and q["result"] is None for q in attempt["questions"])
    answers = af.right_answers(section, lesson_id)
    first_two = dict(list(answers.items())[:2])
    saved = save(client, attempt["id"], first_two)
    assert saved["answers_saved_at"] is not None

    # A reload: the attempt comes back with what was saved, in the same order.
    reloaded = client.get(f"/api/v2/attempts/{attempt['id']}/").json()
    assert [q["id"] for q in reloaded["questions"]] == [q["id"] for q in attempt["questions"]]
    assert [q.get("choices") for q in reloaded["questions"]] == [
        q.get("choices") for q in attempt["questions"]
    ]
    by_id = {q["id"]: q["answer"] for q in reloaded["questions"]}
    for qid, value in first_two.items():
        assert by_id[qid] == (sorted(value) if isinstance(value, list) else value)
    # Starting again while it is open resumes it.
    assert start(client, course, lesson_id, expected=200)["id"] == attempt["id"]

    rest = dict(list(answers.items())[2:])
    graded = submit(client, attempt["id"], rest)
    assert graded["status"] == "submitted"
    assert graded["score"] == graded["max_score"] == 6 and graded["percent"] == 100
    assert graded["passed"] is True and graded["quiz_changed_since_start"] is False
    assert all(q["result"]["correct"] for q in graded["questions"])
    assert graded["feedback_shown"] is True
    explained = [q["feedback"]["explanation_html"] for q in graded["questions"]]
    assert all("SECRET-EXPLANATION" in html for html in explained)

    progress = LessonProgress.objects.get(user=student, lesson__lesson_id=lesson_id)
    assert progress.status == "completed" and progress.completed_by == "assessment"
    enrollment = Enrollment.objects.get(user=student, course=course)
    assert enrollment.status == "completed"
    body = client.get(f"/api/v2/courses/{course.pk}/").json()
    assert body["my_enrollment"]["percent_complete"] == 100
    grades = client.get("/api/v2/me/grades/").json()
    assert grades[0]["quizzes"][0]["best_percent"] == 100
    assert grades[0]["quizzes"][0]["passed"] is True
    assert LearningEvent.objects.filter(actor=student, verb="passed").count() == 1


def test_failing_keeps_lesson_open_and_scores_first_last_best(student, setup):
    course, section, lesson_id, client = setup
    keys = af.answer_keys(section, lesson_id)
    first = start(client, course, lesson_id)
    questions = {q["id"]: q for q in first["questions"]}
    choice_ids = {qid: [c["id"] for c in q.get("choices", [])] for qid, q in questions.items()}
    wrong = {
        qid: af.wrong_answer(key, {"choice_ids": choice_ids[qid]}) for qid, key in keys.items()
    }
    failed = submit(client, first["id"], wrong)
    assert failed["passed"] is False and failed["score"] == 0
    assert not LessonProgress.objects.filter(user=student, status="completed").exists()
    second = start(client, course, lesson_id)
    assert second["number"] == 2
    half = dict(list(af.right_answers(section, lesson_id).items())[:3])  # 4 of 6 points
    graded = submit(client, second["id"], half)
    assert graded["percent"] == pytest.approx(66.67) and graded["passed"] is True
    grade = QuizGrade.objects.get(user=student)
    assert (grade.first_percent, grade.last_percent, grade.best_percent) == (0, 66.67, 66.67)
    listing = client.get(attempts_url(course, lesson_id)).json()
    assert [a["number"] for a in listing["attempts"]] == [1, 2]
    assert listing["attempts_left"] == 1 and listing["grade"]["attempts_used"] == 2


def test_attempt_limit_twice_and_nothing_recorded(student, setup):
    course, _section, lesson_id, client = setup
    for _ in range(3):
        attempt = start(client, course, lesson_id)
        submit(client, attempt["id"])
    before = QuizAttempt.objects.count()
    response = client.post(attempts_url(course, lesson_id))
    assert response.status_code == 409 and response.json()["code"] == "attempt_limit_reached"
    assert response["Content-Type"].startswith("application/problem+json")
    again = client.post(f"/api/v2/attempts/{attempt['id']}/submit/", {})
    assert again.status_code == 409 and again.json()["code"] == "attempt_already_submitted"
    late_save = client.put(f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": {}})
    assert late_save.json()["code"] == "attempt_already_submitted"
    assert QuizAttempt.objects.count() == before
    assert QuizGrade.objects.get(user=student).attempts_graded == 3


def test_bad_answers_are_refused_with_distinct_codes(student, setup):
    course, section, lesson_id, client = setup
    attempt = start(client, course, lesson_id)
    keys = af.answer_keys(section, lesson_id)
    by_type = {key["type"]: qid for qid, key in keys.items()}
    cases = [
        ({"00000000-0000-0000-0000-000000000000": True}, 400, "unknown_question"),
        ({by_type["single_choice"]: "00000000-0000-0000-0000-000000000000"}, 400, "unknown_choice"),
        ({by_type["multiple_choice"]: ["nope"]}, 400, "unknown_choice"),
        ({by_type["single_choice"]: 3}, 400, "wrong_answer_type"),
        ({by_type["true_false"]: "true"}, 400, "wrong_answer_type"),
        ({by_type["numeric"]: "42"}, 400, "wrong_answer_type"),
        ({by_type["numeric"]: True}, 400, "wrong_answer_type"),
        ({by_type["short_text"]: ["a"]}, 400, "wrong_answer_type"),
        ({by_type["short_text"]: "x" * 501}, 400, "wrong_answer_type"),
    ]
    for answers, status, code in cases:
        for url, method in (
            (f"/api/v2/attempts/{attempt['id']}/answers/", client.put),
            (f"/api/v2/attempts/{attempt['id']}/submit/", client.post),
        ):
            response = method(url, {"answers": answers})
            assert response.status_code == status, (answers, response.content)
            assert response.json()["code"] == code
    shape = client.put(f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": [1]})
    assert shape.status_code == 400 and shape.json()["code"] == "invalid"
    row = QuizAttempt.objects.get(pk=attempt["id"])
    assert row.status == "open" and row.answers == {} and row.answers_saved_at is None


def test_someone_elses_attempt_is_not_found(student, other_student, as_user, setup):
    course, section, lesson_id, client = setup
    attempt = start(client, course, lesson_id)
    lf.enroll(other_student, course)
    other = as_user(other_student)
    answers = af.right_answers(section, lesson_id)
    for response in (
        other.get(f"/api/v2/attempts/{attempt['id']}/"),
        other.put(f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": answers}),
        other.post(f"/api/v2/attempts/{attempt['id']}/submit/", {"answers": answers}),
    ):
        assert response.status_code == 404 and response.json()["code"] == "attempt_not_found"
    row = QuizAttempt.objects.get(pk=attempt["id"])
    assert row.status == "open" and row.answers == {}


def test_deadline_late_submission_graded_with_answers_saved_in_time(student, as_user, instructor):
    course, section, lesson_id = af.quiz_course(
        instructors=[instructor], quiz=af.quiz_with(time_limit_minutes=5)
    )
    lf.enroll(student, course)
    client = as_user(student)
    attempt = start(client, course, lesson_id)
    assert attempt["deadline_at"] and 0 < attempt["seconds_left"] <= 300
    answers = af.right_answers(section, lesson_id)
    (qid, value), *rest = answers.items()
    save(client, attempt["id"], {qid: value})
    # Time runs out (within the grace period of a request in flight).
    QuizAttempt.objects.filter(pk=attempt["id"]).update(
        deadline_at=timezone.now() - timedelta(seconds=5)
    )
    refused = client.put(f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": dict(rest)})
    assert refused.status_code == 409 and refused.json()["code"] == "attempt_deadline_passed"
    graded = submit(client, attempt["id"], dict(rest))
    assert graded["late"] is True and graded["status"] == "submitted"
    assert list(QuizAttempt.objects.get(pk=attempt["id"]).answers) == [qid]
    assert graded["score"] == 1  # only the answer saved in time counted


def test_submission_long_after_deadline_refused_then_closed_by_task(student, as_user, instructor):
    from learning.assessment.tasks import close_expired_attempts

    course, section, lesson_id = af.quiz_course(
        instructors=[instructor], quiz=af.quiz_with(time_limit_minutes=5)
    )
    lf.enroll(student, course)
    client = as_user(student)
    attempt = start(client, course, lesson_id)
    save(client, attempt["id"], af.right_answers(section, lesson_id))
    QuizAttempt.objects.filter(pk=attempt["id"]).update(
        deadline_at=timezone.now() - timedelta(minutes=10)
    )
    response = client.post(f"/api/v2/attempts/{attempt['id']}/submit/", {})
    assert response.status_code == 409 and response.json()["code"] == "attempt_deadline_passed"
    assert QuizAttempt.objects.get(pk=attempt["id"]).status == "open"
    assert close_expired_attempts() == 1
    closed = QuizAttempt.objects.get(pk=attempt["id"])
    assert closed.status == "submitted" and closed.late and closed.passed
    progress = LessonProgress.objects.get(user=student, lesson__lesson_id=lesson_id)
    assert progress.status == "completed"


def test_quiz_edited_while_open_is_graded_against_its_revision(student, setup):
    course, section, lesson_id, client = setup
    attempt = start(client, course, lesson_id)
    answers = af.right_answers(section, lesson_id)
    # An editor changes every answer key and adds a question, then publishes.
    page = section.get_latest_revision_as_object()
    raw = page.lessons.raw_data
    for question in raw[-1]["value"]["questions"]:
        if question["type"] == "numeric":
            question["value"]["answer"] = 7.0
        if question["type"] == "short_text":
            question["value"]["accepted_answers"] = [{"type": "item", "value": "other", "id": "x1"}]
    page.lessons = raw
    page.save_revision().publish()
    graded = submit(client, attempt["id"], answers)
    assert graded["percent"] == 100 and graded["quiz_changed_since_start"] is True
    assert (
        graded["revision_id"]
        == graded["graded_revision_id"]
        != section.__class__.objects.get(pk=section.pk).live_revision_id
    )


def test_unpublished_quiz_refuses_start_save_and_submit(student, setup):
    course, section, lesson_id, client = setup
    attempt = start(client, course, lesson_id)
    section.unpublish()
    for response in (
        client.post(attempts_url(course, lesson_id)),
        client.put(f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": {}}),
        client.post(f"/api/v2/attempts/{attempt['id']}/submit/", {}),
    ):
        assert response.status_code == 409, response.content
        assert response.json()["code"] == "quiz_not_published"
    assert QuizAttempt.objects.get(pk=attempt["id"]).status == "open"


def test_not_a_quiz_and_unknown_lesson(student, setup):
    course, section, _lesson_id, client = setup
    reading = section.lessons[0].id
    assert client.post(attempts_url(course, reading)).json()["code"] == "quiz_not_found"
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.post(attempts_url(course, unknown)).status_code == 404


def test_feedback_once_passed_and_never(student, as_user, instructor):
    for policy, shown_after_fail, shown_after_pass in (
        ("once_passed", False, True),
        ("never", False, False),
    ):
        course, section, lesson_id = af.quiz_course(
            instructors=[instructor], quiz=af.quiz_with(feedback=policy, attempt_limit=0)
        )
        lf.enroll(student, course)
        client = as_user(student)
        failed = submit(client, start(client, course, lesson_id)["id"])
        assert failed["passed"] is False and failed["feedback_shown"] is shown_after_fail
        assert all(q["feedback"] is None for q in failed["questions"])
        assert all(q["result"] is not None for q in failed["questions"])
        attempt = start(client, course, lesson_id)
        passed = submit(client, attempt["id"], af.right_answers(section, lesson_id))
        assert passed["feedback_shown"] is shown_after_pass
        again = client.get(f"/api/v2/attempts/{failed['id']}/").json()
        assert again["feedback_shown"] is shown_after_pass


def test_shuffle_is_per_attempt_and_reproducible(student, as_user, instructor):
    course, _section, lesson_id = af.quiz_course(
        instructors=[instructor], quiz=af.numbered_quiz(12, shuffle=True, attempt_limit=0)
    )
    lf.enroll(student, course)
    client = as_user(student)
    orders = set()
    for _ in range(4):
        attempt = start(client, course, lesson_id)
        again = client.get(f"/api/v2/attempts/{attempt['id']}/").json()
        assert again["questions"] == attempt["questions"]
        orders.add(tuple(q["id"] for q in attempt["questions"]))
        submit(client, attempt["id"])
    assert len(orders) > 1
    from learning.assessment import content

    row = QuizAttempt.objects.order_by("pk").first()
    quiz = content.quiz_at(row.revision_id, str(lesson_id))
    assert content.layout_for(quiz, row.seed) == row.layout
