"""Wagtail admin screens for enrollment: the course roster report.

A Wagtail report (``ReportView``): the learners of one course with their progress, filtered
with a ``WagtailFilterSet`` and downloadable as CSV or XLSX by Wagtail's spreadsheet export.
Who may see which course is :mod:`learning.access`; the rows are
:func:`learning.enrollment.selectors.course_roster`, the same as the REST API's roster.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.reports import ReportView

from learning import access
from learning.enrollment import selectors
from learning.enrollment.exports import ROSTER_COLUMNS, neutralise_formula
from learning.enrollment.models import Enrollment
from learning.progress.selectors import percent

# How many of the user's courses the "choose a course" state links to; the filter lists all.
COURSE_LINKS_SHOWN = 20


def roster_url(course_id: int | None = None) -> str:
    url = reverse("enrollment_reports:course_roster")
    return f"{url}?course={course_id}" if course_id else url


def csv_datetime(value: datetime.datetime) -> str:
    """ISO 8601 in UTC to the second, as the REST API writes times (less the fraction)."""
    return value.astimezone(datetime.UTC).isoformat(timespec="seconds")


def percent_complete(entry: Enrollment) -> int:
    return percent(entry.minutes_done, entry.minutes_total)


class RosterFilterSet(WagtailFilterSet):
    """Only validates and renders the choices: the roster selector applies them."""

    course = django_filters.ModelChoiceFilter(
        label=_("Course"),
        queryset=lambda request: selectors.roster_courses(request.user),
        empty_label=_("Choose a course"),
        help_text=_("The courses you teach (every course for editors and reviewers)."),
    )
    status = django_filters.ChoiceFilter(
        label=_("Enrollment status"),
        choices=Enrollment.Status.choices,
        empty_label=_("Current (active or completed)"),
        widget=forms.RadioSelect,
    )

    class Meta:
        model = Enrollment
        fields = []


class CourseRosterView(ReportView):
    """The learners of one course: who they are, how they joined and how far they got.

    Instructors choose among the courses they teach, reviewers among all courses; any other
    course id in the query string is refused (so is the whole report for people who neither
    teach nor review)."""

    page_title = _("Course roster")
    header_icon = "group"
    model = Enrollment
    verbose_name = _("learner")
    verbose_name_plural = _("learners")
    results_template_name = "enrollment/admin/course_roster_results.html"
    index_url_name = "enrollment_reports:course_roster"
    index_results_url_name = "enrollment_reports:course_roster_results"
    filterset_class = RosterFilterSet
    is_searchable = True
    default_ordering = "name"

    columns = [
        Column("name", label=_("Learner"), accessor="user.public_name", sort_key="name"),
        Column("email", label=_("Email"), accessor="user.email", sort_key="email"),
        Column("status", label=_("Status"), accessor="get_status_display"),
        Column("source", label=_("Source"), accessor="get_source_display"),
        DateColumn("enrolled_at", label=_("Enrolled"), sort_key="enrolled_at"),
        DateColumn("last_activity_at", label=_("Last activity"), sort_key="last_activity"),
        DateColumn("completed_at", label=_("Completed")),
        Column(
            "percent_complete",
            label=_("Complete"),
            accessor=lambda entry: f"{percent_complete(entry)}%",
            sort_key="progress",
        ),
    ]

    # The columns of every roster export, defined once with the REST API's CSV.
    list_export = [column.accessor for column in ROSTER_COLUMNS]
    export_headings = {column.accessor: column.heading for column in ROSTER_COLUMNS}
    custom_value_preprocess = {
        **ReportView.custom_value_preprocess,
        datetime.datetime: {
            **ReportView.custom_value_preprocess[datetime.datetime],
            ReportView.FORMAT_CSV: csv_datetime,
        },
    }
    custom_field_preprocess = {
        column.accessor: {ReportView.FORMAT_CSV: neutralise_formula}
        for column in ROSTER_COLUMNS
        if column.learner_chosen
    }

    def dispatch(self, request, *args, **kwargs):
        if not access.can_view_rosters(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def course(self):
        """The chosen course, or None when none is chosen. A course the user is not staff of
        (or no course at all) is refused rather than shown as a form error. Asked first by
        get_queryset(), so a refusal comes before anything is built."""
        if self.filters is None:
            return None
        self.filters.is_valid()
        if "course" in self.filters.form.errors:
            raise PermissionDenied
        return self.filters.form.cleaned_data.get("course")

    def get_page_subtitle(self):
        return self.course.title if self.course else ""

    @cached_property
    def is_filtering(self):
        # Choosing the course is not narrowing down its learners.
        return bool(self.filters and set(self.filters.form.changed_data) - {"course"})

    def get_queryset(self):
        if self.course is None:
            return Enrollment.objects.none()
        status = self.filters.form.cleaned_data.get("status") or None
        return selectors.course_roster(
            self.course, q=self.search_query, status=status, ordering=self.ordering
        )

    def filter_queryset(self, queryset):
        return queryset  # course_roster() has applied the filters and the search

    @property
    def show_export_buttons(self):
        return self.course is not None

    def get_filename(self):
        slug = f"-{self.course.slug}" if self.course else ""
        return f"course-roster{slug}-{timezone.localdate():%Y-%m-%d}"

    def to_row_dict(self, item):
        item.percent_complete = percent_complete(item)
        return super().to_row_dict(item)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["course"] = self.course
        if self.course is None:
            courses = list(selectors.roster_courses(self.request.user)[: COURSE_LINKS_SHOWN + 1])
            context["course_links"] = [
                (course, roster_url(course.pk)) for course in courses[:COURSE_LINKS_SHOWN]
            ]
            context["more_courses"] = len(courses) > COURSE_LINKS_SHOWN
        return context
