from celery import shared_task
from django.core.management import call_command


@shared_task(name="cms.tasks.publish_scheduled", time_limit=300, soft_time_limit=240)
def publish_scheduled() -> None:
    """Publish revisions whose go-live time has come and unpublish expired pages."""
    call_command("publish_scheduled")
