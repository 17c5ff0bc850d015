import itertools
import random

import pytest

from learning.progress.intervals import add, clip_to_budget, coverage, covered_seconds, normalise


def test_merges_overlapping_and_adjacent_spans():
    assert normalise([(10, 20), (0, 5), (4, 12), (30, 31)]) == [(0.0, 20.0), (30.0, 31.0)]
    assert normalise([(0, 5), (5.3, 8)]) == [(0.0, 8.0)]  # within the join tolerance
    assert normalise([(0, 5), (6, 8)]) == [(0.0, 5.0), (6.0, 8.0)]


def test_clips_to_the_video_and_drops_empty_or_inverted_spans():
    assert normalise([(-5, 3), (8, 500), (4, 4), (7, 6)], duration=60) == [(0.0, 3.0), (8.0, 60.0)]
    assert normalise([(float("nan"), 3)]) == []


def test_seek_to_end_covers_only_what_was_played():
    intervals = add([], (0, 5), duration=100)
    intervals = add(intervals, (95, 100), duration=100)  # jumped to the end
    assert coverage(intervals, 100) == pytest.approx(0.10)


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
    assert covered_seconds(spans, tolerance=0) == len(seconds)
    # Joining near-touching spans only ever adds the tiny gaps between them.
    assert len(seconds) <= covered_seconds(spans) <= len(seconds) + 0.5 * len(spans)


def test_clip_to_budget_pays_only_for_new_coverage():
    watched = [(0.0, 10.0), (20.0, 30.0)]
    # Replaying covered time is free; the gap 10-20 costs 10 s.
    assert clip_to_budget(watched, (0, 30), 100) == ((0.0, 30.0), 10.0)
    # With 4 s to spend, the span stops 4 s into the first gap.
    assert clip_to_budget(watched, (0, 30), 4) == ((0.0, 14.0), 4.0)
    # Nothing to spend: a span over covered time still passes, up to the first gap.
    assert clip_to_budget(watched, (2, 8), 0) == ((2.0, 8.0), 0.0)
    assert clip_to_budget(watched, (5, 25), 0) == ((5.0, 10.0), 0.0)
    # Beyond everything covered.
    assert clip_to_budget(watched, (30, 50), 15) == ((30.0, 45.0), 15.0)
    # Empty or reversed spans add nothing.
    assert clip_to_budget(watched, (40, 40), 5) == ((40.0, 40.0), 0.0)


def test_clip_to_budget_never_adds_more_than_the_budget():
    rng = random.Random(7)
    for _ in range(500):
        watched = normalise(
            [(x, x + rng.uniform(0, 30)) for x in (rng.uniform(0, 300) for _ in range(8))]
        )
        start = rng.uniform(0, 300)
        span = (start, start + rng.uniform(0, 120))
        budget = rng.uniform(0, 60)
        clipped, added = clip_to_budget(watched, span, budget)
        before = covered_seconds(watched, tolerance=0)
        after = covered_seconds([*watched, clipped], tolerance=0)
        assert added <= budget + 1e-9
        assert abs((after - before) - added) < 1e-6
        assert span[0] == clipped[0] and clipped[1] <= span[1]
