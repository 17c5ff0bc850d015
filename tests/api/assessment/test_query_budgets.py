"""Query budgets of the assessment endpoints; submitting costs the same number of queries
whatever the number of questions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory
from tests.factories import assessment as af
from tests.factories import courses as cf
from tests.factories import learning as lf
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db


def submit_queries(student, as_user, questions: int) -> int:
    course, section, lesson_id = af.quiz_course(
        quiz=af.numbered_quiz(questions, title=f"Quiz of {questions}"), title=f"C{questions}"
    )
    lf.enroll(student, course)
    client = as_user(student)
    attempt = client.post(f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/attempts/").json()
    answers = af.right_answers(section, lesson_id)
    client.put(f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": answers})
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/api/v2/attempts/{attempt['id']}/submit/", {})
    assert response.status_code == 200 and response.json()["passed"] is True
    assert len(response.json()["questions"]) == questions
    return len(captured)


def test_submitting_is_a_constant_number_of_queries(student, as_user):
    five = submit_queries(student, as_user, 5)
    fifty = submit_queries(student, as_user, 50)
    assert five == fifty, (five, fifty)
    # This submission also completes the course, which now notifies the learner (the
    # notifications registry: recipient, de-duplication and preference reads, one insert).
    assert fifty <= 36


def test_attempt_endpoints_budgets(student, as_user, django_assert_max_num_queries):
    course, section, lesson_id = af.quiz_course(quiz=af.numbered_quiz(50, attempt_limit=0))
    lf.enroll(student, course)
    client = as_user(student)
    url = f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/attempts/"
    for _ in range(5):
        attempt = client.post(url).json()
        client.post(f"/api/v2/attempts/{attempt['id']}/submit/", {})
    with django_assert_max_num_queries(15):  # starting a quiz also opens the lesson (#10)
        assert client.post(url).status_code == 201
    with django_assert_max_num_queries(11):  # one more read since the merge with #10/#14
        assert client.get(url).status_code == 200
    attempt = client.get(url).json()["attempts"][-1]
    answers = af.right_answers(section, lesson_id)
    with django_assert_max_num_queries(8):
        response = client.put(f"/api/v2/attempts/{attempt['id']}/answers/", {"answers": answers})
        assert response.status_code == 200
    with django_assert_max_num_queries(5):
        assert client.get(f"/api/v2/attempts/{attempt['id']}/").status_code == 200


def test_grades_and_checkpoints_budgets(student, as_user, django_assert_max_num_queries):
    client = as_user(student)
    for n in range(4):
        course, _section, lesson_id = af.quiz_course(title=f"Course {n}")
        lf.enroll(student, course)
        attempt = client.post(f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/attempts/")
        client.post(f"/api/v2/attempts/{attempt.json()['id']}/submit/", {})
    with django_assert_max_num_queries(6):
        response = client.get("/api/v2/me/grades/")
    assert response.status_code == 200 and len(response.json()) == 4

    course = cf.course(title="Video course")
    clip = VideoAssetFactory(duration_seconds=100.0, status="ready")
    section = cf.section(course, lessons=[cf.video("Watch", asset=clip)])
    lf.enroll(student, course)
    video = section.lessons[0]
    checkpoint = video.value["checkpoints"].bound_blocks[0].id
    base = f"/api/v2/courses/{course.pk}/lessons/{video.id}/checkpoints/"
    with django_assert_max_num_queries(16):
        answered = client.post(f"{base}{checkpoint}/answer/", {"answer": 42.3})
    assert answered.status_code == 201 and answered.json()["correct"] is True
    with django_assert_max_num_queries(10):
        assert client.get(base).status_code == 200


def test_gradebook_budgets(instructor, as_user, django_assert_max_num_queries):
    course, _section, lesson_id = af.quiz_course(instructors=[instructor])
    for _ in range(30):
        learner = UserFactory()
        lf.enroll(learner, course)
        tab = as_user(learner)
        attempt = tab.post(f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/attempts/").json()
        tab.post(f"/api/v2/attempts/{attempt['id']}/submit/", {})
    client = as_user(instructor)
    base = f"/api/v2/courses/{course.pk}/gradebook/"
    with django_assert_max_num_queries(10):
        response = client.get(f"{base}?page_size=100")
    assert response.status_code == 200 and response.json()["count"] == 30
    with django_assert_max_num_queries(10):
        export = client.get(f"{base}export/")
        assert len(b"".join(export.streaming_content).splitlines()) == 31
    with django_assert_max_num_queries(8):
        stats = client.get(f"{base}quizzes/{lesson_id}/questions/")
    assert stats.status_code == 200 and all(q["attempts"] == 30 for q in stats.json())
