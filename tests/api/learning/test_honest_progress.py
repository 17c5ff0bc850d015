"""Issue 10: progress is credited, never claimed. Each known attack earns nothing beyond the
learner's one allowance; an honest player still completes every video; a GET writes nothing.

Time is the progress services' clock (``progress_clock``), moved by hand: nothing sleeps.
"""

import json
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.db import connection, transaction

from cms.models import CourseLesson
from learning.enrollment.models import Enrollment
from learning.progress.models import HeartbeatReceipt, LessonProgress, PlaybackAllowance
from tests.factories import courses as cf
from tests.factories import learning as lf
from tests.factories.media import VideoAssetFactory

pytestmark = pytest.mark.django_db

RATE = 2.0  # PROGRESS_MAX_PLAYBACK_RATE (default)
EPS = 1e-3


def event(lesson_id, start, end, clock, **kwargs):
    kwargs.setdefault("client_time", clock.now)
    return lf.event(lesson_id, start, end, **kwargs)


def rows(user) -> dict[str, LessonProgress]:
    return {
        str(p.lesson.lesson_id): p
        for p in LessonProgress.objects.filter(user=user).select_related("lesson")
    }


def covered(user) -> float:
    return sum(p.watched_seconds for p in rows(user).values())


def credited(*bodies) -> float:
    return sum(r["credited_seconds"] for body in bodies for r in body["results"])


@pytest.fixture
def videos(student, instructor):
    """Three video lessons (4 s, 100 s, 3,600 s) and a reading; the student is enrolled."""
    course = cf.course(instructors=[instructor], title="Videos")
    clips = [
        cf.video(
            f"Video {n}",
            asset=VideoAssetFactory(owner=instructor, duration_seconds=seconds, status="ready"),
        )
        for n, seconds in enumerate((4.0, 100.0, 3600.0), 1)
    ]
    part = cf.section(course, lessons=[*clips, cf.reading("Notes")])
    lf.enroll(student, course)
    return course, [child.id for child in part.lessons]


def video_of(lesson_id) -> int:
    return CourseLesson.objects.get(lesson_id=lesson_id).video_id


# --- The attacks ------------------------------------------------------------------------------


def test_forged_first_heartbeat_on_a_lesson_never_started_earns_nothing(
    student, as_user, videos, progress_clock
):
    course, (short, *_rest) = videos
    client = as_user(student)
    progress_clock.advance(3600)  # however long the learner has been around
    body = lf.send(client, event(short, 0, 4, progress_clock, position=4))
    assert body["results"][0]["status"] == "rejected"
    assert body["results"][0]["reasons"] == ["not_started"]
    assert body["results"][0]["credited_seconds"] == 0
    assert body["lessons"] == []
    assert not LessonProgress.objects.filter(user=student).exists()
    assert Enrollment.objects.get(user=student).status == "active"
    # The event id was not spent: once the lesson is opened it is judged again, on the
    # allowance since the open (here: nothing, no time has passed).
    lf.open_lesson(client, short, course.pk)
    again = lf.send(client, event(short, 0, 4, progress_clock, position=4))
    assert again["results"][0]["status"] == "accepted"
    assert again["results"][0]["credited_seconds"] == 0
    assert rows(student)[short].status == "in_progress"


def test_opening_then_forging_at_once_earns_only_the_time_since_the_open(
    student, as_user, videos, progress_clock
):
    course, (_short, medium, long, _) = videos
    client = as_user(student)
    # A full allowance from another lesson watched long ago...
    lf.open_lesson(client, long, course.pk)
    progress_clock.advance(3600)
    # ...does not pay for a lesson opened a second ago.
    lf.open_lesson(client, medium, course.pk)
    progress_clock.advance(1)
    body = lf.send(client, event(medium, 0, 100, progress_clock))
    assert body["results"][0]["reasons"] == ["faster_than_playback"]
    assert body["results"][0]["credited_seconds"] <= RATE * 1 + EPS
    assert rows(student)[medium].watched_seconds <= RATE * 1 + EPS


def test_tiny_spans_in_one_batch_pay_for_their_gaps(student, as_user, videos, progress_clock):
    course, (short, *_rest) = videos
    client = as_user(student)
    lf.open_lesson(client, short, course.pk)
    progress_clock.advance(0.04)
    spans = [(n * 0.5, n * 0.5 + 0.001) for n in range(8)] + [(3.999, 4.0)]
    body = lf.send(client, *(event(short, s, e, progress_clock) for s, e in spans))
    assert all(r["status"] == "accepted" for r in body["results"])
    row = rows(student)[short]
    assert row.watched_seconds <= credited(body) + EPS
    assert credited(body) <= RATE * 0.04 + EPS
    assert row.status == "in_progress" and row.fraction < 0.05


def test_tiny_spans_across_requests_pay_for_their_gaps(student, as_user, videos, progress_clock):
    course, (_short, _medium, long, _) = videos
    client = as_user(student)
    lf.open_lesson(client, long, course.pk)
    bodies, wall = [], 0.0
    # At the request limit: one 1 ms span per request, 0.5 s apart in the media.
    for n in range(200):
        progress_clock.advance(0.25)
        wall += 0.25
        bodies.append(lf.send(client, event(long, n * 0.5, n * 0.5 + 0.001, progress_clock)))
    row = rows(student)[long]
    assert row.watched_seconds <= credited(*bodies) + EPS
    assert credited(*bodies) <= RATE * wall + EPS
    # The 0.5 s gaps were paid, not given: coverage is what was played at 2x, no more.
    assert row.watched_seconds <= RATE * wall + EPS


def test_two_lessons_in_one_batch_share_one_allowance(student, as_user, videos, progress_clock):
    course, (_short, medium, long, _) = videos
    client = as_user(student)
    lf.open_lesson(client, medium, course.pk)
    lf.open_lesson(client, long, course.pk)
    progress_clock.advance(10)
    body = lf.send(client, event(medium, 0, 20, progress_clock), event(long, 0, 20, progress_clock))
    assert all(r["status"] == "accepted" for r in body["results"])
    assert credited(body) <= RATE * 10 + EPS
    assert covered(student) <= RATE * 10 + EPS
    assert "faster_than_playback" in body["results"][1]["reasons"]


def test_many_lessons_over_time_earn_one_allowance(student, instructor, as_user, progress_clock):
    course, lessons = lf.video_course(instructors=[instructor], duration=600.0, videos=4)
    lf.enroll(student, course)
    client = as_user(student)
    for lesson in lessons[:4]:
        lf.open_lesson(client, lesson, course.pk)
    start = progress_clock.now
    bodies = []
    for beat in range(30):  # five minutes, every lesson claiming 10 s of 1x play per beat
        progress_clock.advance(10)
        bodies.append(
            lf.send(
                client,
                *(
                    event(lesson, beat * 10, beat * 10 + 10, progress_clock)
                    for lesson in lessons[:4]
                ),
            )
        )
    wall = (progress_clock.now - start).total_seconds()
    assert covered(student) <= credited(*bodies) + EPS
    assert credited(*bodies) <= RATE * wall + EPS
    # Not four lessons' worth (4 x 300 s): one learner, one allowance.
    assert covered(student) <= 600 + EPS


def _allowance_balance(user) -> float:
    return PlaybackAllowance.objects.get(user=user).balance


@pytest.mark.django_db(transaction=True)
def test_ten_parallel_sessions_earn_one_allowance(student, instructor, as_user, progress_clock):
    course, lessons = lf.video_course(instructors=[instructor], duration=600.0, videos=5)
    lf.enroll(student, course)
    videos = lessons[:5]
    clients = [as_user(student) for _ in range(10)]  # ten signed-in sessions (tabs, devices)
    for lesson in videos:
        lf.open_lesson(clients[0], lesson, course.pk)
    start = progress_clock.now
    errors, bodies = [], []
    barrier = threading.Barrier(10)

    def session(index):
        try:
            lesson = videos[index % 5]
            offset = 300 * (index // 5)  # two sessions per lesson, on different halves
            for beat in range(3):
                barrier.wait(timeout=30)
                if index == 0:
                    progress_clock.advance(20)
                barrier.wait(timeout=30)
                span = (offset + beat * 40, offset + beat * 40 + 40)  # claims 2x, everyone
                body = lf.send(clients[index], event(lesson, *span, progress_clock))
                bodies.append(body)
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    # Ten sessions need ten connections: give this thread's back (PostgreSQL pool of 10).
    connection.close()
    threads = [threading.Thread(target=session, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert len(bodies) == 30
    wall = (progress_clock.now - start).total_seconds()
    assert wall == 60
    assert covered(student) <= credited(*bodies) + EPS
    assert credited(*bodies) <= RATE * wall + EPS
    # All of the allowance was used: the sessions were paid one after the other, not lost.
    assert credited(*bodies) == pytest.approx(RATE * wall, abs=0.01)
    assert HeartbeatReceipt.objects.filter(user=student).count() == 30


@pytest.mark.django_db(transaction=True)
def test_the_clock_is_read_after_the_allowance_lock(student, instructor, as_user, progress_clock):
    course, (video, _) = lf.video_course(instructors=[instructor], duration=600.0)
    lf.enroll(student, course)
    client = as_user(student)
    lf.open_lesson(client, video, course.pk)
    progress_clock.advance(10)
    results = []

    def waiting_request():
        try:
            results.append(lf.send(client, event(video, 0, 600, progress_clock)))
        finally:
            connection.close()

    with transaction.atomic():
        # Another request of the learner holds their allowance...
        PlaybackAllowance.objects.select_for_update().get(user=student)
        thread = threading.Thread(target=waiting_request)
        thread.start()
        time.sleep(1.0)  # ...while this one arrives and waits for it
        assert thread.is_alive()
        released_at = progress_clock.advance(20)
    thread.join(timeout=30)
    body = results[0]
    # Paid for the 30 s up to when it got the lock, not the 10 s when it arrived.
    assert body["results"][0]["credited_seconds"] == pytest.approx(RATE * 30)
    assert PlaybackAllowance.objects.get(user=student).refilled_at == released_at


# --- The honest player ------------------------------------------------------------------------


class Player:
    """A player as a client developer would write it from the README: open the lesson, get
    the playback URL, and every ``tick`` seconds report the span played since the previous
    report (with the playhead, rate and a new event id); retry unanswered batches as is."""

    def __init__(self, client, course_id, clock):
        self.client, self.course_id, self.clock = client, course_id, clock
        self.results = []

    def open(self, lesson_id, video_pk=None):
        lf.open_lesson(self.client, lesson_id, self.course_id)
        if video_pk is not None:
            response = self.client.get(f"/api/v2/media/videos/{video_pk}/playback/")
            assert response.status_code == 200, response.content

    def play(self, lesson_id, start, end, *, rate=1.0, tick=10.0, jitter=0.0):
        position = start
        last = None
        while position < end - 1e-9:
            media = min(tick * rate, end - position)
            self.clock.advance(media / rate)
            span_start = position + jitter if position > start else position
            last = lf.send(
                self.client,
                event(
                    lesson_id,
                    span_start,
                    position + media,
                    self.clock,
                    rate=rate,
                    position=position + media,
                ),
            )
            self.results.extend(last["results"])
            position += media
        return last

    def pause(self, lesson_id, seconds, position):
        self.clock.advance(seconds)
        # A paused player may still report its playhead: an empty span.
        body = lf.send(self.client, event(lesson_id, position, position, self.clock))
        self.results.extend(body["results"])


def test_an_honest_player_completes_every_video_lesson(
    student, instructor, as_user, progress_clock
):
    course, lessons = lf.video_course(instructors=[instructor], duration=300.0, videos=3)
    lf.enroll(student, course)
    first, second, third, reading = lessons
    tab = Player(as_user(student), course.pk, progress_clock)

    # Lesson 1 at normal speed with a pause, a seek back and player jitter between ticks.
    tab.open(first, video_of(first))
    tab.play(first, 0, 120, jitter=0.05)
    tab.pause(first, 90, 120)
    tab.play(first, 90, 130)  # seeks back 30 s and replays
    tab.play(first, 130, 300, jitter=0.05)
    assert rows(student)[first].status == "completed"

    # Lesson 2 at 2x speed, the fastest rate the server allows.
    tab.open(second)
    body = tab.play(second, 0, 300, rate=2.0)
    assert body["lessons"][0]["status"] == "completed"

    # Lesson 3 in two tabs (a second session): the learner moves between them; both report.
    other = Player(as_user(student), course.pk, progress_clock)
    tab.open(third, video_of(third))
    tab.play(third, 0, 100)
    other.open(third)
    other.play(third, 100, 200)
    tab.pause(third, 5, 100)  # the first tab, left open, reports its paused playhead
    tab.play(third, 200, 300)
    assert rows(student)[third].status == "completed"

    results = tab.results + other.results
    assert all(r["status"] == "accepted" for r in results), results
    assert not [r for r in results if "faster_than_playback" in r["reasons"]]
    detail = tab.client.get(f"/api/v2/courses/{course.pk}/").json()["my_enrollment"]
    # Three 3-minute videos done, the 5-minute reading not: 9 of 14 minutes.
    assert detail["percent_complete"] == 64
    assert detail["next_lesson_id"] == reading


# --- Safe methods -----------------------------------------------------------------------------


def _snapshot() -> dict:
    state = {}
    for label in ("progress", "enrollment", "analytics"):
        for model in apps.get_app_config(label).get_models():
            state[model._meta.label] = list(model.objects.order_by("pk").values())
    return state


def test_get_of_a_lesson_changes_nothing(student, instructor, as_user, api_client, videos):
    course, (short, medium, _long, reading) = videos
    client = as_user(student)
    lf.open_lesson(client, medium, course.pk)
    before = _snapshot()
    assert before["progress.LessonProgress"] and before["enrollment.Enrollment"]
    for lesson in (short, medium, reading):  # never opened, opened, a reading
        response = client.get(f"/api/v2/courses/{course.pk}/lessons/{lesson}/")
        assert response.status_code == 200, response.content
    assert client.get(f"/api/v2/courses/{course.pk}/").status_code == 200
    assert (
        as_user(instructor).get(f"/api/v2/courses/{course.pk}/lessons/{short}/").status_code == 200
    )
    assert _snapshot() == before


# --- The open endpoint ------------------------------------------------------------------------


def test_open_authorization_matrix(
    student, other_student, instructor, editor, admin_user, as_user, api_client, videos
):
    course, (short, *_rest) = videos
    url = f"/api/v2/courses/{course.pk}/lessons/{short}/open/"
    before = _snapshot()
    assert api_client.post(url).status_code == 401
    for user in (other_student, instructor, editor, admin_user):
        response = as_user(user).post(url)
        assert response.status_code == 404, (user, response.content)
        assert response.json()["code"] == "not_enrolled"
    assert _snapshot() == before
    response = as_user(student).post(url)
    assert response.status_code == 200
    assert response.json() == {
        "status": "in_progress",
        "percent": 0,
        "position": 0.0,
        "completed_at": None,
        "lesson_id": short,
        "course_id": course.pk,
        "watched_seconds": 0.0,
    }


def test_open_refuses_unknown_foreign_and_draft_lessons(student, as_user, videos):
    course, (short, *_rest) = videos
    client = as_user(student)
    other, (foreign, _) = lf.video_course(title="Other")
    lf.enroll(student, other)
    draft = cf.course(title="Draft", publish=False)
    before = _snapshot()
    for url in (
        f"/api/v2/courses/{course.pk}/lessons/{uuid.uuid4()}/open/",
        f"/api/v2/courses/{course.pk}/lessons/{foreign}/open/",  # a lesson of another course
        f"/api/v2/courses/{other.pk}/lessons/{short}/open/",
        f"/api/v2/courses/{draft.pk}/lessons/{short}/open/",
        f"/api/v2/courses/999999/lessons/{short}/open/",
    ):
        response = client.post(url)
        assert response.status_code == 404, (url, response.content)
    assert _snapshot() == before
    client.delete(f"/api/v2/courses/{course.pk}/enrollment/")
    response = client.post(f"/api/v2/courses/{course.pk}/lessons/{short}/open/")
    assert response.status_code == 404 and response.json()["code"] == "not_enrolled"


def test_open_query_budgets(student, as_user, videos, django_assert_max_num_queries):
    course, (short, *_rest) = videos
    client = as_user(student)
    url = f"/api/v2/courses/{course.pk}/lessons/{short}/open/"
    # Auth, the live lesson (one query), the enrollment check (non-learners are refused
    # before any write); savepoint, progress read, created (in a savepoint), allowance,
    # started event, enrollment update, release.
    with django_assert_max_num_queries(12):
        assert client.post(url).status_code == 200
    # Again: the start is kept; only the enrollment's last lesson and activity are written.
    with django_assert_max_num_queries(8):
        assert client.post(url).status_code == 200


def test_playback_url_starts_the_lesson_and_the_earlier_start_counts(
    student, instructor, as_user, videos, progress_clock
):
    course, (_short, medium, *_rest) = videos
    client = as_user(student)
    video_pk = video_of(medium)
    started = progress_clock.now
    assert client.get(f"/api/v2/media/videos/{video_pk}/playback/").status_code == 200
    assert rows(student)[medium].started_at == started
    enrollment = Enrollment.objects.get(user=student)
    assert enrollment.last_lesson_id is None  # playback does not pick the last lesson
    progress_clock.advance(10)
    lf.open_lesson(client, medium, course.pk)
    assert rows(student)[medium].started_at == started  # the earlier start stays
    body = lf.send(client, event(medium, 0, 20, progress_clock))
    assert body["results"][0]["credited_seconds"] == pytest.approx(20.0)
    # Course staff and the video's owner get URLs and no progress.
    assert as_user(instructor).get(f"/api/v2/media/videos/{video_pk}/playback/").status_code == 200
    assert not LessonProgress.objects.filter(user=instructor).exists()


# --- Bad input --------------------------------------------------------------------------------


def test_replays_with_new_event_ids_earn_nothing_more(student, as_user, videos, progress_clock):
    course, (_short, medium, *_rest) = videos
    client = as_user(student)
    lf.open_lesson(client, medium, course.pk)
    progress_clock.advance(10)
    first = lf.send(client, event(medium, 0, 10, progress_clock))
    assert first["results"][0]["credited_seconds"] == 10
    progress_clock.advance(1)
    replays = lf.send(client, *(event(medium, 0, 10, progress_clock) for _ in range(20)))
    assert [r["status"] for r in replays["results"]] == ["accepted"] * 20
    assert credited(replays) == 0
    assert rows(student)[medium].watched == [[0.0, 10.0]]


def test_client_times_in_the_past_or_future(student, as_user, videos, progress_clock):
    course, (_short, medium, *_rest) = videos
    client = as_user(student)
    lf.open_lesson(client, medium, course.pk)
    progress_clock.advance(10)
    now = progress_clock.now
    body = lf.send(
        client,
        event(medium, 0, 10, progress_clock, client_time=now - timedelta(days=3)),
        event(medium, 10, 20, progress_clock, client_time=now + timedelta(minutes=4)),
        event(medium, 20, 90, progress_clock, client_time=now + timedelta(minutes=6)),
    )
    assert [(r["status"], r["reasons"]) for r in body["results"]] == [
        ("accepted", []),
        ("accepted", []),
        ("rejected", ["client_time_in_future"]),
    ]
    assert credited(body) == pytest.approx(RATE * 10)
    # A claim dated in the past is paid from the allowance of now, like any other.
    progress_clock.advance(1)
    late = lf.send(
        client, event(medium, 20, 90, progress_clock, client_time=now - timedelta(hours=1))
    )
    assert late["results"][0]["status"] == "accepted"
    assert late["results"][0]["reasons"] == ["faster_than_playback"]
    assert credited(late) <= RATE * 1 + EPS
    assert rows(student)[medium].position == 20  # the newest client time placed the playhead


@pytest.mark.parametrize(
    ("rate", "outcome"),
    [
        (2.0, "accepted"),  # the bound itself
        (0.25, "accepted"),
        (2.0001, "playback_rate_out_of_range"),
        (16, "playback_rate_out_of_range"),
        (0, "playback_rate_out_of_range"),
        (-1, "playback_rate_out_of_range"),
        ("fast", "invalid"),
        (None, "invalid"),
    ],
)
def test_playback_rates_at_and_beyond_the_bounds(
    rate, outcome, student, as_user, videos, progress_clock
):
    course, (_short, medium, *_rest) = videos
    client = as_user(student)
    lf.open_lesson(client, medium, course.pk)
    progress_clock.advance(10)
    body = lf.send(
        client,
        event(medium, 0, 10, progress_clock, rate=rate),
        event(medium, 50, 55, progress_clock),
    )
    first, good = body["results"]
    if outcome == "accepted":
        assert first["status"] == "accepted" and first["credited_seconds"] == 10
        # The claimed rate never raises the allowance: 10 s of wall time pay 20 s at most.
        assert credited(body) <= RATE * 10 + EPS
    else:
        assert first["status"] == "rejected" and first["reasons"] == [outcome]
        assert first["credited_seconds"] == 0
    assert good["status"] == "accepted" and good["credited_seconds"] > 0


def test_spans_beyond_the_duration(student, as_user, videos, progress_clock):
    course, (_short, medium, *_rest) = videos
    client = as_user(student)
    lf.open_lesson(client, medium, course.pk)
    progress_clock.advance(60)
    body = lf.send(
        client,
        event(medium, 101, 130, progress_clock),
        event(medium, 1e9, 2e9, progress_clock),
        event(medium, 95, 1e9, progress_clock, position=1e9),
    )
    assert [(r["status"], r["reasons"]) for r in body["results"]] == [
        ("rejected", ["beyond_duration"]),
        ("rejected", ["beyond_duration"]),
        ("accepted", ["clamped_to_duration"]),
    ]
    row = rows(student)[medium]
    assert row.watched == [[95.0, 100.0]] and row.position == 100


def test_lessons_of_other_courses_and_not_started_lessons_in_one_batch(
    student, as_user, videos, progress_clock
):
    course, (short, medium, *_rest) = videos
    client = as_user(student)
    _other, (foreign, _) = lf.video_course(title="Not mine")
    lf.open_lesson(client, medium, course.pk)
    progress_clock.advance(10)
    body = lf.send(
        client,
        event(foreign, 0, 10, progress_clock),
        event(short, 0, 4, progress_clock),
        event(medium, 0, 10, progress_clock),
        event(str(uuid.uuid4()), 0, 10, progress_clock),
    )
    assert [(r["status"], r["reasons"]) for r in body["results"]] == [
        ("rejected", ["lesson_not_available"]),
        ("rejected", ["not_started"]),
        ("accepted", []),
        ("rejected", ["lesson_not_available"]),
    ]
    assert [lesson["lesson_id"] for lesson in body["lessons"]] == [medium]
    assert set(rows(student)) == {medium}


@pytest.mark.parametrize(
    "raw",
    [
        "null",
        "1e999",
        '"text"',
        "[]",
        '{"start": 1e999}',
        '{"start": null}',
        '{"playback_rate": 1e999}',
        '{"client_event_id": 1e999}',
        '{"lesson_id": null}',
        '{"client_time": 1e999}',
    ],
)
def test_malformed_events_are_judged_one_by_one(raw, student, as_user, videos, progress_clock):
    course, (_short, medium, *_rest) = videos
    client = as_user(student)
    lf.open_lesson(client, medium, course.pk)
    progress_clock.advance(10)
    good = event(medium, 0, 10, progress_clock)
    if raw.startswith("{"):
        bad = json.dumps({**event(medium, 10, 20, progress_clock), **json.loads(raw)})
        bad = bad.replace("Infinity", "1e999")
    else:
        bad = raw
    payload = '{"events": [' + json.dumps(good) + ", " + bad + "]}"
    response = client.post("/api/v2/progress/events/", payload, content_type="application/json")
    assert response.status_code == 200, response.content
    first, second = response.json()["results"]
    assert first["status"] == "accepted" and first["credited_seconds"] == 10
    assert second["status"] == "rejected" and second["reasons"] == ["invalid"]
    assert second["credited_seconds"] == 0
    for problems in second["errors"].values():
        assert problems and all(set(p) == {"code", "message"} for p in problems)
    assert rows(student)[medium].watched == [[0.0, 10.0]]


def test_playback_allowance_is_per_learner(
    student, other_student, instructor, as_user, progress_clock
):
    course, (video, _) = lf.video_course(instructors=[instructor], duration=600.0)
    lf.enroll(student, course)
    lf.enroll(other_student, course)
    mine, theirs = as_user(student), as_user(other_student)
    lf.open_lesson(mine, video, course.pk)
    lf.open_lesson(theirs, video, course.pk)
    progress_clock.advance(10)
    assert credited(lf.send(mine, event(video, 0, 100, progress_clock))) == pytest.approx(20)
    assert credited(lf.send(theirs, event(video, 0, 100, progress_clock))) == pytest.approx(20)


def test_openapi_documents_the_open_endpoint_and_the_rule(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    paths = schema["paths"]
    opened = paths["/api/v2/courses/{course_id}/lessons/{lesson_id}/open/"]["post"]
    assert opened["operationId"] == "courses_lessons_open"
    assert "credited" in opened["description"]
    lesson = paths["/api/v2/courses/{course_id}/lessons/{lesson_id}/"]["get"]
    assert "changes nothing" in lesson["description"]
    beats = paths["/api/v2/progress/events/"]["post"]
    assert "not_started" in beats["description"] and "one allowance" in beats["description"]
    result = schema["components"]["schemas"]["HeartbeatResult"]["properties"]
    reasons = result["reasons"]["items"]
    enum = (
        reasons.get("enum")
        or schema["components"]["schemas"][reasons["$ref"].rsplit("/", 1)[1]]["enum"]
    )
    assert "not_started" in enum
    errors = result["errors"]["additionalProperties"]["items"]
    assert "HeartbeatFieldError" in errors["$ref"]
