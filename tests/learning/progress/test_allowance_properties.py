"""Property: whatever a learner sends, and whenever, coverage gained <= allowance spent <=
maximum rate x wall time since they first started a lesson (and no lesson gains more than
that rate x the wall time since it started)."""

import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cms.models import CourseLesson
from learning.progress import intervals, services
from learning.progress.models import LessonProgress, PlaybackAllowance
from tests.factories import UserFactory
from tests.factories import learning as lf

pytestmark = pytest.mark.django_db

DURATIONS = (20.0, 60.0, 600.0)
EPS = 1e-6

span = st.tuples(
    st.sampled_from([0, 0, 0, 1, 2]),  # which lesson
    st.one_of(  # start: on a quarter-second grid so spans nearly touch, or anywhere
        st.integers(0, 100).map(lambda n: n * 0.25), st.floats(-1, 620, allow_nan=False)
    ),
    st.one_of(  # length: tiny spans, lengths around the join tolerance, long claims
        st.sampled_from([0.0, 0.001, 0.01, 0.2, 0.4999, 0.5, 0.5001, 0.75, 1.0, 3.7, 10.0]),
        st.floats(0, 200, allow_nan=False),
    ),
    st.floats(-30, 30, allow_nan=False),  # client clock offset, seconds
)
step = st.tuples(
    st.one_of(
        st.floats(0, 30), st.just(0.0), st.floats(0, 0.05), st.floats(0, 4000)
    ),  # wall time before the step
    st.lists(st.sampled_from([0, 0, 1, 2]), min_size=1, max_size=2),  # lessons opened
    st.lists(span, max_size=6),  # one batch
)


@pytest.fixture
def lessons():
    course, ids = lf.video_course(duration=1.0, videos=len(DURATIONS))
    rows = [CourseLesson.objects.get(lesson_id=pk) for pk in ids[: len(DURATIONS)]]
    for lesson, duration in zip(rows, DURATIONS, strict=True):
        lesson.video.duration_seconds = duration
        lesson.video.save(update_fields=["duration_seconds"])
    return course, rows


@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(step, min_size=1, max_size=8))
def test_coverage_never_exceeds_the_allowance_spent_nor_rate_times_wall_time(
    lessons, progress_clock, steps
):
    course, rows = lessons
    rate = django_settings.PROGRESS_MAX_PLAYBACK_RATE
    learner = UserFactory()
    lf.enroll(learner, course)
    first_start = None
    started: dict[int, object] = {}
    spent = 0.0
    for wait, opened, batch in steps:
        progress_clock.advance(wait)
        for index in opened:
            services.lesson_open(user=learner, lesson=rows[index])
            started.setdefault(index, progress_clock.now)
            first_start = first_start or progress_clock.now
        before = {
            p.lesson_id: intervals.covered_seconds(p.watched)
            for p in LessonProgress.objects.filter(user=learner)
        }
        balance_before = _balance(learner, progress_clock.now, rate)
        heartbeats = [
            services.Heartbeat(
                index=n,
                client_event_id=uuid.uuid4(),
                lesson_id=rows[lesson].lesson_id,
                start=max(0.0, start),
                end=max(0.0, start) + length,
                position=max(0.0, start) + length,
                playback_rate=1.0,
                client_time=progress_clock.now + timedelta(seconds=offset),
            )
            for n, (lesson, start, length, offset) in enumerate(batch)
        ]
        result = services.heartbeats_record(user=learner, events=heartbeats)
        paid = sum(r.credited_seconds for r in result.results)
        after = {p.lesson_id: p for p in LessonProgress.objects.filter(user=learner)}
        gained = sum(
            intervals.covered_seconds(p.watched) - before.get(pk, 0.0) for pk, p in after.items()
        )
        # Coverage gained is exactly what was paid (rounded to the millisecond per event)...
        assert gained <= paid + 1e-3 * max(1, len(batch))
        assert abs(gained - paid) <= 1e-3 * max(1, len(batch))
        # ...paid from the allowance: what it held minus what it holds now...
        if paid:
            assert paid <= balance_before - _stored_balance(learner) + 1e-3 * len(batch)
        spent += paid
        # ...which never exceeds the maximum rate x the wall time since the first start.
        if first_start is not None:
            wall = (progress_clock.now - first_start).total_seconds()
            assert spent <= rate * wall + 1e-3 * len(steps) * 6
        else:
            assert spent == 0
        for index, lesson in enumerate(rows):
            row = after.get(lesson.pk)
            if index not in started:
                assert row is None  # never started: nothing recorded, nothing credited
                continue
            since = (progress_clock.now - started[index]).total_seconds()
            assert intervals.covered_seconds(row.watched) <= rate * since + 1e-3 * 48
            assert intervals.covered_seconds(row.watched) <= DURATIONS[index] + EPS
            assert row.watched_seconds == pytest.approx(
                intervals.covered_seconds(row.watched), abs=1e-3
            )


def _balance(user, now, rate) -> float:
    allowance = PlaybackAllowance.objects.filter(user=user).first()
    if allowance is None:
        return 0.0
    elapsed = max(0.0, (now - allowance.refilled_at).total_seconds())
    cap = django_settings.PROGRESS_MAX_CREDIT_SECONDS * rate
    return min(cap, allowance.balance + elapsed * rate)


def _stored_balance(user) -> float:
    return PlaybackAllowance.objects.get(user=user).balance
