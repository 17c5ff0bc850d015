import socket

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

BEAT_CACHE_KEY = "ops:beat:last-heartbeat"


@shared_task(name="ops.tasks.ping", soft_time_limit=10, time_limit=15)
def ping(echo: str = "") -> dict:
    """Round trip through the broker and a worker; returns which worker answered."""
    return {"pong": echo, "worker": socket.gethostname(), "at": timezone.now().isoformat()}


@shared_task(name="ops.tasks.record_heartbeat", soft_time_limit=10, time_limit=15)
def record_heartbeat() -> str:
    """Run by Celery beat every minute so operators can see the scheduler is alive."""
    now = timezone.now().isoformat()
    cache.set(BEAT_CACHE_KEY, now, timeout=60 * 60)
    return now


@shared_task(name="ops.tasks.database_identity", soft_time_limit=10, time_limit=15)
def database_identity() -> dict:
    """Which database a worker is connected to, for operators checking a deployment."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    return {
        "vendor": connection.vendor,
        "name": str(connection.settings_dict["NAME"]),
        "users": get_user_model().objects.count(),
    }
