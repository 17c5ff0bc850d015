"""The AI tutor in the Wagtail admin: the "Tutor usage" report (Reports menu)."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

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
