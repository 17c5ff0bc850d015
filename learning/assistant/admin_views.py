"""Wagtail admin screens of the AI tutor: the "Tutor usage" report.

Provider calls per course and day (calls, failed calls, learners, tokens in/out, cost) from
the ledger, the same rows as the REST usage report (:func:`selectors.usage_report`).
Instructors see the courses they teach, reviewers and administrators every course;
downloadable as CSV or XLSX by Wagtail's spreadsheet export.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import django_filters
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView

from cms.models import CoursePage
from learning import access
from learning.assistant import selectors
from learning.assistant.models import LedgerEntry

DEFAULT_DAYS = 30


def staff_courses(user):
    return CoursePage.objects.filter(access.staff_courses_filter(user)).order_by("title", "pk")


class UsageFilterSet(WagtailFilterSet):
    """Only validates and renders the choices: the report applies them to the ledger."""

    course = django_filters.ModelChoiceFilter(
        label=_("Course"),
        queryset=lambda request: staff_courses(request.user),
        empty_label=_("All my courses"),
        help_text=_("The courses you teach (every course for reviewers and administrators)."),
    )
    since = django_filters.DateFilter(
        label=_("From"), help_text=_("First day (UTC). Default: 30 days before the last day.")
    )
    until = django_filters.DateFilter(label=_("To"), help_text=_("Last day (UTC). Default: today."))

    class Meta:
        model = LedgerEntry
        fields = []


class TutorUsageView(ReportView):
    """Tutor use per course and day. Failed provider calls are counted apart and cost
    nothing."""

    page_title = _("Tutor usage")
    header_icon = "info-circle"
    model = LedgerEntry
    verbose_name = _("course day")
    verbose_name_plural = _("course days")
    index_url_name = "assistant_reports:usage"
    index_results_url_name = "assistant_reports:usage_results"
    filterset_class = UsageFilterSet
    paginate_by = 100

    columns = [
        Column("day", label=_("Day (UTC)")),
        Column("course_title", label=_("Course")),
        Column("calls", label=_("Calls")),
        Column("failed_calls", label=_("Failed calls")),
        Column("learners", label=_("Learners")),
        Column("tokens_in", label=_("Tokens in")),
        Column("tokens_out", label=_("Tokens out")),
        Column("cost", label=_("Cost"), accessor=lambda row: f"{Decimal(row['cost']):.6f}"),
    ]
    list_export = [
        "day",
        "course_id",
        "course_title",
        "calls",
        "failed_calls",
        "learners",
        "tokens_in",
        "tokens_out",
        "cost",
    ]
    export_headings = {
        "day": _("Day (UTC)"),
        "course_id": _("Course id"),
        "course_title": _("Course"),
        "calls": _("Calls"),
        "failed_calls": _("Failed calls"),
        "learners": _("Learners"),
        "tokens_in": _("Tokens in"),
        "tokens_out": _("Tokens out"),
        "cost": _("Cost"),
    }

    def dispatch(self, request, *args, **kwargs):
        if not access.can_view_rosters(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def cleaned(self) -> dict:
        """The chosen filters; a course the user is not staff of is refused."""
        if self.filters is None:
            return {}
        self.filters.is_valid()
        if "course" in self.filters.form.errors:
            raise PermissionDenied
        return self.filters.form.cleaned_data

    def get_queryset(self):
        until = self.cleaned.get("until") or timezone.now().date()
        since = self.cleaned.get("since") or until - datetime.timedelta(days=DEFAULT_DAYS)
        courses = staff_courses(self.request.user)
        if self.cleaned.get("course"):
            courses = courses.filter(pk=self.cleaned["course"].pk)
        return selectors.usage_report(course_ids=courses.values("pk"), since=since, until=until)

    def filter_queryset(self, queryset):
        return queryset  # get_queryset() has applied the filters

    def get_filename(self):
        return f"tutor-usage-{timezone.localdate():%Y-%m-%d}"
