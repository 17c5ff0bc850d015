"""Notifications in the Wagtail admin: announcements as a snippet (course staff only), a
"Waiting for review" dashboard panel for reviewers, and a "Notifications" menu item whose
label carries the unread count (both refresh by polling a small fragment)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.admin.ui.components import Component
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.models import REVIEW_PERMISSION, CoursePage
from learning import access
from learning.notifications import admin_views, selectors, services
from learning.notifications.models import Announcement


def _staff_courses(user):
    return CoursePage.objects.filter(access.staff_courses_filter(user)).distinct()


class AnnouncementPermissionPolicy(ModelPermissionPolicy):
    """The model permissions (instructors and editors have them), and for one announcement:
    being on its course's staff."""

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action) and access.is_course_staff(
            user, instance.course
        )

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return Announcement.objects.none()
        return Announcement.objects.filter(course__in=_staff_courses(user))


register_permission_policy(Announcement, AnnouncementPermissionPolicy(Announcement))


class AnnouncementForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "course" in self.fields and self.for_user is not None:
            # A plain list of the courses they teach (a page chooser would offer every page).
            self.fields["course"].widget = forms.Select()
            self.fields["course"].queryset = _staff_courses(self.for_user).order_by("title")

    def save(self, commit=True):
        if self.instance.author_id is None and self.for_user is not None:
            self.instance.author = self.for_user
        return super().save(commit=commit)


class _CourseStaffOnly:
    """Views of one announcement: only its course's staff (the index is filtered too)."""

    def get_object(self, queryset=None):
        announcement = super().get_object(queryset)
        if not access.is_course_staff(self.request.user, announcement.course):
            raise PermissionDenied
        return announcement


class AnnouncementEditView(_CourseStaffOnly, snippet_views.EditView):
    pass


class AnnouncementDeleteView(_CourseStaffOnly, snippet_views.DeleteView):
    pass


class AnnouncementViewSet(SnippetViewSet):
    edit_view_class = AnnouncementEditView
    delete_view_class = AnnouncementDeleteView
    model = Announcement
    icon = "info-circle"
    menu_label = _("Announcements")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["title", "course", "pinned", "created_at"]
    list_filter = ["pinned"]
    edit_handler = ObjectList(
        [FieldPanel("course"), FieldPanel("title"), FieldPanel("body"), FieldPanel("pinned")],
        base_form_class=AnnouncementForm,
    )

    def get_queryset(self, request):
        return Announcement.objects.filter(course__in=_staff_courses(request.user)).select_related(
            "course"
        )


register_snippet(AnnouncementViewSet)


@hooks.register("after_create_snippet")
def announce_new_announcement(request, instance):
    if isinstance(instance, Announcement):
        services.announcement_announce(announcement=instance)


@hooks.register("after_edit_snippet")
def push_edited_announcement(request, instance):
    if isinstance(instance, Announcement):
        services.announcement_changed(announcement=instance)


@hooks.register("before_delete_snippet")
def remember_deleted_announcements(request, instances):
    request._deleted_announcements = [
        (a.pk, a.course_id) for a in instances if isinstance(a, Announcement)
    ]


@hooks.register("after_delete_snippet")
def forget_deleted_announcements(request, instances):
    for pk, course_id in getattr(request, "_deleted_announcements", []):
        services.announcement_removed(announcement_id=pk, course_id=course_id)


# --- Notifications menu item and page --------------------------------------------------------


@hooks.register("register_admin_urls")
def register_notification_urls():
    return [
        path("notifications/", admin_views.notifications_page, name="notifications_admin"),
        path(
            "notifications/read-all/",
            admin_views.mark_all_read,
            name="notifications_admin_read_all",
        ),
        path("notifications/status/", admin_views.status, name="notifications_admin_status"),
        path(
            "notifications/review-panel/",
            admin_views.review_panel_fragment,
            name="notifications_review_panel",
        ),
    ]


class NotificationsMenuItem(MenuItem):
    """ "Notifications (3)": the unread count, read once per page view (one query)."""

    def render_component(self, request):
        from wagtail.admin.ui.sidebar import LinkMenuItem

        count = selectors.unread_count(request.user)
        label = _("Notifications (%(count)s)") % {"count": count} if count else self.label
        # Menu items are shared by every request: build the component, never mutate self.
        return LinkMenuItem(
            self.name,
            label,
            self.url,
            icon_name=self.icon_name,
            classname=self.classname,
            attrs={**self.attrs, "data-unread-count": str(count)},
        )


@hooks.register("register_admin_menu_item")
def register_notifications_menu_item():
    return NotificationsMenuItem(
        _("Notifications"),
        reverse("notifications_admin"),
        name="notifications",
        icon_name="mail",
        order=150,
    )


# --- "Waiting for review" dashboard panel -----------------------------------------------------


class WaitingForReviewPanel(Component):
    name = "waiting_for_review"
    order = 90
    template_name = "notifications/admin/waiting_for_review_panel.html"

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        return admin_views.review_panel_context(self.request)


@hooks.register("construct_homepage_panels")
def add_waiting_for_review_panel(request, panels):
    if request.user.has_perm(REVIEW_PERMISSION):
        panels.append(WaitingForReviewPanel(request))
