"""Admin views of courses and sections (Wagtail's per-type page viewsets).

- Creating a course or a section does not autosave: nothing is added to the page tree until
  the instructor saves once (autosave then runs on the edit view).
- Submitting a course submits its changed sections with it (also when a course that was sent
  back is submitted again).
- Every review decision is confirmed with a message naming the course (and section).
"""

from __future__ import annotations

from django.contrib import messages
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.workflow import WorkflowActionView
from wagtail.admin.viewsets.pages import PageViewSet

from cms.models import CoursePage, SectionPage

DECISIONS = {
    "approve": _("approved and published"),
    "reject": _("sent back to its authors with your comment"),
}


class CalmCreateView(CreateView):
    """No autosave before the first save: an abandoned form leaves no draft page behind,
    and an untouched form reports no validation errors."""

    def get_context_data(self, **kwargs):
        self.autosave_enabled = False
        return super().get_context_data(**kwargs)


class CourseEditView(EditView):
    def submit_action(self):
        from cms.selectors import sections_in_review
        from cms.services import course_sections_submit

        response = super().submit_action()
        state = self.page.current_workflow_state
        if state is not None:
            # A course sent back and submitted again resumes its review without Wagtail's
            # "submitted" signal: submit its changed sections here too.
            course_sections_submit(
                course=self.page, workflow=state.workflow, user=self.request.user
            )
            sections = sections_in_review(self.page)
            if sections:
                messages.info(
                    self.request,
                    _("Submitted with it: %(sections)s.")
                    % {"sections": ", ".join(s.title for s in sections)},
                )
        return response


class ConfirmedWorkflowActionView(WorkflowActionView):
    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        self.task_state.refresh_from_db()
        if self.task_state.status != self.task_state.STATUS_IN_PROGRESS:
            page = self.object.specific
            decision = DECISIONS.get(self.action_name, _("updated"))
            extra = ""
            if isinstance(page, CoursePage) and self.action_name == "approve":
                count = SectionPage.objects.child_of(page).live().count()
                extra = " " + ngettext(
                    "%(count)s section is live.", "%(count)s sections are live.", count
                ) % {"count": count}
            messages.success(
                request,
                _("“%(title)s” was %(decision)s.")
                % {"title": page.get_admin_display_title(), "decision": decision}
                + extra,
            )
        return response


class CoursePageViewSet(PageViewSet):
    model = CoursePage
    add_view_class = CalmCreateView
    edit_view_class = CourseEditView
    workflow_action_view_class = ConfirmedWorkflowActionView


class SectionPageViewSet(PageViewSet):
    model = SectionPage
    add_view_class = CalmCreateView
    workflow_action_view_class = ConfirmedWorkflowActionView


def default_instructor(sender, page, parent, **kwargs) -> None:
    """A new course starts with its author as instructor (when they may teach)."""
    from cms.models import CourseInstructor, instructor_users

    if not isinstance(page, CoursePage) or not page.owner_id:
        return
    if instructor_users().filter(pk=page.owner_id).exists():
        page.course_instructors = [CourseInstructor(user_id=page.owner_id)]
