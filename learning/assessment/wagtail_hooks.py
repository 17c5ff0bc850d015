"""Assessment in the Wagtail admin: the "Gradebook" report (Reports menu, next to the course
roster, and a "Gradebook" button on course pages) and the regrade action."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from cms.models import REVIEW_PERMISSION, CoursePage
from learning import access
from learning.assessment.admin_views import GradebookReportView, RegradeQuizView, gradebook_url
from learning.enrollment.wagtail_hooks import _teaches


@hooks.register("register_admin_urls")
def register_gradebook_urls():
    urls = [
        path("", GradebookReportView.as_view(), name="gradebook"),
        path("results/", GradebookReportView.as_view(results_only=True), name="gradebook_results"),
        path("regrade/<int:lesson_pk>/", RegradeQuizView.as_view(), name="regrade"),
    ]
    return [path("reports/gradebook/", include((urls, "assessment_reports")))]


class GradebookMenuItem(MenuItem):
    def is_shown(self, request):
        return access.can_view_rosters(request.user)


@hooks.register("register_reports_menu_item")
def register_gradebook_menu_item():
    return GradebookMenuItem(
        _("Gradebook"),
        reverse("assessment_reports:gradebook"),
        name="gradebook",
        icon_name="table",
        order=651,
    )


def _gradebook_buttons(page, user, priority: int):
    specific_class = page.specific_class
    if specific_class is None or not issubclass(specific_class, CoursePage):
        return
    if not access.can_view_rosters(user):
        return
    if user.has_perm(REVIEW_PERMISSION) or _teaches(user, page.pk):
        yield Button(
            _("Gradebook"),
            url=gradebook_url(page.pk),
            icon_name="table",
            priority=priority,
            attrs={"title": _("The course's learners and their quiz grades")},
        )


@hooks.register("register_page_listing_more_buttons")
def gradebook_listing_button(page, user, next_url=None):
    yield from _gradebook_buttons(page, user, priority=56)


@hooks.register("register_page_header_buttons")
def gradebook_header_button(page, user, view_name, next_url=None):
    yield from _gradebook_buttons(page, user, priority=63)
