"""Sending to channel-layer groups from sync code (request threads, Celery tasks).

``async_to_sync(layer.group_send)`` from sync code either waits for the server's event loop
(on a request's thread) or, without one (a Celery task, a management command), makes a new
event loop per call; ``RedisPubSubChannelLayer`` keeps one Redis connection per event loop,
so every such send opened a connection that nothing closed, and sends from a worker could
fail or be lost under load. With that layer, :func:`group_send` is one ``PUBLISH`` on a
pooled connection of this process: the channel name and bytes the layer's own ``group_send``
publishes, so its subscribers (the sockets' consumers) receive it unchanged. Other layers
(the in-memory one of the embedded default) go through the layer itself.
"""

from __future__ import annotations

import redis
from asgiref.sync import async_to_sync
from channels.layers import DEFAULT_CHANNEL_LAYER, get_channel_layer
from channels_redis.pubsub import RedisPubSubChannelLayer
from channels_redis.utils import _consistent_hash
from django.conf import settings

# A publish is one short command: fail fast when Redis is away (senders are best effort).
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


def sync_publisher(layer) -> _Publisher | None:
    """The publisher for ``layer`` when it is the Redis pub/sub layer, else None."""
    global _publisher
    if not isinstance(layer, RedisPubSubChannelLayer):
        return None
    if _publisher is None or _publisher.layer is not layer:  # the layer is rebuilt in tests
        config = settings.CHANNEL_LAYERS[DEFAULT_CHANNEL_LAYER].get("CONFIG", {})
        _publisher = _Publisher(layer, config)
    return _publisher


def group_send(group: str, message: dict, layer=None) -> bool:
    """Send ``message`` to ``group``; False when there is no channel layer. Errors (Redis
    down) propagate: callers decide how best effort they are."""
    layer = layer or get_channel_layer()
    if layer is None:
        return False
    publisher = sync_publisher(layer)
    if publisher is not None:
        publisher.group_send(group, message)
    else:
        async_to_sync(layer.group_send)(group, message)
    return True
