"""Analytics background work, on the ``analytics`` queue (see ``CELERY_TASK_ROUTES``)."""

from celery import shared_task

from learning.analytics import services


@shared_task(
    name="learning.analytics.tasks.rollups_run",
    acks_late=True,
    soft_time_limit=540,
    time_limit=600,
    ignore_result=True,
)
def rollups_run() -> dict:
    """Beat ``analytics-rollups``: bring every rollup up to date (idempotent)."""
    return {run.name: run.keys for run in services.rollups_run()}
