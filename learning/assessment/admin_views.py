"""Wagtail admin screens for assessment: the course gradebook report (next to the course
roster: learners x quizzes, exported as CSV or XLSX) and the "regrade a quiz" action.

The report is the roster report with one column per quiz of the course; who may see which
course is the roster's rule (:mod:`learning.access`), and the rows are
:func:`learning.assessment.selectors.gradebook`, the same as the REST API's gradebook.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from wagtail.admin.ui.tables import Column

from cms.models import CourseLesson
from learning import access
from learning.assessment import selectors, services
from learning.assessment.models import AttemptRegrade
from learning.enrollment.admin_views import CourseRosterView, percent_complete
from learning.enrollment.exports import neutralise_formula


def gradebook_url(course_id: int | None = None) -> str:
    url = reverse("assessment_reports:gradebook")
    return f"{url}?course={course_id}" if course_id else url


def _cell(grade) -> str:
    if grade is None or grade.best_percent is None:
        return "" if grade is None else f"{grade.attempts_started} started"
    mark = "✓" if grade.passed else "✗"
    return f"{grade.best_percent:g}% {mark} ({grade.attempts_started})"


class GradebookReportView(CourseRosterView):
    """Learners x quizzes of one course: each learner's best percent, whether they passed
    and the attempts they used, per quiz."""

    page_title = _("Gradebook")
    header_icon = "table"
    results_template_name = "assessment/admin/gradebook_results.html"
    index_url_name = "assessment_reports:gradebook"
    index_results_url_name = "assessment_reports:gradebook_results"

    @cached_property
    def quizzes(self) -> list[CourseLesson]:
        if self.course is None:
            return []
        return selectors.course_quizzes([self.course.pk]).get(self.course.pk, [])

    @property
    def columns(self):
        base = [
            Column("name", label=_("Learner"), accessor="user.public_name", sort_key="name"),
            Column("email", label=_("Email"), accessor="user.email", sort_key="email"),
            Column(
                "percent_complete",
                label=_("Complete"),
                accessor=lambda entry: f"{percent_complete(entry)}%",
                sort_key="progress",
            ),
        ]
        for lesson in self.quizzes:
            base.append(
                Column(
                    f"quiz_{lesson.pk}",
                    label=lesson.title,
                    accessor=lambda entry, pk=lesson.pk: _cell(self._grades(entry).get(pk)),
                )
            )
        return base

    @property
    def list_export(self):
        fields = ["user.public_name", "user.email", "get_status_display", "percent_complete"]
        for lesson in self.quizzes:
            fields += [f"quiz_{lesson.pk}_best", f"quiz_{lesson.pk}_attempts"]
            fields += [f"quiz_{lesson.pk}_passed"]
        return fields

    @property
    def export_headings(self):
        headings = {
            "user.public_name": _("Name"),
            "user.email": _("Email"),
            "get_status_display": _("Status"),
            "percent_complete": _("Percent complete"),
        }
        for lesson in self.quizzes:
            title = neutralise_formula(lesson.title)
            headings[f"quiz_{lesson.pk}_best"] = f"{title}: best percent"
            headings[f"quiz_{lesson.pk}_attempts"] = f"{title}: attempts"
            headings[f"quiz_{lesson.pk}_passed"] = f"{title}: passed"
        return headings

    @staticmethod
    def _grades(entry) -> dict:
        return {g.lesson_id: g for g in getattr(entry.user, "quiz_grades_here", [])}

    def get_queryset(self):
        if self.course is None:
            return super().get_queryset()
        status = self.filters.form.cleaned_data.get("status") or None
        return selectors.gradebook(
            self.course, q=self.search_query, status=status, ordering=self.ordering
        )

    def get_filename(self):
        slug = f"-{self.course.slug}" if self.course else ""
        return f"gradebook{slug}-{timezone.localdate():%Y-%m-%d}"

    def to_row_dict(self, item):
        grades = self._grades(item)
        for lesson in self.quizzes:
            grade = grades.get(lesson.pk)
            best = grade.best_percent if grade else None
            setattr(item, f"quiz_{lesson.pk}_best", "" if best is None else best)
            setattr(item, f"quiz_{lesson.pk}_attempts", grade.attempts_started if grade else 0)
            setattr(item, f"quiz_{lesson.pk}_passed", "yes" if grade and grade.passed else "no")
        return super().to_row_dict(item)

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        context["quiz_regrade_links"] = [
            (lesson, reverse("assessment_reports:regrade", args=[lesson.pk]))
            for lesson in self.quizzes
        ]
        return context


class RegradeQuizView(View):
    """Confirm, then regrade every submitted attempt of one quiz with its published answer
    keys; each change is recorded (who, when, old and new score)."""

    template_name = "assessment/admin/regrade_confirm.html"

    def _lesson(self, request, lesson_pk: int) -> CourseLesson:
        lesson = get_object_or_404(
            CourseLesson.objects.select_related("course"), pk=lesson_pk, kind="quiz"
        )
        course = lesson.course
        if not access.can_view_rosters(request.user) or not access.is_course_staff(
            request.user, course
        ):
            raise PermissionDenied
        return lesson

    def get(self, request, lesson_pk: int):
        lesson = self._lesson(request, lesson_pk)
        history = (
            AttemptRegrade.objects.filter(attempt__lesson=lesson)
            .select_related("by", "attempt__user")
            .order_by("-created_at", "-pk")[:50]
        )
        return TemplateResponse(
            request,
            self.template_name,
            {
                "lesson": lesson,
                "history": history,
                "back_url": gradebook_url(lesson.course_id),
                "page_title": _("Regrade quiz"),
                "header_title": _("Regrade “%(title)s”") % {"title": lesson.title},
                "header_icon": "rotate",
            },
        )

    def post(self, request, lesson_pk: int):
        lesson = self._lesson(request, lesson_pk)
        try:
            records = services.quiz_regrade(
                lesson=lesson, by=request.user, via=AttemptRegrade.Via.ADMIN
            )
        except services.errors.AssessmentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "Regraded '%(title)s': %(count)d attempt changed.",
                    "Regraded '%(title)s': %(count)d attempts changed.",
                    len(records),
                )
                % {"title": lesson.title, "count": len(records)},
            )
        return redirect(gradebook_url(lesson.course_id))
