import itertools
import math
import random

import pytest

from learning.progress.intervals import (
    JOIN_TOLERANCE,
    coverage,
    covered_seconds,
    credit,
    normalise,
)

UNLIMITED = math.inf


def add(intervals, span, duration):
    return credit(intervals, span, duration, UNLIMITED)[0]


def test_merges_overlapping_and_touching_spans_only():
    assert normalise([(10, 20), (0, 5), (4, 12), (30, 31)]) == [(0.0, 20.0), (30.0, 31.0)]
    assert normalise([(0, 5), (5, 8)]) == [(0.0, 8.0)]
    # The union is exact: a gap nobody paid for is never counted, however small.
    assert normalise([(0, 5), (5.3, 8)]) == [(0.0, 5.0), (5.3, 8.0)]
    assert covered_seconds([(0, 5), (5.3, 8)]) == pytest.approx(7.7)


def test_clips_to_the_video_and_drops_empty_or_inverted_spans():
    assert normalise([(-5, 3), (8, 500), (4, 4), (7, 6)], duration=60) == [(0.0, 3.0), (8.0, 60.0)]
    assert normalise([(float("nan"), 3)]) == []


def test_seek_to_end_covers_only_what_was_played():
    intervals = add([], (0, 5), duration=100)
    intervals = add(intervals, (95, 100), duration=100)  # jumped to the end
    assert coverage(intervals, 100) == pytest.approx(0.10)


def test_a_span_starting_just_after_covered_media_continues_it_and_pays_the_gap():
    # Player jitter: 0-10 then 10.2-20. The 0.2 s gap is charged and counted.
    watched, span, added = credit([(0.0, 10.0)], (10.2, 20.0), 100, UNLIMITED)
    assert watched == [(0.0, 20.0)] and span == (10.0, 20.0)
    assert added == pytest.approx(10.0)
    # Further away than the tolerance: a separate interval, the gap stays unwatched.
    watched, span, added = credit([(0.0, 10.0)], (10.6, 20.0), 100, UNLIMITED)
    assert watched == [(0.0, 10.0), (10.6, 20.0)] and added == pytest.approx(9.4)
    # Not enough budget to pay the gap and reach the reported span: nothing is credited.
    watched, span, added = credit([(0.0, 10.0)], (10.4, 20.0), 100, 0.3)
    assert watched == [(0.0, 10.0)] and added == 0.0 and span[1] == span[0]


def test_tiny_spans_pay_for_every_gap_they_join():
    # The attack of issue 10: nine 1 ms spans 0.5 s apart over a 4 s video.
    spans = [(n * 0.5, n * 0.5 + 0.001) for n in range(8)] + [(3.999, 4.0)]
    watched, spent = [], 0.0
    for span in spans:
        watched, _, added = credit(watched, span, 4.0, 0.009)
        spent += added
    assert covered_seconds(watched) == pytest.approx(spent)
    assert spent <= 9 * 0.009 + 1e-9
    assert coverage(watched, 4.0) < 0.03


def test_coverage_never_decreases_whatever_arrives():
    rng = random.Random(1234)
    duration = 300.0
    intervals: list = []
    seen = 0.0
    for _ in range(2000):
        start = rng.uniform(-20, duration + 20)
        new = (start, start + rng.uniform(-5, 30))
        intervals = add(intervals, new, duration)
        now = coverage(intervals, duration)
        assert now >= seen
        seen = now
        assert all(0 <= s < e <= duration for s, e in intervals)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(intervals))


def test_matches_a_brute_force_count():
    rng = random.Random(99)
    spans = [(x, x + rng.randint(1, 20)) for x in (rng.randint(0, 180) for _ in range(60))]
    seconds = set()
    for start, end in spans:
        seconds.update(range(start, end))
    assert covered_seconds(spans) == len(seconds)


def test_credit_pays_only_for_new_coverage():
    watched = [(0.0, 10.0), (20.0, 30.0)]
    # Replaying covered time is free; the gap 10-20 costs 10 s.
    assert credit(watched, (0, 30), None, 100) == ([(0.0, 30.0)], (0.0, 30.0), 10.0)
    # With 4 s to spend, the span stops 4 s into the first gap.
    assert credit(watched, (0, 30), None, 4) == ([(0.0, 14.0), (20.0, 30.0)], (0.0, 14.0), 4.0)
    # Nothing to spend: a span over covered time still passes, up to the first gap.
    assert credit(watched, (2, 8), None, 0)[1:] == ((2.0, 8.0), 0.0)
    assert credit(watched, (5, 25), None, 0)[1:] == ((5.0, 10.0), 0.0)
    # Beyond everything covered.
    assert credit(watched, (31, 50), None, 15)[1:] == ((31.0, 46.0), 15.0)
    # Empty or reversed spans add nothing.
    assert credit(watched, (40, 40), None, 5)[1:] == ((40.0, 40.0), 0.0)
    assert credit(watched, (45, 41), None, 5)[2] == 0.0


def test_credit_charges_exactly_what_it_counts_and_never_more_than_the_budget():
    rng = random.Random(7)
    for _ in range(2000):
        watched = normalise(
            [(x, x + rng.uniform(0, 30)) for x in (rng.uniform(0, 300) for _ in range(8))],
            300.0,
        )
        start = rng.uniform(0, 300)
        span = (start, start + rng.uniform(0, 120))
        budget = rng.choice([0.0, rng.uniform(0, 1), rng.uniform(0, 60)])
        after, clipped, added = credit(watched, span, 300.0, budget)
        assert added <= budget + 1e-9
        assert covered_seconds(after) - covered_seconds(watched) == pytest.approx(added, abs=1e-6)
        assert clipped[1] <= min(span[1], 300.0) + 1e-9
        # The credited span starts where the player said, or continues media it joined.
        assert span[0] - JOIN_TOLERANCE <= clipped[0] <= span[0] + 1e-9 or added == 0
