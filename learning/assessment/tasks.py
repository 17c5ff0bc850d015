from __future__ import annotations

from celery import shared_task

from learning.assessment import services


@shared_task(
    name="learning.assessment.tasks.close_expired_attempts", soft_time_limit=50, time_limit=60
)
def close_expired_attempts() -> int:
    """Grade attempts whose time ran out with the answers saved in time (idempotent)."""
    return services.attempts_close_expired()
