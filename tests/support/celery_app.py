"""The product's Celery app as the test worker runs it.

Transactional tests flush the database between tests, and Django recreates the content types
with new ids; a long-lived worker process would keep the old ids in its ContentType cache
(used by Wagtail's reference index, permissions and revisions). In production content types
never change under a running worker, so only the test worker forgets them before each task.
"""

from celery.signals import task_prerun

from config.celery import app

__all__ = ["app"]


@task_prerun.connect
def _forget_content_types(**kwargs) -> None:
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
