"""Roster exports, defined once: the columns of the REST API's CSV and of the admin report's
CSV/XLSX downloads, and the rules both follow."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# A spreadsheet cell starting with one of these is run as a formula by Excel and friends.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Learners choose their names: keep a spreadsheet from running one as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return f"'{value}"
    return value


def _iso(value) -> str:
    return value.isoformat() if value else ""


def _percent(entry) -> int:
    from learning.progress.selectors import percent

    return percent(entry.minutes_done, entry.minutes_total)


@dataclass(frozen=True)
class RosterColumn:
    """One column of a roster export. ``name`` heads the API's CSV (machine-readable
    values: status codes, ISO 8601 times); ``heading`` and ``accessor`` (an attribute path
    on a roster entry) drive the admin report's spreadsheets (display labels, its own date
    formats). ``learner_chosen`` cells are neutralised against formulas in both."""

    name: str
    heading: str
    accessor: str
    value: Callable
    learner_chosen: bool = False


# Entries are rows of learning.enrollment.selectors.course_roster (percent annotated).
ROSTER_COLUMNS: tuple[RosterColumn, ...] = (
    RosterColumn("name", _("Name"), "user.public_name", lambda e: e.user.public_name, True),
    RosterColumn("email", _("Email"), "user.email", lambda e: e.user.email, True),
    RosterColumn("status", _("Status"), "get_status_display", lambda e: e.status),
    RosterColumn("source", _("Source"), "get_source_display", lambda e: e.source),
    RosterColumn("enrolled_at", _("Enrolled at"), "enrolled_at", lambda e: _iso(e.enrolled_at)),
    RosterColumn(
        "last_activity_at",
        _("Last activity at"),
        "last_activity_at",
        lambda e: _iso(e.last_activity_at),
    ),
    RosterColumn("completed_at", _("Completed at"), "completed_at", lambda e: _iso(e.completed_at)),
    RosterColumn("percent_complete", _("Percent complete"), "percent_complete", _percent),
)


def _cell(column: RosterColumn, entry):
    value = column.value(entry)
    return neutralise_formula(value) if column.learner_chosen else value


def roster_csv_rows(entries: Iterable) -> Iterator[list]:
    """The API's CSV export: a header row, then one row per roster entry (streamed)."""
    yield [column.name for column in ROSTER_COLUMNS]
    rows = entries.iterator(chunk_size=500) if hasattr(entries, "iterator") else entries
    for entry in rows:
        yield [
            neutralise_formula(column.value(entry))
            if column.learner_chosen
            else column.value(entry)
            for column in ROSTER_COLUMNS
        ]
