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


@shared_task(
    name="learning.analytics.tasks.xapi_forward",
    acks_late=True,
    soft_time_limit=240,
    time_limit=300,
    ignore_result=True,
)
def xapi_forward() -> dict:
    """Beat ``analytics-xapi-forward``: send new learning events to the LRS (when
    ``XAPI_LRS_ENDPOINT`` is set). Failures back off inside; the next beat resumes."""
    from learning.analytics import lrs

    result = lrs.forward()
    return {"delivered": result.delivered, "dead_lettered": result.dead_lettered}


@shared_task(
    name="learning.analytics.tasks.weekly_course_reports",
    acks_late=True,
    soft_time_limit=540,
    time_limit=600,
    ignore_result=True,
)
def weekly_course_reports() -> int:
    """Beat ``analytics-weekly-reports`` (Mondays): last week's report to instructors, who
    can opt out per kind in their notification preferences. Idempotent per week."""
    from learning.analytics import reports

    return reports.weekly_reports_send()
