"""Who may do what to a course and its sections, on top of Wagtail's page permissions.

Page permissions on the catalog (granted by :mod:`cms.authoring`) give instructors ``add``
and reviewers ``add``/``change``/``publish``. Wagtail alone would let any instructor edit every
page they own; here an instructor (``add`` without ``change``) may edit, add sections to and
delete drafts of a course only if they are one of its instructors: those listed on its
latest revision, draft or published (``cms.CourseStaff``), or, while none is listed, the
person who created it. The admin and
Wagtail's read/write API both ask ``page.permissions_for_user()``, so both follow these rules.
"""

from __future__ import annotations

from functools import cached_property

from wagtail.models import Page, PagePermissionTester
from wagtail.permission_policies.pages import PagePermissionPolicy


class CoursePermissionTester(PagePermissionTester):
    @cached_property
    def _course(self):
        from cms.models import CoursePage

        if isinstance(self.page, CoursePage):
            return self.page
        parent_path = self.page.path[: -Page.steplen]
        return CoursePage.objects.filter(path=parent_path).first()

    @cached_property
    def is_course_instructor(self) -> bool:
        course = self._course
        if course is None or course.pk is None or not self.user.is_authenticated:
            return False
        from cms.models import CourseStaff

        listed = list(
            CourseStaff.objects.filter(course_id=course.pk).values_list("user_id", flat=True)
        )
        if listed:
            return self.user.pk in listed
        return course.owner_id == self.user.pk

    def _reviewer(self) -> bool:
        return self.user.is_superuser or "change" in self.permissions

    def can_edit(self):
        if not self.user.is_active or self.page_is_root:
            return False
        if self._reviewer():
            return True
        if "add" in self.permissions and self.is_course_instructor:
            return True
        task = self.page.current_workflow_task
        return bool(task and task.user_can_access_editor(self.page, self.user))

    def can_add_subpage(self):
        if not super().can_add_subpage():
            return False
        return self._reviewer() or self.is_course_instructor

    def can_delete(self, ignore_bulk=False):
        if not super().can_delete(ignore_bulk=ignore_bulk):
            return False
        return self._reviewer() or self.is_course_instructor


class CoursePagePermissionPolicy(PagePermissionPolicy):
    """Model-level page policy for courses and sections, agreeing with
    :class:`CoursePermissionTester`: a course's instructors may change it even when someone
    else created it. Wagtail's actions (used by the v3 API) check this policy and then the
    tester, so both must allow an edit."""

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if super().user_has_any_permission_for_instance(user, actions, instance):
            return True
        if "change" in actions:
            return instance.permissions_for_user(user).can_edit()
        return False
