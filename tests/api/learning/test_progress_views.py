"""Dashboard, outline and lesson states, resume, course completion and content edits."""

import pytest

from cms.models import CourseLesson
from learning.analytics.models import LearningEvent
from learning.enrollment.models import Enrollment
from tests.factories import courses as cf
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db

COMPLETED = []


def remember_completion(enrollment):
    COMPLETED.append(enrollment.pk)


@pytest.fixture
def setup(student, instructor, as_user):
    """A course of two 3-minute videos and a 5-minute reading; the student is enrolled."""
    course, lessons = lf.video_course(instructors=[instructor], duration=100.0, videos=2)
    lf.enroll(student, course)
    return course, lessons, as_user(student)


def detail(client, course):
    response = client.get(f"/api/v2/courses/{course.pk}/")
    assert response.status_code == 200, response.content
    return response.json()


def outline_states(body):
    return {
        lesson["id"]: lesson["progress"]
        for section in body["sections"]
        for lesson in section["lessons"]
    }


def complete_reading(client, course, lesson_id):
    response = client.post(f"/api/v2/courses/{course.pk}/lessons/{lesson_id}/complete/")
    assert response.status_code == 200, response.content


def test_outline_shows_states_percent_and_next_lesson(student, setup):
    course, (first, second, reading), client = setup
    body = detail(client, course)
    assert body["my_enrollment"]["percent_complete"] == 0
    assert body["my_enrollment"]["next_lesson_id"] == str(first)
    assert {s["status"] for s in outline_states(body).values()} == {"not_started"}

    lf.watch(client, student, first, 0, 40)
    lf.watch(client, student, second, 0, 100)
    body = detail(client, course)
    states = outline_states(body)
    assert states[str(first)]["status"] == "in_progress"
    assert states[str(first)]["percent"] == 40 and states[str(first)]["position"] == 40
    assert states[str(second)]["status"] == "completed"
    assert states[str(reading)]["status"] == "not_started"
    # Minutes-weighted: (3 x 0.4 + 3 x 1 + 5 x 0) / 11 = 38 %.
    assert body["my_enrollment"]["percent_complete"] == 38
    # The last lesson played (the second video) is done, so resume at the next unfinished.
    assert body["my_enrollment"]["next_lesson_id"] == str(reading)


def test_outline_has_no_learner_state_for_others(api_client, other_student, as_user, setup):
    course, _, _ = setup
    for client in (api_client, as_user(other_student)):
        body = detail(client, course)
        assert body["my_enrollment"] is None
        assert all(state is None for state in outline_states(body).values())


def test_lesson_endpoint_returns_resume_position_and_open_makes_it_the_last_lesson(student, setup):
    course, (_first, second, reading), client = setup
    lf.watch(client, student, second, 0, 30)
    response = client.get(f"/api/v2/courses/{course.pk}/lessons/{second}/")
    assert response.status_code == 200, response.content
    assert response.json()["progress"] == {
        "status": "in_progress",
        "percent": 30,
        "position": 30.0,
        "completed_at": None,
    }
    # Reading a lesson starts nothing; the player's explicit open does.
    reading_body = client.get(f"/api/v2/courses/{course.pk}/lessons/{reading}/").json()
    assert reading_body["progress"]["status"] == "not_started"
    assert str(Enrollment.objects.get(user=student).last_lesson_id) == str(second)
    opened = lf.open_lesson(client, reading, course.pk)
    assert opened["status"] == "in_progress" and opened["lesson_id"] == str(reading)
    reading_body = client.get(f"/api/v2/courses/{course.pk}/lessons/{reading}/").json()
    assert reading_body["progress"]["status"] == "in_progress"
    enrollment = Enrollment.objects.get(user=student)
    assert str(enrollment.last_lesson_id) == str(reading)
    assert detail(client, course)["my_enrollment"]["next_lesson_id"] == str(reading)
    started = LearningEvent.objects.filter(actor=student, verb="lesson_started")
    assert sorted(started.values_list("object_id", flat=True)) == sorted(
        [str(second), str(reading)]
    )


def test_enrolled_learner_opens_gated_lessons_cancelled_does_not(student, setup):
    course, (first, _, _), client = setup
    assert client.get(f"/api/v2/courses/{course.pk}/lessons/{first}/").status_code == 200
    client.delete(f"/api/v2/courses/{course.pk}/enrollment/")
    response = client.get(f"/api/v2/courses/{course.pk}/lessons/{first}/")
    assert response.status_code == 403 and response.json()["code"] == "enrollment_required"


def test_course_completion_runs_handlers_once(
    student, setup, settings, run_tasks_in_process, django_capture_on_commit_callbacks
):
    settings.COURSE_COMPLETED_HANDLERS = [f"{__name__}.remember_completion"]
    COMPLETED.clear()
    course, (first, second, reading), client = setup
    lf.watch(client, student, first, 0, 100)
    lf.watch(client, student, second, 0, 100)
    assert Enrollment.objects.get(user=student).status == "active"
    with django_capture_on_commit_callbacks(execute=True):
        complete_reading(client, course, reading)
    enrollment = Enrollment.objects.get(user=student)
    assert enrollment.status == "completed" and enrollment.completed_at is not None
    assert [enrollment.pk] == COMPLETED
    with django_capture_on_commit_callbacks(execute=True):
        complete_reading(client, course, reading)
    assert [enrollment.pk] == COMPLETED
    assert LearningEvent.objects.filter(actor=student, verb="course_completed").count() == 1
    body = detail(client, course)["my_enrollment"]
    assert body["status"] == "completed" and body["percent_complete"] == 100
    assert body["next_lesson_id"] is None


def test_optional_lessons_are_not_needed(student, instructor, as_user):
    course = cf.course(instructors=[instructor])
    required, optional = cf.reading("Core"), cf.reading("Extra")
    optional[1]["optional"] = True
    part = cf.section(course, lessons=[required, optional])
    lf.enroll(student, course)
    client = as_user(student)
    complete_reading(client, course, part.lessons[0].id)
    assert Enrollment.objects.get(user=student).status == "completed"
    assert detail(client, course)["my_enrollment"]["percent_complete"] == 100


def test_content_edits(
    student,
    other_student,
    instructor,
    as_user,
    run_tasks_in_process,
    django_capture_on_commit_callbacks,
):
    course, (video, reading) = lf.video_course(instructors=[instructor], duration=100.0)
    lf.enroll(student, course)
    lf.enroll(other_student, course)
    client = as_user(student)
    complete_reading(client, course, reading)
    assert detail(client, course)["my_enrollment"]["percent_complete"] == 62  # 5 of 8 minutes

    section = course.get_children().first().specific
    # The video lesson is removed: it stops counting, its history stays.
    lf.watch(client, student, video, 0, 50)
    del section.lessons[0]
    with django_capture_on_commit_callbacks(execute=True):
        section.save_revision().publish()
    assert CourseLesson.objects.get(lesson_id=video).is_live is False
    # Every required lesson left is done: the course completes.
    assert Enrollment.objects.get(user=student).status == "completed"
    assert Enrollment.objects.get(user=other_student).status == "active"
    assert detail(client, course)["my_enrollment"]["percent_complete"] == 100
    assert client.get("/api/v2/me/enrollments/").json()["results"][0]["percent_complete"] == 100

    # The learner who had not completed: completing the reading now completes the course.
    complete_reading(as_user(other_student), course, reading)
    assert Enrollment.objects.get(user=other_student).status == "completed"

    # A new lesson lowers the percent; a completed enrollment stays completed.
    section.lessons.append(cf.reading("New chapter", minutes=5))
    section.save_revision().publish()
    body = detail(client, course)["my_enrollment"]
    assert body["percent_complete"] == 50
    assert body["status"] == "completed"
    assert body["next_lesson_id"] is not None
    # Progress rows of the removed lesson are kept.
    assert student.lesson_progress.filter(lesson__lesson_id=video).exists()


def test_dashboard(student, as_user, setup, django_assert_max_num_queries):
    _course, (first, _, _), client = setup
    other, (video, _) = lf.video_course(title="Second course")
    lf.enroll(student, other)
    lf.watch(client, student, video, 0, 20)
    done = cf.course(title="Done course")
    done_part = cf.section(done, lessons=[cf.reading("Only")])
    lf.enroll(student, done)
    complete_reading(client, done, done_part.lessons[0].id)
    cancelled, _ = lf.video_course(title="Left")
    lf.enroll(student, cancelled)
    client.delete(f"/api/v2/courses/{cancelled.pk}/enrollment/")

    with django_assert_max_num_queries(12):
        response = client.get("/api/v2/me/enrollments/")
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["course"]["title"] for r in results] == ["Done course", "Second course", "A course"]
    by_title = {r["course"]["title"]: r for r in results}
    assert by_title["Second course"]["percent_complete"] == 7  # 3 x 0.2 / 8 minutes
    assert by_title["Second course"]["next_lesson_id"] == str(video)
    assert by_title["Done course"]["status"] == "completed"
    assert by_title["Done course"]["completed_at"] is not None
    assert by_title["A course"]["next_lesson_id"] == str(first)
    assert by_title["A course"]["course_available"] is True
    left = client.get("/api/v2/me/enrollments/?status=cancelled").json()["results"]
    assert [r["course"]["title"] for r in left] == ["Left"]
    bad = client.get("/api/v2/me/enrollments/?status=bogus")
    assert bad.status_code == 400 and "status" in bad.json()["errors"]


def test_dashboard_is_private(api_client, other_student, as_user, setup):
    assert api_client.get("/api/v2/me/enrollments/").status_code == 401
    assert as_user(other_student).get("/api/v2/me/enrollments/").json()["results"] == []


def test_outline_and_lesson_query_budgets(student, setup, django_assert_max_num_queries):
    course, (first, _, _), client = setup
    detail(client, course)
    with django_assert_max_num_queries(16):
        detail(client, course)
    client.get(f"/api/v2/courses/{course.pk}/lessons/{first}/")
    with django_assert_max_num_queries(16):
        client.get(f"/api/v2/courses/{course.pk}/lessons/{first}/")
