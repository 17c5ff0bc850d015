import itertools
import random

import pytest

from learning.progress.intervals import add, coverage, covered_seconds, normalise


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
