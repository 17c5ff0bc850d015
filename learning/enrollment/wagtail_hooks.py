"""Enrollment in the Wagtail admin: the "Course roster" report (Reports menu, and a
"Roster" button on course pages), and refusing to delete courses that have learners."""

from __future__ import annotations

from django.shortcuts import redirect
from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.utils import get_valid_next_url_from_request
from wagtail.admin.widgets import Button
from wagtail.models import Page

from cms.models import REVIEW_PERMISSION, CoursePage, CourseStaff
from learning import access
from learning.enrollment import selectors
from learning.enrollment.admin_views import CourseRosterView, roster_url

# --- Course roster report ---------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_roster_urls():
    urls = [
        path("", CourseRosterView.as_view(), name="course_roster"),
        path("results/", CourseRosterView.as_view(results_only=True), name="course_roster_results"),
    ]
    return [path("reports/course-roster/", include((urls, "enrollment_reports")))]


class CourseRosterMenuItem(MenuItem):
    def is_shown(self, request):
        return access.can_view_rosters(request.user)


@hooks.register("register_reports_menu_item")
def register_roster_menu_item():
    return CourseRosterMenuItem(
        _("Course roster"),
        reverse("enrollment_reports:course_roster"),
        name="course-roster",
        icon_name="group",
        order=650,
    )


def _teaches(user, course_id: int) -> bool:
    """Whether ``user`` is listed as an instructor of the course; the user's course ids are
    read once per request (page listings ask for every row)."""
    taught = getattr(user, "_roster_taught_course_ids", None)
    if taught is None:
        taught = set(CourseStaff.objects.filter(user=user).values_list("course_id", flat=True))
        user._roster_taught_course_ids = taught
    return course_id in taught


def _roster_buttons(page, user, priority: int):
    specific_class = page.specific_class
    if specific_class is None or not issubclass(specific_class, CoursePage):
        return
    if not access.can_view_rosters(user):
        return
    if user.has_perm(REVIEW_PERMISSION) or _teaches(user, page.pk):
        yield Button(
            _("Roster"),
            url=roster_url(page.pk),
            icon_name="group",
            priority=priority,
            attrs={"title": _("The course's learners and their progress")},
        )


@hooks.register("register_page_listing_more_buttons")
def roster_listing_button(page, user, next_url=None):
    yield from _roster_buttons(page, user, priority=55)


@hooks.register("register_page_header_buttons")
def roster_header_button(page, user, view_name, next_url=None):
    yield from _roster_buttons(page, user, priority=62)


# --- Deleting courses -------------------------------------------------------------------------


def _refusal(page: Page, count: int, *, named: bool = False) -> str:
    values = {"title": page.get_admin_display_title(), "count": count}
    if not issubclass(page.specific_class or Page, CoursePage):
        return (
            ngettext(
                "'%(title)s' contains courses with %(count)d enrollment, so it cannot be "
                "deleted; unpublish those courses instead.",
                "'%(title)s' contains courses with %(count)d enrollments, so it cannot be "
                "deleted; unpublish those courses instead.",
                count,
            )
            % values
        )
    if named:
        return (
            ngettext(
                "The course '%(title)s' has %(count)d enrollment, so it cannot be deleted; "
                "unpublish it instead.",
                "The course '%(title)s' has %(count)d enrollments, so it cannot be deleted; "
                "unpublish it instead.",
                count,
            )
            % values
        )
    return (
        ngettext(
            "This course has %(count)d enrollment, so it cannot be deleted; unpublish it instead.",
            "This course has %(count)d enrollments, so it cannot be deleted; unpublish it instead.",
            count,
        )
        % values
    )


@hooks.register("before_delete_page")
def refuse_deleting_courses_with_enrollments(request, page):
    """Enrollments protect their course (learners' records are never deleted with content):
    say so, instead of failing when the delete reaches the database."""
    count = selectors.enrollment_count_within(page)
    if not count:
        return None
    messages.error(request, _refusal(page, count))
    return redirect(
        get_valid_next_url_from_request(request)
        or reverse("wagtailadmin_pages:edit", args=[page.pk])
    )


@hooks.register("before_bulk_action")
def refuse_bulk_deleting_courses_with_enrollments(request, action_type, objects, action_class):
    if action_type != "delete":
        return None
    refusals = [
        _refusal(page, count, named=True)
        for page in objects
        if isinstance(page, Page) and (count := selectors.enrollment_count_within(page))
    ]
    if not refusals:
        return None
    for refusal in refusals:
        messages.error(request, refusal)
    return redirect(action_class.next_url)
