"""Wagtail admin "Analytics": a course dashboard for the course's instructors and reviewers
and a platform dashboard for reviewers (editors, administrators).

Every figure comes from the same selectors as the REST API (the rollups); charts are inline
SVG drawn on the server and every chart has a table with its numbers, so the pages read
without JavaScript. A small local script refreshes "learning now" every 30 seconds.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.models import CoursePage
from config.errors import DomainError, ErrorKind
from learning import access
from learning.analytics import periods, selectors

CHART_WIDTH, CHART_HEIGHT = 640, 160
AT_RISK_SHOWN = 20


class RangeForm(forms.Form):
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    interval = forms.ChoiceField(
        label=_("Per"),
        required=False,
        choices=[("day", _("day")), ("week", _("week")), ("month", _("month"))],
    )


def bar_chart(rows: list[dict], series: list[tuple[str, str]]) -> dict:
    """Bars for ``series`` (field, label) per row, scaled to the largest value: what the
    template draws as SVG rectangles."""
    top = max((row[field] for row in rows for field, _ in series), default=0) or 1
    slot = CHART_WIDTH / max(1, len(rows))
    width = max(1.0, slot / (len(series) + 1))
    bars = []
    for index, row in enumerate(rows):
        for offset, (field, label) in enumerate(series):
            height = round(CHART_HEIGHT * row[field] / top, 1)
            bars.append(
                {
                    "x": round(index * slot + offset * width, 1),
                    "y": round(CHART_HEIGHT - height, 1),
                    "width": round(width, 1),
                    "height": height,
                    "series": offset,
                    "title": f"{row['period']}: {label} {row[field]}",
                }
            )
    return {"width": CHART_WIDTH, "height": CHART_HEIGHT, "bars": bars, "top": top}


def heat_chart(buckets: list[dict]) -> dict:
    top = max((b["learners"] for b in buckets), default=0) or 1
    slot = CHART_WIDTH / max(1, len(buckets))
    return {
        "width": CHART_WIDTH,
        "height": 40,
        "cells": [
            {
                "x": round(i * slot, 1),
                "width": round(slot, 1),
                "opacity": round(0.1 + 0.9 * b["learners"] / top, 2),
                "title": f"{b['start']}-{b['end']} s: {b['learners']}",
            }
            for i, b in enumerate(buckets)
        ],
    }


class AnalyticsDashboardMixin(WagtailAdminTemplateMixin):
    header_icon = "view"

    def get_period(self, default_days: int = periods.DEFAULT_DAYS):
        form = RangeForm(self.request.GET or None)
        data = form.cleaned_data if form.is_valid() else {}
        tz = getattr(self.request.user, "timezone", "") or "UTC"
        try:
            span = periods.period(
                start=data.get("start"),
                end=data.get("end"),
                interval=data.get("interval") or "day",
                tz=tz,
            )
            error = ""
        except DomainError as exc:
            span, error = periods.period(start=None, end=None, tz=tz), exc.message
        if not form.is_bound:
            form = RangeForm(
                initial={"start": span.start, "end": span.end, "interval": span.interval}
            )
        return form, span, error

    @staticmethod
    def query_string(span) -> str:
        return f"start={span.start}&end={span.end}&interval={span.interval}&tz={span.tz}"


class CourseDashboardView(AnalyticsDashboardMixin, TemplateView):
    page_title = _("Course analytics")
    template_name = "analytics/admin/course_dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if not access.can_view_rosters(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_course(self):
        raw = self.request.GET.get("course", "")
        if not raw:
            return None
        if not raw.isdigit():
            raise Http404
        try:
            return selectors.staff_course(self.request.user, int(raw))
        except DomainError as exc:
            if exc.kind == ErrorKind.FORBIDDEN:
                raise PermissionDenied from exc
            raise Http404 from exc

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        course = self.get_course()
        if course is None:
            courses = (
                CoursePage.objects.filter(access.staff_courses_filter(self.request.user))
                .distinct()
                .order_by("title")
            )
            context["course_links"] = [
                (c, f"{reverse('analytics_admin:course')}?course={c.pk}") for c in courses[:200]
            ]
            return context
        form, span, error = self.get_period()
        overview = selectors.course_overview(course, span)
        series = selectors.course_series(course.pk, span)
        learners = selectors.course_learners(
            course, today=periods.today_in(span.tz), at_risk_only=True
        )
        heatmaps = [
            {**heatmap, "chart": heat_chart(heatmap["buckets"])}
            for heatmap in (
                selectors.video_heatmap(course.pk, lesson.lesson_id)
                for lesson in selectors.video_lessons(course.pk).filter(is_live=True)
            )
        ]
        api = f"/api/v2/analytics/courses/{course.pk}/"
        query = self.query_string(span)
        roster = reverse("enrollment_reports:course_roster")
        context.update(
            course=course,
            form=form,
            range_error=error,
            span=span,
            overview=overview,
            series=series,
            chart=bar_chart(
                series,
                [("enrollments", _("enrollments")), ("course_completions", _("completions"))],
            ),
            funnel=selectors.lesson_funnel(course.pk),
            heatmaps=heatmaps,
            questions=selectors.question_stats(course.pk),
            at_risk=learners[:AT_RISK_SHOWN],
            at_risk_count=len(learners),
            roster_url=f"{roster}?course={course.pk}",
            live_url=f"{api}live/",
            csv_links=[
                (_("Overview"), f"{api}overview/?{query}&format=csv"),
                (_("Time series"), f"{api}timeseries/?{query}&format=csv"),
                (_("Lesson funnel"), f"{api}lessons/?format=csv"),
                (_("Quiz questions"), f"{api}questions/?format=csv"),
                (_("Learners"), f"{api}learners/?format=csv"),
            ],
        )
        return context


class PlatformDashboardView(AnalyticsDashboardMixin, TemplateView):
    page_title = _("Platform analytics")
    template_name = "analytics/admin/platform_dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        try:
            selectors.ensure_platform_reviewer(request.user)
        except DomainError as exc:
            raise PermissionDenied from exc
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form, span, error = self.get_period()
        overview = selectors.platform_overview(span)
        titles = dict(
            CoursePage.objects.filter(
                pk__in=[row["course_id"] for row in overview["top_courses"]]
            ).values_list("pk", "title")
        )
        series = selectors.platform_series(span)
        query = self.query_string(span)
        context.update(
            form=form,
            range_error=error,
            span=span,
            overview=overview,
            top_courses=[
                {
                    **row,
                    "title": titles.get(row["course_id"], row["course_id"]),
                    "url": f"{reverse('analytics_admin:course')}?course={row['course_id']}",
                }
                for row in overview["top_courses"]
            ],
            series=series,
            chart=bar_chart(
                series,
                [
                    ("signups", _("sign-ups")),
                    ("enrollments", _("enrollments")),
                    ("completions", _("completions")),
                ],
            ),
            csv_links=[
                (_("Time series"), f"/api/v2/analytics/platform/timeseries/?{query}&format=csv"),
                (_("Top courses"), f"/api/v2/analytics/platform/overview/?{query}&format=csv"),
            ],
        )
        return context


class DeadLetterListView(WagtailAdminTemplateMixin, TemplateView):
    """Statements the LRS refused for good, newest first, with a retry button each."""

    page_title = _("xAPI dead letters")
    header_icon = "warning"
    template_name = "analytics/admin/dead_letters.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("analytics.view_xapideadletter"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from learning.analytics import lrs
        from learning.analytics.models import XapiDeadLetter, XapiForwardState

        return super().get_context_data(
            dead_letters=XapiDeadLetter.objects.select_related("event")[:200],
            state=XapiForwardState.objects.filter(name="lrs").first(),
            enabled=lrs.enabled(),
            can_retry=self.request.user.has_perm("analytics.change_xapideadletter"),
            **kwargs,
        )


class DeadLetterRetryView(View):
    def post(self, request, pk: int):
        from learning.analytics import lrs
        from learning.analytics.models import XapiDeadLetter

        if not request.user.has_perm("analytics.change_xapideadletter"):
            raise PermissionDenied
        letter = get_object_or_404(XapiDeadLetter.objects.select_related("event"), pk=pk)
        try:
            if lrs.dead_letter_retry(letter):
                messages.success(request, _("The LRS accepted the statement."))
            else:
                messages.error(request, _("The LRS refused the statement again."))
        except lrs.LrsUnavailable as exc:
            messages.error(request, _("The LRS is not reachable: %(error)s") % {"error": exc})
        return redirect("analytics_admin:dead_letters")
