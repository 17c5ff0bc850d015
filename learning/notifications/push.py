"""Real-time pushes through the channel layer (Redis in production).

Groups: ``user.<id>`` (a person's sockets), ``course.<id>`` (sockets of a course's current
learners), ``session.<id>`` (sockets opened with one sign-in session, closed when it is
revoked). Pushes are best effort and sent after commit: when the layer is down, nothing fails
and clients catch up from the database with ``since`` when they reconnect.

With Redis (``RedisPubSubChannelLayer``) a push from sync code (a request's thread, a Celery
task) is one ``PUBLISH`` on a pooled connection of this process: the channel name and bytes
the layer's own ``group_send`` would publish, without ``async_to_sync`` (which, on a request's
thread, waits for the server's event loop to run the send: a thread hop per push on the
heartbeat path). Other layers (the in-memory one of the embedded default) go through the
layer itself.
"""

from __future__ import annotations

import logging

import redis
from asgiref.sync import async_to_sync
from channels.layers import DEFAULT_CHANNEL_LAYER, get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import _consistent_hash
from django.conf import settings
from django.db import transaction

logger = logging.getLogger(__name__)

# A publish is one short command: fail fast when Redis is away (pushes are best effort).
PUBLISH_TIMEOUT_SECONDS = 2


class _Publisher:
    """Sync ``group_send`` for a :class:`RedisPubSubChannelLayer` (one client per shard)."""

    def __init__(self, layer: RedisPubSubChannelLayer, config: dict):
        self.layer = layer
        self.prefix = config.get("prefix", "asgi")
        self.shards = []
        for host in config.get("hosts") or ["redis://127.0.0.1:6379"]:
            address = host["address"] if isinstance(host, dict) else host
            self.shards.append(
                redis.Redis.from_url(
                    address,
                    socket_timeout=PUBLISH_TIMEOUT_SECONDS,
                    socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS,
                )
            )

    def group_send(self, group: str, message: dict) -> None:
        channel = f"{self.prefix}__group__{group}"  # RedisPubSubLoopLayer's group channel
        shard = self.shards[_consistent_hash(channel, len(self.shards))]
        shard.publish(channel, self.layer.serialize(message))


_publisher: _Publisher | None = None


def _sync_publisher(layer) -> _Publisher | None:
    global _publisher
    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    if _publisher is None or _publisher.layer is not layer:  # the layer is rebuilt in tests
        config = settings.CHANNEL_LAYERS[DEFAULT_CHANNEL_LAYER].get("CONFIG", {})
        _publisher = _Publisher(layer, config)
    return _publisher


def _group_send(layer, group: str, event: dict) -> None:
    publisher = _sync_publisher(layer)
    if publisher is not None:
        publisher.group_send(group, event)
    else:
        async_to_sync(layer.group_send)(group, event)


def user_group(user_id) -> str:
    return f"user.{user_id}"


def course_group(course_id) -> str:
    return f"course.{course_id}"


def session_group(session_id) -> str:
    return f"session.{session_id}"


def send(group: str, event: dict) -> bool:
    """Send now; False (logged) when the channel layer is unavailable."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        _group_send(layer, group, event)
    except Exception:  # Redis down, layer closed, ...
        logger.warning("Could not push %s to %s", event.get("type"), group)
        return False
    return True


def send_many(events: list[tuple[str, dict]]) -> int:
    """Send several events in one event-loop round trip; returns how many were sent."""
    if not events:
        return 0
    layer = get_channel_layer()
    if layer is None:
        return 0
    if _sync_publisher(layer) is not None:
        sent = 0
        for group, event in events:
            if not send(group, event):
                break  # the layer is down: the rest would fail the same way
            sent += 1
        return sent

    async def _send_all() -> int:
        sent = 0
        for group, event in events:
            try:
                await layer.group_send(group, event)
                sent += 1
            except Exception:
                logger.warning("Could not push %s to %s", event.get("type"), group)
                break  # the layer is down: the rest would fail the same way
        return sent

    try:
        return async_to_sync(_send_all)()
    except Exception:
        logger.warning("Could not push %d events", len(events))
        return 0


def after_commit(group: str, event: dict) -> None:
    transaction.on_commit(lambda: send(group, event))


def after_commit_many(events: list[tuple[str, dict]]) -> None:
    if events:
        transaction.on_commit(lambda: send_many(events))


def course_membership_changed(*, user_id: int, course_id: int, joined: bool) -> None:
    """Tell a person's open sockets to join or leave a course's group (after commit)."""
    after_commit(
        user_group(user_id),
        {"type": "course.membership", "course_id": course_id, "joined": joined},
    )


def session_revoked(session_ids) -> None:
    """Close the sockets opened with these sign-in sessions (after commit)."""
    after_commit_many(
        [(session_group(sid), {"type": "session.revoked"}) for sid in {str(s) for s in session_ids}]
    )


def progress_changed(*, user_id: int, payload: dict) -> None:
    """A learner's own progress changed: their other tabs and devices update live."""
    after_commit(user_group(user_id), {"type": "progress.updated", "progress": payload})


# Every socket joins it: administrators' system alerts reach everyone connected at once.
BROADCAST_GROUP = "broadcast"
