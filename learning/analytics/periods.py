"""Date ranges and intervals of analytics requests.

Rollups count by **UTC calendar day**. A viewer's time zone works at day granularity: it
decides which date "today" is (the default range ends on the viewer's today), and a range of
dates picks the UTC days with those dates. An event at 23:30 UTC on 1 March is counted on
1 March for every viewer, including one in Tokyo for whom it was already 2 March. Weeks start
on Monday; a week or month period is labelled with its first date (which may fall before the
range's start: only the days inside the range are counted).
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from learning.analytics import errors

INTERVALS = ("day", "week", "month")
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    start: date  # inclusive
    end: date  # inclusive
    interval: str
    tz: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]

    def buckets(self) -> list[date]:
        """The first date of every period in the range, in order."""
        seen: list[date] = []
        for day in self.dates():
            label = bucket_of(day, self.interval)
            if not seen or seen[-1] != label:
                seen.append(label)
        return seen


def bucket_of(day: date, interval: str) -> date:
    if interval == "week":
        return day - timedelta(days=day.weekday())
    if interval == "month":
        return day.replace(day=1)
    return day


def clock() -> datetime:
    return timezone.now()


def today_in(tz: str, now: datetime | None = None) -> date:
    return (now or clock()).astimezone(zoneinfo.ZoneInfo(tz)).date()


def period(
    *,
    start: date | None,
    end: date | None,
    interval: str = "day",
    tz: str = "UTC",
    now: datetime | None = None,
    default_days: int = DEFAULT_DAYS,
) -> Period:
    """The range asked for: ``end`` defaults to today in ``tz``, ``start`` to ``default_days``
    before ``end``. Raises :class:`~errors.DateRangeReversed` and
    :class:`~errors.DateRangeTooLong` (over ``ANALYTICS_MAX_RANGE_DAYS``)."""
    end = end or today_in(tz, now)
    start = start or end - timedelta(days=default_days - 1)
    if start > end:
        raise errors.DateRangeReversed()
    limit = settings.ANALYTICS_MAX_RANGE_DAYS
    if (end - start).days + 1 > limit:
        raise errors.DateRangeTooLong(f"A date range covers at most {limit} days.")
    return Period(start=start, end=end, interval=interval, tz=tz)
