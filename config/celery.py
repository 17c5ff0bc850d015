"""The Celery application.

Configuration lives in Django settings under the ``CELERY_`` prefix (see ``config/settings``):
JSON only, late acknowledgement with redelivery when a worker dies, time limits, and the
queues ``default``, ``media``, ``email`` and ``analytics``.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("unpuzzle")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _prepare_filesystem_broker(sender: Celery, **kwargs) -> None:
    """The embedded default's broker lives in folders that must exist before use."""
    from django.conf import settings

    for folder in getattr(settings, "CELERY_FILESYSTEM_FOLDERS", []):
        folder.mkdir(parents=True, exist_ok=True)
