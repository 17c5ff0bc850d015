"""Admin pages of notifications: the signed-in person's list, "mark all read", a small JSON
status for the menu badge, and the "Waiting for review" panel's fragment (polled)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET, require_POST
from wagtail.models import WorkflowState

from cms.models import REVIEW_PERMISSION
from learning.notifications import selectors, services

REVIEW_PANEL_LIMIT = 10


@require_GET
def notifications_page(request):
    rows = list(selectors.notifications_for(request.user)[:50])
    return TemplateResponse(
        request,
        "notifications/admin/notifications.html",
        {
            "notifications": rows,
            "unread_count": selectors.unread_count(request.user),
            "page_title": "Notifications",
        },
    )


@require_POST
def mark_all_read(request):
    services.notifications_mark_all_read(user=request.user)
    return redirect("notifications_admin")


@require_GET
def status(request):
    return JsonResponse({"unread_count": selectors.unread_count(request.user)})


def review_panel_context(request) -> dict:
    waiting = (
        WorkflowState.objects.active()
        .filter(status=WorkflowState.STATUS_IN_PROGRESS)
        .select_related("requested_by", "current_task_state__task")
        .order_by("created_at")
    )
    rows = []
    for state in waiting[:REVIEW_PANEL_LIMIT]:
        obj = state.content_object
        rows.append(
            {
                "title": str(obj) if obj is not None else "(deleted)",
                "page_id": getattr(obj, "pk", None),
                "requested_by": state.requested_by.public_name if state.requested_by else "",
                "since": state.created_at,
                "task": state.current_task_state.task.name if state.current_task_state else "",
            }
        )
    return {"rows": rows, "total": waiting.count()}


@require_GET
def review_panel_fragment(request):
    if not request.user.has_perm(REVIEW_PERMISSION):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "notifications/admin/waiting_for_review_rows.html",
        review_panel_context(request),
    )
