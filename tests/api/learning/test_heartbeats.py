import threading
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from learning.analytics.models import LearningEvent
from learning.enrollment.models import Enrollment
from learning.progress.models import HeartbeatReceipt, LessonProgress
from tests.factories import courses as cf
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(student, instructor, as_user):
    """A 100 s video lesson and a reading; the student is enrolled and opened the video."""
    course, lessons = lf.video_course(instructors=[instructor], duration=100.0)
    lf.enroll(student, course)
    client = as_user(student)
    lf.open_lesson(client, lessons[0], course.pk)
    return course, lessons, client


def progress(user, lesson_id) -> LessonProgress:
    return LessonProgress.objects.get(user=user, lesson__lesson_id=lesson_id)


def test_seeking_to_the_end_does_not_complete(student, setup):
    course, (video, _), client = setup
    lf.watch(client, student, video, 0, 5)
    # Seek to the end and play the last seconds: only what was played counts.
    lf.elapse(student, 5)
    body = lf.send(client, lf.event(video, 95, 100, position=100))
    assert body["results"][0]["status"] == "accepted"
    assert body["lessons"][0] == {
        "lesson_id": str(video),
        "course_id": course.pk,
        "status": "in_progress",
        "percent": 10,
        "position": 100.0,
        "completed_at": None,
        "watched_seconds": 10.0,
    }
    assert Enrollment.objects.get(user=student).status == "active"


def test_forged_spans_earn_only_what_wall_time_allows(student, instructor, as_user):
    course, (video, _) = lf.video_course(instructors=[instructor], duration=600.0)
    lf.enroll(student, course)
    client = as_user(student)
    lf.open_lesson(client, video, course.pk)
    lf.elapse(student, 1)
    lf.send(client, lf.event(video, 0, 1))
    lf.elapse(student, 3600)  # a tab left open: idle time is credited up to a cap only
    body = lf.send(client, lf.event(video, 0, 600, position=600))
    result = body["results"][0]
    assert result["status"] == "accepted"
    assert result["reasons"] == ["faster_than_playback"]
    assert result["credited_seconds"] <= 60 * 2
    row = progress(student, video)
    assert row.status == "in_progress" and row.fraction < 0.25
    # Resubmitting right away earns nothing more.
    lf.send(client, lf.event(video, 0, 600, position=600))
    assert progress(student, video).watched_seconds < row.watched_seconds + 1


def test_full_coverage_completes_and_records_events(student, setup):
    _course, (video, _), client = setup
    body = lf.watch(client, student, video, 0, 92)
    lesson = body["lessons"][0]
    assert lesson["status"] == "completed" and lesson["percent"] == 100
    row = progress(student, video)
    assert row.completed_by == "watching" and row.watched == [[0.0, 92.0]]
    verbs = list(
        LearningEvent.objects.filter(actor=student, object_id=str(video)).values_list(
            "verb", flat=True
        )
    )
    # Started once, progressed sampled at quarters (not per heartbeat), completed once.
    assert verbs == ["lesson_started", "progressed", "progressed", "progressed", "lesson_completed"]


def test_threshold_is_the_courses(student, instructor, as_user):
    course, (video, _) = lf.video_course(
        instructors=[instructor], duration=100.0, video_completion_threshold=60
    )
    lf.enroll(student, course)
    client = as_user(student)
    assert lf.watch(client, student, video, 0, 59)["lessons"][0]["status"] == "in_progress"
    assert lf.watch(client, student, video, 59, 61)["lessons"][0]["status"] == "completed"


def test_duplicates_count_once_and_late_events_never_reduce(student, setup):
    _course, (video, _), client = setup
    lf.elapse(student, 100)
    first = lf.event(video, 0, 30, position=30)
    assert lf.send(client, first)["results"][0]["status"] == "accepted"
    again = lf.send(client, first)
    assert again["results"][0]["status"] == "duplicate"
    assert again["results"][0]["reasons"] == ["duplicate_event"]
    assert HeartbeatReceipt.objects.filter(user=student).count() == 1
    # An older event arriving late: coverage stays, resume position is not moved back.
    late = lf.event(video, 10, 20, position=20, client_time=timezone.now() - timedelta(minutes=1))
    lf.send(client, late)
    row = progress(student, video)
    assert row.watched == [[0.0, 30.0]]
    assert row.position == 30
    # Same id twice inside one batch.
    twin = lf.event(video, 30, 40)
    body = lf.send(client, twin, twin)
    assert [r["status"] for r in body["results"]] == ["accepted", "duplicate"]


def test_out_of_order_events_in_a_batch_merge(student, setup):
    _course, (video, _), client = setup
    lf.elapse(student, 100)
    now = timezone.now()
    body = lf.send(
        client,
        lf.event(video, 20, 40, client_time=now),
        lf.event(video, 0, 20, client_time=now - timedelta(seconds=20)),
    )
    assert body["lessons"][0]["watched_seconds"] == 40
    assert progress(student, video).position == 40


def test_bad_events_are_rejected_one_by_one(student, other_student, setup, settings):
    _course, (video, reading), client = setup
    settings.PROGRESS_MAX_BATCH_EVENTS = 8
    _foreign_course, (foreign, _) = lf.video_course(duration=50.0, title="Not mine")
    lf.elapse(student, 10)
    good = lf.event(video, 0, 10)
    events = [
        good,
        {**lf.event(video, 0, 10), "start": "ten"},
        {**lf.event(video, 0, 10), "start": -5},
        lf.event(video, 150, 160),  # beyond the duration
        lf.event(foreign, 0, 10),  # a course the learner is not in
        lf.event(reading, 0, 10),  # not a video
        lf.event(video, 0, 10, rate=16),
        "not an object",
        lf.event(video, 10, 20),  # past the batch limit
    ]
    body = lf.send(client, *events)
    results = body["results"]
    assert [r["status"] for r in results] == ["accepted"] + ["rejected"] * 8
    assert [r["reasons"] for r in results[1:]] == [
        ["invalid"],
        ["invalid"],
        ["beyond_duration"],
        ["lesson_not_available"],
        ["not_a_video_lesson"],
        ["playback_rate_out_of_range"],
        ["invalid"],
        ["batch_too_large"],
    ]
    assert results[1]["errors"] == {
        "start": [{"code": "invalid", "message": "A valid number is required."}]
    }
    assert results[2]["errors"] == {
        "start": [
            {"code": "min_value", "message": "Ensure this value is greater than or equal to 0."}
        ]
    }
    assert results[7]["errors"]["non_field_errors"][0]["code"] == "invalid"
    assert progress(student, video).watched == [[0.0, 10.0]]
    assert not LessonProgress.objects.filter(lesson__lesson_id=foreign).exists()


def test_end_beyond_duration_is_clamped(student, setup):
    _course, (video, _), client = setup
    lf.elapse(student, 100)
    body = lf.send(client, lf.event(video, 90, 130, position=130))
    assert body["results"][0]["reasons"] == ["clamped_to_duration"]
    row = progress(student, video)
    assert row.watched == [[90.0, 100.0]] and row.position == 100


@pytest.mark.parametrize("body", [{}, {"events": []}, {"events": "x"}, []])
def test_malformed_batches_are_400(body, setup):
    _, _, client = setup
    response = client.post("/api/v2/progress/events/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_anonymous_cannot_send(api_client, setup):
    _, (video, _), _ = setup
    response = api_client.post(
        "/api/v2/progress/events/", {"events": [lf.event(video, 0, 5)]}, format="json"
    )
    assert response.status_code == 401


def test_a_learner_cannot_write_another_learners_progress(student, other_student, as_user, setup):
    _course, (video, _), client = setup
    lf.elapse(student, 10)
    lf.send(client, lf.event(video, 0, 10))
    # The other student is not enrolled: nothing is recorded for anyone.
    body = lf.send(as_user(other_student), lf.event(video, 0, 50))
    assert body["results"][0]["reasons"] == ["lesson_not_available"]
    assert progress(student, video).watched == [[0.0, 10.0]]
    assert not LessonProgress.objects.filter(user=other_student).exists()


def test_cancelled_enrollment_stops_progress_and_reenrolling_resumes(student, setup):
    course, (video, _), client = setup
    lf.watch(client, student, video, 0, 30)
    assert client.delete(f"/api/v2/courses/{course.pk}/enrollment/").status_code == 204
    body = lf.send(client, lf.event(video, 30, 40))
    assert body["results"][0]["reasons"] == ["lesson_not_available"]
    response = client.post(f"/api/v2/courses/{course.pk}/enrollment/")
    assert response.status_code == 201, response.content
    assert response.json()["next_lesson_id"] == str(video)
    assert progress(student, video).watched == [[0.0, 30.0]]


def test_heartbeat_query_budget(student, setup, django_assert_max_num_queries):
    _course, (video, _), client = setup
    lf.send(client, lf.event(video, 0, 5))
    lf.elapse(student, 60)
    events = [lf.event(video, n, n + 1) for n in range(5, 25)]
    # Auth, lessons; savepoint, allowance lock, progress lock, receipts claimed (one
    # statement: read and write), progress update, allowance update, release.
    with django_assert_max_num_queries(9):
        body = lf.send(client, *events)
    assert all(r["status"] == "accepted" for r in body["results"])


@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_at_once_lose_nothing(student, instructor, as_user, settings):
    course, (video, _) = lf.video_course(instructors=[instructor], duration=400.0)
    lf.enroll(student, course)
    clients = [as_user(student), as_user(student)]
    lf.open_lesson(clients[0], video, course.pk)
    lf.elapse(student, 1)
    lf.send(clients[0], lf.event(video, 0, 1))
    # Enough wall time for both tabs' spans: this test is about concurrency, not plausibility.
    settings.PROGRESS_MAX_CREDIT_SECONDS = 1000
    lf.elapse(student, 1000)
    # Tab A plays [0, 100] and tab B [100, 200], 10 s per beat, all at the same time.
    spans = {
        0: [(n, n + 10) for n in range(0, 100, 10)],
        1: [(n, n + 10) for n in range(100, 200, 10)],
    }
    errors = []

    def tab(index):
        try:
            for start, end in spans[index]:
                body = lf.send(clients[index], lf.event(video, start, end))
                assert body["results"][0]["status"] == "accepted", body
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=tab, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    row = progress(student, video)
    assert row.watched == [[0.0, 200.0]]
    assert HeartbeatReceipt.objects.filter(user=student).count() == 21


def test_unready_video_is_rejected(student, instructor, as_user):
    course, (video, _) = lf.video_course(instructors=[instructor])
    from media_pipeline.models import VideoAsset

    VideoAsset.objects.update(duration_seconds=None)
    lf.enroll(student, course)
    body = lf.send(as_user(student), lf.event(video, 0, 5))
    assert body["results"][0]["reasons"] == ["video_not_ready"]


def test_reading_lessons_complete_by_mark_complete(student, setup):
    course, (video, reading), client = setup
    url = f"/api/v2/courses/{course.pk}/lessons/{{}}/complete/"
    response = client.post(url.format(video))
    assert response.status_code == 409 and response.json()["code"] == "completion_not_manual"
    response = client.post(url.format(reading))
    assert response.status_code == 200 and response.json()["status"] == "completed"
    assert client.post(url.format(reading)).status_code == 200  # idempotent
    assert client.post(url.format(uuid.uuid4())).status_code == 404
    other = cf.course(title="Other")
    assert client.post(f"/api/v2/courses/{other.pk}/lessons/{reading}/complete/").status_code == 404


def test_heartbeats_are_rate_limited_per_learner(student, other_student, setup, settings, as_user):
    course, (video, _), client = setup
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "progress_events_user": "2/min",
        },
    }
    for _ in range(2):
        lf.send(client, lf.event(video, 0, 1))
    response = client.post("/api/v2/progress/events/", {"events": [lf.event(video, 0, 1)]})
    assert response.status_code == 429 and "Retry-After" in response
    lf.enroll(other_student, course)
    lf.send(as_user(other_student), lf.event(video, 0, 1))


def test_heartbeats_keep_last_activity_and_last_lesson(student, instructor, as_user):
    course, (first, second, _) = lf.video_course(instructors=[instructor], videos=2)
    lf.enroll(student, course)
    client = as_user(student)
    lf.open_lesson(client, second, course.pk)
    lf.open_lesson(client, first, course.pk)
    lf.elapse(student, 10)
    lf.send(client, lf.event(first, 0, 5))
    enrollment = Enrollment.objects.get(user=student)
    assert str(enrollment.last_lesson_id) == first
    # Another lesson is recorded at once.
    lf.send(client, lf.event(second, 0, 5))
    enrollment.refresh_from_db()
    assert str(enrollment.last_lesson_id) == second
    # The same lesson refreshes last activity once it is a minute old.
    Enrollment.objects.filter(pk=enrollment.pk).update(
        last_activity_at=timezone.now() - timedelta(minutes=5)
    )
    lf.elapse(student, 10)
    lf.send(client, lf.event(second, 5, 10))
    enrollment.refresh_from_db()
    assert timezone.now() - enrollment.last_activity_at < timedelta(seconds=30)


def test_heartbeat_query_budget_grows_per_lesson_not_per_event(
    student, instructor, as_user, django_assert_max_num_queries
):
    course, (first, second, _) = lf.video_course(instructors=[instructor], videos=2)
    lf.enroll(student, course)
    client = as_user(student)
    lf.open_lesson(client, first, course.pk)
    lf.open_lesson(client, second, course.pk)
    lf.elapse(student, 1)
    lf.send(client, lf.event(first, 0, 1), lf.event(second, 0, 1))
    lf.elapse(student, 60)
    events = [lf.event(lesson, n, n + 1) for lesson in (first, second) for n in range(1, 11)]
    # Auth and lessons; then one transaction (the test's savepoint): the learner's allowance
    # locked, both progress rows locked in one statement, the receipts claimed in one
    # statement, one update per lesson, the allowance update; the enrollment is touched at
    # most once a minute per lesson (here once: its last lesson changes).
    with django_assert_max_num_queries(9 + 2):
        body = lf.send(client, *events)
    assert all(r["status"] == "accepted" for r in body["results"])
