"""Pushes and media events from sync code (config.channel_layer): with Redis, one PUBLISH
that the channel layer's own subscribers receive, made without an event loop; without Redis,
through the layer."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.conf import settings

from config import channel_layer
from learning.notifications import push
from media_pipeline import events

needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL, reason="the Redis pub/sub layer (PostgreSQL + Redis run)"
)


@needs_redis
def test_a_sync_push_is_one_publish_the_layers_subscribers_receive(monkeypatch):
    def no_hop(*args, **kwargs):
        raise AssertionError("async_to_sync used for a push")

    monkeypatch.setattr(channel_layer, "async_to_sync", no_hop)
    layer = get_channel_layer()

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add(push.user_group(4242), channel)
        await layer.group_add(push.course_group(7), channel)
        await layer.group_add(events.group_name(99), channel)
        await asyncio.sleep(0.2)  # the subscriptions are live
        # Sent from a thread, as a request or a task sends them.
        assert await asyncio.to_thread(
            push.send, push.user_group(4242), {"type": "progress.updated", "progress": {"a": 1}}
        )
        sent = await asyncio.to_thread(
            push.send_many,
            [
                (push.course_group(7), {"type": "course.announcement", "n": 1}),
                (push.user_group(4243), {"type": "progress.updated", "progress": {}}),
            ],
        )
        # A media event from a worker's task: many in a row, none lost.
        for percent in range(1, 21):
            await asyncio.to_thread(
                events.publish,
                {
                    "type": "media.progress",
                    "asset_id": 99,
                    "status": "processing",
                    "progress": percent,
                    "failure_reason": "",
                },
            )
        received = [await asyncio.wait_for(layer.receive(channel), 10) for _ in range(22)]
        for group in (push.user_group(4242), push.course_group(7), events.group_name(99)):
            await layer.group_discard(group, channel)
        return sent, received

    sent, received = asyncio.run(scenario())
    assert sent == 2
    assert received[0] == {"type": "progress.updated", "progress": {"a": 1}}
    assert received[1] == {"type": "course.announcement", "n": 1}
    assert [event["progress"] for event in received[2:]] == list(range(1, 21))


@needs_redis
def test_a_push_while_redis_is_away_fails_quietly(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:9"], "prefix": "unreachable"},
        }
    }
    assert push.send(push.user_group(1), {"type": "progress.updated", "progress": {}}) is False
    assert push.send_many([(push.user_group(1), {"type": "session.revoked"})]) == 0


def test_without_redis_pushes_go_through_the_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    layer = get_channel_layer()

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add(push.user_group(5), channel)
        return channel

    channel = asyncio.run(scenario())
    assert push.send(push.user_group(5), {"type": "progress.updated", "progress": {}})
    # The in-memory layer is bound to no loop: the message waits in the channel's queue.
    assert asyncio.run(layer.receive(channel)) == {"type": "progress.updated", "progress": {}}
