"""Watched-interval arithmetic for video progress.

A learner's coverage of a video is the union of the intervals (in media seconds) they have
actually played. Seeking does not add coverage; only played spans do. Intervals are kept
merged, sorted and clipped to ``[0, duration]`` so the stored list stays small however many
heartbeats arrive, and adding an interval never removes coverage (monotonic).

**One rule** for charging, storing and counting: coverage is the exact union of the spans
credited, and a span is charged exactly the coverage it adds to that union (:func:`credit`).
There is no tolerance that makes an unpaid gap count as watched. The one allowance for player
jitter is that a span starting less than :data:`JOIN_TOLERANCE` after covered media continues
it: the span is extended back to that media, so the gap is *charged* like any new coverage
(a player that reports ``0-10`` then ``10.02-20`` pays 0.02 s for the gap and gets it). This
also bounds the stored list: intervals are more than ``JOIN_TOLERANCE`` apart where a span
began, so a video has at most ``duration / JOIN_TOLERANCE`` of them.
"""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[float, float]

# A span starting this close after covered media continues it (the gap is charged).
JOIN_TOLERANCE = 0.5


def normalise(
    intervals: Iterable[Iterable[float]], duration: float | None = None
) -> list[Interval]:
    """Sort, clip to ``[0, duration]``, drop empty spans and merge overlapping or touching
    ones: the exact union."""
    clipped: list[Interval] = []
    for raw in intervals:
        start, end = float(raw[0]), float(raw[1])
        if start != start or end != end:  # NaN
            continue
        start = max(0.0, start)
        if duration is not None:
            end = min(end, float(duration))
        if end > start:
            clipped.append((start, end))
    clipped.sort()
    merged: list[Interval] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def covered_seconds(intervals: Iterable[Iterable[float]]) -> float:
    """Seconds covered by the union of ``intervals``."""
    return sum(end - start for start, end in normalise(intervals))


def coverage(intervals: Iterable[Iterable[float]], duration: float) -> float:
    """Fraction of the video played at least once, between 0 and 1."""
    if duration <= 0:
        return 0.0
    return min(1.0, covered_seconds(normalise(intervals, duration)) / duration)


def _clip_to_budget(
    merged: list[Interval], start: float, end: float, budget: float
) -> tuple[float, float]:
    """The furthest ``x <= end`` such that ``[start, x]`` adds at most ``budget`` seconds to
    the union ``merged``, and what it adds."""
    remaining = max(0.0, float(budget))
    cursor, added = start, 0.0
    for covered_start, covered_end in merged:
        if covered_end <= cursor:
            continue
        if covered_start >= end:
            break
        if covered_start > cursor:
            gap = covered_start - cursor
            if gap > remaining:
                return cursor + remaining, added + remaining
            remaining -= gap
            added += gap
        cursor = max(cursor, covered_end)
        if cursor >= end:
            return end, added
    gap = end - cursor
    if gap > remaining:
        return cursor + remaining, added + remaining
    return end, added + gap


def credit(
    intervals: Iterable[Iterable[float]],
    new: Iterable[float],
    duration: float | None,
    budget: float,
) -> tuple[list[Interval], Interval, float]:
    """Add the played span ``new`` to ``intervals`` paying at most ``budget`` seconds of new
    coverage. Returns the new union, the span actually credited (possibly cut short, or empty)
    and the seconds it added, which are exactly ``covered_seconds(after) -
    covered_seconds(before)``. Replaying what is already covered costs nothing."""
    merged = normalise(intervals, duration)
    claimed, end = (float(x) for x in new)
    start = max(0.0, claimed)
    if duration is not None:
        end = min(end, float(duration))
    if not end > start:
        return merged, (start, start), 0.0
    # A span starting just after covered media continues it: the gap is charged.
    for covered_start, covered_end in merged:
        if covered_start > start:
            break
        if covered_end < start <= covered_end + JOIN_TOLERANCE:
            start = covered_end
    reach, added = _clip_to_budget(merged, start, end, budget)
    if reach <= claimed and added > 0:
        # The budget ran out in the joined gap before the span the player reported.
        return merged, (start, start), 0.0
    if not reach > start:
        return merged, (start, start), 0.0
    after = normalise([*merged, (start, reach)], duration)
    return after, (start, reach), added
