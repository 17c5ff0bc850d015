"""Wagtail's review workflow, applied to courses as units (wired in ``CmsConfig.ready`` and
``WAGTAIL_FINISH_WORKFLOW_ACTION``).

Submitting a course submits its changed sections with it; approving the course publishes
the course and those sections in one transaction; sending the course back, or cancelling its
review, withdraws them. A section can still be submitted and approved on its own (a new
section of a live course).
"""

from __future__ import annotations


def _course(state):
    from cms.models import CoursePage

    page = state.content_object
    specific = getattr(page, "specific", page)
    return specific if isinstance(specific, CoursePage) else None


def publish_reviewed(workflow_state, user=None) -> None:
    """The workflow's finish action: publish the object (Wagtail's default action), then, for
    a course, the sections waiting with it, in the same transaction. While a page is in
    review only reviewers can edit it (Wagtail locks it for its authors), so its latest
    revision is the reviewed one."""
    from wagtail.workflows import publish_workflow_state

    from cms.services import course_sections_publish_with

    publish_workflow_state(workflow_state, user=user)
    course = _course(workflow_state)
    if course is not None:
        course_sections_publish_with(course=course, user=user)


def on_workflow_submitted(sender, instance, user=None, **kwargs) -> None:
    from cms.services import course_sections_submit

    course = _course(instance)
    if course is not None:
        course_sections_submit(course=course, workflow=instance.workflow, user=user)


def on_workflow_withdrawn(sender, instance, user=None, **kwargs) -> None:
    from cms.services import course_sections_withdraw

    course = _course(instance)
    if course is not None:
        course_sections_withdraw(course=course, user=user)
