"""The AI tutor in the Wagtail admin: the "Tutor usage" report (Reports menu) and the
instructor help that drafts course outlines and quiz questions (page header buttons)."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from learning import access
from learning.assistant.admin_views import TutorUsageView


@hooks.register("register_admin_urls")
def register_assistant_report_urls():
    urls = [
        path("", TutorUsageView.as_view(), name="usage"),
        path("results/", TutorUsageView.as_view(results_only=True), name="usage_results"),
    ]
    return [path("reports/tutor-usage/", include((urls, "assistant_reports")))]


class TutorUsageMenuItem(MenuItem):
    def is_shown(self, request):
        return access.can_view_rosters(request.user)


@hooks.register("register_reports_menu_item")
def register_tutor_usage_menu_item():
    return TutorUsageMenuItem(
        _("Tutor usage"),
        reverse("assistant_reports:usage"),
        name="tutor-usage",
        icon_name="info-circle",
        order=670,
    )


# --- Instructor help: drafts written by the model ----------------------------------------------


@hooks.register("register_admin_urls")
def register_assistant_draft_urls():
    from learning.assistant.admin_draft_views import OutlineDraftView, QuizDraftView

    urls = [
        path("outline/", OutlineDraftView.as_view(), name="outline"),
        path("quiz/<int:section_id>/", QuizDraftView.as_view(), name="quiz"),
    ]
    return [path("assistant/drafts/", include((urls, "assistant_drafts")))]


@hooks.register("register_page_header_buttons")
def assistant_draft_buttons(page, user, view_name=None, next_url=None):
    from cms.models import CourseIndexPage, SectionPage
    from learning.assistant import authoring

    specific_class = page.specific_class
    if specific_class is None or not authoring.available():
        return
    if issubclass(specific_class, CourseIndexPage):
        if page.permissions_for_user(user).can_add_subpage():
            yield Button(
                _("Draft a course with AI"),
                url=reverse("assistant_drafts:outline"),
                icon_name="list-ul",
                priority=70,
            )
    elif issubclass(specific_class, SectionPage) and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Draft quiz questions with AI"),
            url=reverse("assistant_drafts:quiz", args=[page.pk]),
            icon_name="help",
            priority=70,
        )
