"""The "Gradebook" report in the Wagtail admin, its spreadsheet export and the regrade
action, driven with Django's test client logged in as each role."""

import csv
import io

import pytest
from django.test import Client

from cms.models import CourseLesson, SectionPage
from learning.assessment import services
from learning.assessment.models import AttemptRegrade, QuizAttempt
from tests.factories import UserFactory
from tests.factories import assessment as af
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db

GRADEBOOK = "/admin/reports/gradebook/"


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def graded(instructor):
    course, section, lesson_id = af.quiz_course(
        instructors=[instructor], title="Quizzed", quiz=af.quiz_with(pass_mark=100)
    )
    lesson = CourseLesson.objects.select_related("section").get(lesson_id=lesson_id)
    ada = UserFactory(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    mallory = UserFactory(email="mallory@example.com", display_name="@SUM(1+1)")
    right = af.right_answers(section, lesson_id)
    numeric = next(
        q for q, k in af.answer_keys(section, lesson_id).items() if k["type"] == "numeric"
    )
    for learner, answers in ((ada, right), (mallory, {**right, numeric: 7.0})):
        lf.enroll(learner, course)
        attempt, _ = services.attempt_start(user=learner, course=course, lesson=lesson)
        services.attempt_submit(user=learner, attempt_id=attempt.pk, answers=answers)
    return course, section, lesson, numeric


def test_instructor_sees_gradebook_and_exports_csv(instructor, graded):
    course, _section, lesson, _ = graded
    client = login(instructor)
    page = client.get(f"{GRADEBOOK}?course={course.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Check" in html and "100%" in html and "Lovelace" in html
    assert f"/admin/reports/gradebook/regrade/{lesson.pk}/" in html
    export = client.get(f"{GRADEBOOK}?course={course.pk}&export=csv")
    assert export.status_code == 200
    text = b"".join(export.streaming_content).decode()
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == [
        "Name",
        "Email",
        "Status",
        "Percent complete",
        "Check: best percent",
        "Check: attempts",
        "Check: passed",
    ]
    by_email = {row[1]: row for row in rows}
    assert by_email["ada@example.com"][4:] == ["100.0", "1", "yes"]
    assert by_email["mallory@example.com"][0] == "'@SUM(1+1)"
    assert by_email["mallory@example.com"][6] == "no"
    xlsx = client.get(f"{GRADEBOOK}?course={course.pk}&export=xlsx")
    assert xlsx.status_code == 200


def test_other_instructor_and_students_are_refused(other_instructor, student, graded):
    course, _section, lesson, _ = graded
    refused = login(other_instructor).get(f"{GRADEBOOK}?course={course.pk}")
    assert refused.status_code in (302, 403) and b"Lovelace" not in refused.content
    regrade = f"/admin/reports/gradebook/regrade/{lesson.pk}/"
    assert login(other_instructor).post(regrade).status_code in (302, 403)
    assert login(student).get(GRADEBOOK).status_code in (302, 403)
    assert login(student).post(regrade).status_code in (302, 403)
    assert not AttemptRegrade.objects.exists()


def test_editor_regrades_from_the_admin_with_history(editor, graded):
    course, section, lesson, numeric = graded
    page = SectionPage.objects.get(pk=section.pk).get_latest_revision_as_object()
    raw = page.lessons.raw_data
    for question in raw[-1]["value"]["questions"]:
        if question["id"] == numeric:
            question["value"]["answer"], question["value"]["tolerance"] = 7.0, 0
    page.lessons = raw
    page.save_revision().publish()

    client = login(editor)
    url = f"/admin/reports/gradebook/regrade/{lesson.pk}/"
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302 and response["Location"].endswith(f"?course={course.pk}")
    records = AttemptRegrade.objects.order_by("attempt__user__email")
    assert [(r.via, r.by_id) for r in records] == [("admin", editor.pk)] * 2
    assert QuizAttempt.objects.get(user__email="mallory@example.com").percent == 100
    history = client.get(url).content.decode()
    assert "83.33% → 100.0%" in history and "@SUM(1+1)" in history
