from __future__ import annotations

from celery import shared_task

from learning.assistant import services


@shared_task(
    name="learning.assistant.tasks.index_course",
    soft_time_limit=600,
    time_limit=660,
    acks_late=True,
)
def index_course(course_id: int) -> int:
    """Rebuild a course's tutor index from its live content (idempotent)."""
    return services.course_index_rebuild(course_id=course_id)
