"""Rollups from a scripted event history, with exact expected numbers: late events, re-runs,
a run killed halfway, UTC day boundaries, video coverage and quiz item analysis."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from cms.models import CourseLesson
from learning.analytics import rollups, services
from learning.analytics.models import (
    CourseDay,
    LearnerDay,
    LearningEvent,
    LessonStats,
    ObjectType,
    PlatformDay,
    QuestionStats,
    RollupState,
    Verb,
    VideoBucket,
    WatchDay,
)
from learning.enrollment.models import Enrollment
from learning.progress.models import LessonProgress
from tests.factories import UserFactory
from tests.factories import courses as cf
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db

L1, L2 = str(uuid.uuid4()), str(uuid.uuid4())


def at(day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, second, tzinfo=UTC)


def log(user, verb, course, when, *, lesson=None, stored=None, context=None) -> LearningEvent:
    """An event that happened ``when`` and was stored ``stored`` (default: at once)."""
    event = LearningEvent(
        actor=user,
        verb=verb,
        object_type=ObjectType.LESSON if lesson else ObjectType.COURSE,
        object_id=lesson or str(course.pk),
        course_id=course.pk,
        context=context or {},
        timestamp=when,
    )
    event.save(force_insert=True)
    LearningEvent.objects.filter(pk=event.pk).update(stored_at=stored or when)
    return event


@pytest.fixture
def history():
    """Ann enrols on 1 March 09:00, does lesson 1; Bob enrols one second before midnight and
    starts lesson 1 at midnight; Ann does lesson 2 and completes the course on 2 March."""
    course = cf.course(title="Analytics course")
    ann = UserFactory(date_joined=at(1, 8))
    bob = UserFactory(date_joined=at(1, 23, 59, 59))
    LearningEvent.objects.all().delete()  # nothing but the script
    enrollment = Enrollment.objects.create(user=ann, course=course, enrolled_at=at(1, 9))
    log(ann, Verb.ENROLLED, course, at(1, 9), context={"registration": str(enrollment.pk)})
    log(ann, Verb.LESSON_STARTED, course, at(1, 9, 5), lesson=L1)
    log(ann, Verb.LESSON_COMPLETED, course, at(1, 9, 20), lesson=L1)
    log(bob, Verb.ENROLLED, course, at(1, 23, 59, 59))
    log(bob, Verb.LESSON_STARTED, course, at(2, 0, 0, 0), lesson=L1)
    log(ann, Verb.LESSON_STARTED, course, at(2, 10), lesson=L2)
    log(ann, Verb.LESSON_COMPLETED, course, at(2, 10, 30), lesson=L2)
    Enrollment.objects.filter(pk=enrollment.pk).update(
        status="completed", completed_at=at(2, 10, 30)
    )
    log(
        ann,
        Verb.COURSE_COMPLETED,
        course,
        at(2, 10, 30),
        context={"registration": str(enrollment.pk)},
    )
    return course, ann, bob


def snapshot(course) -> dict:
    days = {
        row.day: (
            row.enrollments,
            row.active_learners,
            row.lesson_starts,
            row.lesson_completions,
            row.course_completions,
            row.completion_seconds,
        )
        for row in CourseDay.objects.filter(course_id=course.pk)
    }
    lessons = {
        str(row.lesson_id): (row.starts, row.completions, row.dropoff)
        for row in LessonStats.objects.filter(course_id=course.pk)
    }
    learners = {
        (row.day, row.user_id): (row.events, row.lesson_starts, row.lesson_completions)
        for row in LearnerDay.objects.filter(course_id=course.pk)
    }
    platform = {
        row.day: (row.signups, row.active_users, row.enrollments, row.completions)
        for row in PlatformDay.objects.all()
    }
    return {"days": days, "lessons": lessons, "learners": learners, "platform": platform}


def test_scripted_history_exact_numbers(history):
    course, ann, bob = history
    services.rollups_run(upto=at(3))
    numbers = snapshot(course)
    # Bob's enrolment one second before midnight is 1 March; his start at midnight, 2 March.
    assert numbers["days"] == {
        date(2026, 3, 1): (2, 2, 1, 1, 0, []),
        date(2026, 3, 2): (0, 2, 2, 1, 1, [91800.0]),  # 25 h 30 min from enrolment
    }
    # Ann completed the course, so she drops off nowhere; Bob stopped at lesson 1.
    assert numbers["lessons"] == {L1: (2, 1, 1), L2: (1, 1, 0)}
    assert numbers["learners"] == {
        (date(2026, 3, 1), ann.pk): (3, 1, 1),
        (date(2026, 3, 1), bob.pk): (1, 0, 0),
        (date(2026, 3, 2), ann.pk): (3, 1, 1),
        (date(2026, 3, 2), bob.pk): (1, 1, 0),
    }
    assert numbers["platform"] == {
        date(2026, 3, 1): (2, 2, 2, 0),
        date(2026, 3, 2): (0, 2, 0, 1),
    }
    assert RollupState.objects.get(name="course_day").watermark == at(3)


def test_late_event_lands_in_its_own_day_and_reruns_change_nothing(history):
    course, *_ = history
    services.rollups_run(upto=at(3))
    carl = UserFactory(date_joined=at(1, 11))
    # Carl's phone was offline: his 1 March start reaches the server on 5 March.
    log(carl, Verb.LESSON_STARTED, course, at(1, 12), lesson=L1, stored=at(5))
    services.rollups_run(upto=at(4))  # before it arrived: nothing to do
    assert RollupState.objects.get(name="course_day").last_keys == 0
    services.rollups_run(upto=at(6))
    numbers = snapshot(course)
    assert numbers["days"][date(2026, 3, 1)] == (2, 3, 2, 1, 0, [])
    assert numbers["days"][date(2026, 3, 2)] == (0, 2, 2, 1, 1, [91800.0])
    assert numbers["lessons"] == {L1: (3, 1, 2), L2: (1, 1, 0)}
    assert numbers["platform"][date(2026, 3, 1)] == (3, 3, 2, 0)
    assert RollupState.objects.get(name="course_day").last_keys == 1  # only 1 March again

    # Re-running, from scratch or not, gives the same numbers.
    services.rollups_run(upto=at(7))
    assert snapshot(course) == numbers
    for name in rollups.REGISTRY:
        services.rollup_rebuild_all(name)
    assert snapshot(course) == numbers


def test_a_run_killed_halfway_and_run_again_gives_the_same_numbers(history, monkeypatch):
    course, *_ = history
    services.rollups_run(upto=at(3))
    expected = snapshot(course)
    for name in rollups.REGISTRY:
        services.rollup_rebuild_all(name)
    CourseDay.objects.all().delete()
    RollupState.objects.all().delete()

    original = rollups.REGISTRY["course_day"]
    calls = []

    def dies_on_second_day(day):
        calls.append(day)
        if len(calls) == 2:
            raise SystemExit("worker killed")
        original.rebuild(day)

    monkeypatch.setitem(
        rollups.REGISTRY,
        "course_day",
        rollups.Rollup("course_day", original.dirty, dies_on_second_day),
    )
    with pytest.raises(SystemExit):
        services.rollup_run("course_day", upto=at(3))
    # The first day was written, the watermark did not move.
    assert CourseDay.objects.filter(course_id=course.pk).count() == 1
    assert RollupState.objects.get(name="course_day").watermark is None

    monkeypatch.setitem(rollups.REGISTRY, "course_day", original)
    services.rollup_run("course_day", upto=at(3))
    assert snapshot(course) == expected


def test_a_second_concurrent_run_skips():
    from django.core.cache import cache

    cache.add("analytics:rollup:course_day", "1")
    run = services.rollup_run("course_day")
    assert run.skipped and not RollupState.objects.filter(name="course_day").exists()


# --- Video coverage -----------------------------------------------------------------------------


def test_video_buckets_exits_and_watch_time():
    course, (video_id, _reading) = lf.video_course(duration=100.0)
    lesson = CourseLesson.objects.get(course=course, lesson_id=video_id)
    one, two, three = UserFactory(), UserFactory(), UserFactory()

    def progress(user, watched, position, *, status="in_progress", when=None):
        seconds = sum(end - start for start, end in watched)
        row, _ = LessonProgress.objects.update_or_create(
            user=user,
            lesson=lesson,
            defaults={
                "course": course,
                "watched": watched,
                "watched_seconds": seconds,
                "position": position,
                "status": status,
                "fraction": 1.0 if status == "completed" else seconds / 100,
            },
        )
        LessonProgress.objects.filter(pk=row.pk).update(updated_at=when or at(10, 12))

    progress(one, [[0, 35]], 35)
    progress(two, [[20, 100]], 100, status="completed")
    progress(three, [[0, 5], [90, 95]], 95)
    services.rollup_run("video", upto=at(11))
    buckets = list(
        VideoBucket.objects.filter(lesson_id=video_id).values_list("bucket", "learners", "exits")
    )
    assert buckets == [
        (0, 2, 0),
        (1, 1, 0),
        (2, 2, 0),
        (3, 2, 1),  # one stopped at 35 s
        (4, 1, 0),
        (5, 1, 0),
        (6, 1, 0),
        (7, 1, 0),
        (8, 1, 0),
        (9, 2, 1),  # three stopped at 95 s; two completed and is not an exit
    ]

    def watched():
        return sorted(WatchDay.objects.values_list("user_id", "day", "seconds"))

    assert watched() == sorted(
        [
            (one.pk, date(2026, 3, 10), 35.0),
            (two.pk, date(2026, 3, 10), 80.0),
            (three.pk, date(2026, 3, 10), 10.0),
        ]
    )
    # One watches on the next day; re-runs credit nothing twice.
    progress(one, [[0, 50]], 50, when=at(11, 9))
    services.rollup_run("video", upto=at(12))
    services.rollup_rebuild_all("video")
    assert (one.pk, date(2026, 3, 11), 15.0) in watched()
    assert len(watched()) == 4
    assert VideoBucket.objects.get(lesson_id=video_id, bucket=4).learners == 2


# --- Quiz item analysis -----------------------------------------------------------------------


def test_quiz_item_analysis():
    from learning.assessment.models import QuizAttempt
    from tests.factories import assessment as af

    course, section, quiz_id = af.quiz_course()
    lesson = CourseLesson.objects.get(course=course, lesson_id=quiz_id)
    revision = section.latest_revision
    # Ten attempts ordered by score; q1 is answered right by the strong half only, q2 by all.
    for n in range(10):
        strong = n >= 5
        results = {
            "q1": {"points": int(strong), "max_points": 1, "correct": strong},
            "q2": {"points": 1, "max_points": 1, "correct": True},
        }
        wrong = "c-a" if n % 2 else "c-b"
        if n == 0:
            wrong = "c-a"
        QuizAttempt.objects.create(
            user=UserFactory(),
            lesson=lesson,
            course=course,
            number=1,
            revision=revision,
            seed=n,
            status="submitted",
            submitted_at=at(10, 9) + timedelta(minutes=n),
            answers={"q1": "c-right" if strong else wrong, "q2": "c-x"},
            results=results,
            score=n,
            max_score=10,
            percent=n * 10,
            passed=strong,
        )
    services.rollup_run("quiz_items", upto=at(11))
    stats = {row.question_id: row for row in QuestionStats.objects.filter(lesson_id=quiz_id)}
    q1, q2 = stats["q1"], stats["q2"]
    assert (q1.attempts, q1.correct, q1.percent_correct) == (10, 5, 50.0)
    # Groups of round(0.27 x 10) = 3: the top three all right, the bottom three all wrong.
    assert q1.discrimination == 1.0
    # Wrong answers: n = 0, 1, 3 chose c-a; n = 2, 4 chose c-b.
    assert (q1.top_wrong_answer, q1.top_wrong_count) == ("c-a", 3)
    assert (q2.attempts, q2.correct, q2.discrimination, q2.top_wrong_answer) == (10, 10, 0.0, None)
