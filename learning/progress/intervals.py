"""Watched-interval arithmetic for video progress.

A learner's coverage of a video is the union of the intervals (in media seconds) they have
actually played. Seeking does not add coverage; only played spans do. Intervals are kept
merged, sorted and clipped to ``[0, duration]`` so the stored list stays small however many
heartbeats arrive, and adding an interval never removes coverage (monotonic).
"""

from __future__ import annotations

from collections.abc import Iterable

Interval = tuple[float, float]

# Spans closer than this are joined: players report slightly overlapping or gapped ticks.
JOIN_TOLERANCE = 0.5


def normalise(
    intervals: Iterable[Iterable[float]],
    duration: float | None = None,
    tolerance: float = JOIN_TOLERANCE,
) -> list[Interval]:
    """Sort, clip to ``[0, duration]``, drop empty spans and merge overlapping ones."""
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
        if merged and start <= merged[-1][1] + tolerance:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def add(
    intervals: Iterable[Iterable[float]], new: Iterable[float], duration: float | None
) -> list[Interval]:
    return normalise([*intervals, new], duration)


def covered_seconds(
    intervals: Iterable[Iterable[float]], tolerance: float = JOIN_TOLERANCE
) -> float:
    return sum(end - start for start, end in normalise(intervals, tolerance=tolerance))


def coverage(intervals: Iterable[Iterable[float]], duration: float) -> float:
    """Fraction of the video played at least once, between 0 and 1."""
    if duration <= 0:
        return 0.0
    return min(1.0, covered_seconds(normalise(intervals, duration)) / duration)


def clip_to_budget(
    intervals: Iterable[Iterable[float]], new: Iterable[float], budget: float
) -> tuple[Interval, float]:
    """Shorten ``new`` so that it adds at most ``budget`` seconds of coverage to
    ``intervals``. Returns the (possibly shortened) interval and the coverage it adds.
    Replaying what is already covered costs nothing."""
    start, end = (float(x) for x in new)
    if end <= start:
        return (start, start), 0.0
    remaining = max(0.0, float(budget))
    cursor, added = start, 0.0
    for covered_start, covered_end in normalise(intervals, tolerance=0.0):
        if covered_end <= cursor:
            continue
        if covered_start >= end:
            break
        if covered_start > cursor:
            gap = covered_start - cursor
            if gap > remaining:
                return (start, cursor + remaining), added + remaining
            remaining -= gap
            added += gap
        cursor = max(cursor, covered_end)
        if cursor >= end:
            return (start, end), added
    gap = end - cursor
    if gap > remaining:
        return (start, cursor + remaining), added + remaining
    return (start, end), added + gap
