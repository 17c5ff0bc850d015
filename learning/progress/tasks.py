from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from learning.enrollment.models import Enrollment
from learning.progress import services


@shared_task(name="learning.progress.tasks.course_completed", soft_time_limit=120, time_limit=150)
def course_completed(enrollment_id: int) -> int:
    """Tell the apps that react to a completed course (``COURSE_COMPLETED_HANDLERS``).
    Handlers must be idempotent: a task can run twice after a worker is lost."""
    enrollment = (
        Enrollment.objects.select_related("user", "course").filter(pk=enrollment_id).first()
    )
    if enrollment is None or enrollment.completed_at is None:
        return 0
    for path in settings.COURSE_COMPLETED_HANDLERS:
        import_string(path)(enrollment)
    return len(settings.COURSE_COMPLETED_HANDLERS)


@shared_task(
    name="learning.progress.tasks.recheck_course_completions", soft_time_limit=600, time_limit=660
)
def recheck_course_completions(course_id: int) -> int:
    return services.course_completions_recheck(course_id=course_id)


@shared_task(name="learning.progress.tasks.prune_heartbeat_receipts", time_limit=600)
def prune_heartbeat_receipts() -> int:
    days = settings.PROGRESS_RECEIPT_RETENTION_DAYS
    return services.heartbeat_receipts_prune(older_than=timezone.now() - timedelta(days=days))
