"""Analytics in the Wagtail admin: an "Analytics" menu with the course dashboard (course
instructors and reviewers) and the platform dashboard (reviewers)."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from cms.models import REVIEW_PERMISSION
from learning import access
from learning.analytics.admin_views import CourseDashboardView, PlatformDashboardView


@hooks.register("register_admin_urls")
def register_analytics_urls():
    urls = [
        path("course/", CourseDashboardView.as_view(), name="course"),
        path("platform/", PlatformDashboardView.as_view(), name="platform"),
    ]
    return [path("analytics/", include((urls, "analytics_admin")))]


class CourseDashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return access.can_view_rosters(request.user)


class PlatformDashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)


analytics_menu = Menu(register_hook_name="register_analytics_menu_item", construct_hook_name=None)


@hooks.register("register_analytics_menu_item")
def register_course_dashboard_item():
    return CourseDashboardMenuItem(
        _("Course dashboard"),
        reverse("analytics_admin:course"),
        name="course-analytics",
        icon_name="view",
        order=100,
    )


@hooks.register("register_analytics_menu_item")
def register_platform_dashboard_item():
    return PlatformDashboardMenuItem(
        _("Platform"),
        reverse("analytics_admin:platform"),
        name="platform-analytics",
        icon_name="site",
        order=200,
    )


@hooks.register("register_admin_menu_item")
def register_analytics_menu():
    return SubmenuMenuItem(
        _("Analytics"), analytics_menu, name="analytics", icon_name="view", order=700
    )
