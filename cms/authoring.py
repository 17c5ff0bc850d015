"""Course authoring rights and the review workflow, set up idempotently.

Roles are groups; this module finds them by the model permissions they hold
(``cms.teach_course`` → instructors, ``cms.review_course`` → reviewers), so it needs no
knowledge of role names. It runs after every ``migrate`` (through the roles sync), from
``load_demo_data`` and whenever a catalog page is created in the admin.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from cms.models import REVIEW_PERMISSION, TEACH_PERMISSION, CourseIndexPage

WORKFLOW_NAME = "Course review"
TASK_NAME = "Editors approve"

INSTRUCTOR_PAGE_ACTIONS = ("add",)
REVIEWER_PAGE_ACTIONS = ("add", "change", "publish", "lock", "unlock")
INSTRUCTOR_MEDIA_PERMISSIONS = {
    "wagtailimages": ("add_image", "choose_image"),
    "wagtaildocs": ("add_document", "choose_document"),
}
REVIEWER_MEDIA_PERMISSIONS = {
    "wagtailimages": ("add_image", "change_image", "choose_image"),
    "wagtaildocs": ("add_document", "change_document", "choose_document"),
}


def groups_with(permission: str):
    app_label, codename = permission.split(".")
    return Group.objects.filter(
        permissions__content_type__app_label=app_label, permissions__codename=codename
    ).distinct()


def _page_permission(action: str) -> Permission:
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=f"{action}_page")


def _grant_pages(groups, catalog: Page, actions) -> None:
    for action in actions:
        permission = _page_permission(action)
        for group in groups:
            GroupPagePermission.objects.get_or_create(
                group=group, page=catalog, permission=permission
            )


def _grant_media(groups, codenames: dict[str, tuple[str, ...]]) -> None:
    root = Collection.get_first_root_node()
    if root is None:
        return
    for app_label, names in codenames.items():
        for permission in Permission.objects.filter(
            content_type__app_label=app_label, codename__in=names
        ):
            for group in groups:
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=root, permission=permission
                )


def course_review_workflow(reviewers) -> Workflow:
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
    task.groups.add(*reviewers)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


@transaction.atomic
def ensure_course_authoring() -> Workflow | None:
    """Grant page and media permissions on every catalog and attach the review workflow.
    Returns the workflow (None while no reviewer group exists)."""
    instructors = list(groups_with(TEACH_PERMISSION))
    reviewers = list(groups_with(REVIEW_PERMISSION))
    _grant_media(instructors, INSTRUCTOR_MEDIA_PERMISSIONS)
    _grant_media(reviewers, REVIEWER_MEDIA_PERMISSIONS)
    if not reviewers:
        return None
    workflow = course_review_workflow(reviewers)
    for catalog in CourseIndexPage.objects.all():
        _grant_pages(instructors, catalog, INSTRUCTOR_PAGE_ACTIONS)
        _grant_pages(reviewers, catalog, REVIEWER_PAGE_ACTIONS)
        WorkflowPage.objects.get_or_create(page=catalog, defaults={"workflow": workflow})
    return workflow
