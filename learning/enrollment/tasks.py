from celery import shared_task

from learning.enrollment import services


@shared_task(name="learning.enrollment.tasks.expire_enrollments", time_limit=600)
def expire_enrollments() -> int:
    return services.enrollments_expire()
