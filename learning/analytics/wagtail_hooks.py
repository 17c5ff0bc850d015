"""Analytics in the Wagtail admin: an "Analytics" menu with the course dashboard (course
instructors and reviewers) and the platform dashboard (reviewers)."""

from __future__ import annotations

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from cms.models import REVIEW_PERMISSION
from learning import access
from learning.analytics.admin_views import (
    CourseDashboardView,
    DeadLetterListView,
    DeadLetterRetryView,
    PlatformDashboardView,
)


@hooks.register("register_admin_urls")
def register_analytics_urls():
    urls = [
        path("course/", CourseDashboardView.as_view(), name="course"),
        path("platform/", PlatformDashboardView.as_view(), name="platform"),
        path("xapi-dead-letters/", DeadLetterListView.as_view(), name="dead_letters"),
        path(
            "xapi-dead-letters/<int:pk>/retry/",
            DeadLetterRetryView.as_view(),
            name="dead_letter_retry",
        ),
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


class DeadLetterMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("analytics.view_xapideadletter")


@hooks.register("register_analytics_menu_item")
def register_dead_letter_item():
    return DeadLetterMenuItem(
        _("xAPI dead letters"),
        reverse("analytics_admin:dead_letters"),
        name="xapi-dead-letters",
        icon_name="warning",
        order=300,
    )


@hooks.register("register_admin_menu_item")
def register_analytics_menu():
    return SubmenuMenuItem(
        _("Analytics"), analytics_menu, name="analytics", icon_name="view", order=700
    )
