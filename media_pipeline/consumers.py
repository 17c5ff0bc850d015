"""``/ws/media/<id>/``: live processing progress of one video.

Subscribes to the group ``media.<id>`` after the same access check as the API (owner, or
whoever manages all videos) and forwards events. Sends the current state on connect, so a
client never misses the starting point.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from media_pipeline import access, events
from media_pipeline.models import VideoAsset

CLOSE_FORBIDDEN = 4403


class VideoProgressConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.group_name = None
        asset_id = int(self.scope["url_route"]["kwargs"]["asset_id"])
        state = await self._visible_state(self.scope.get("user"), asset_id)
        if state is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        self.group_name = events.group_name(asset_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        await self.accept()
        await self.send_json(state)

    async def disconnect(self, code: int) -> None:
        if self.group_name:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        """Clients only listen; anything they send is ignored."""

    async def media_progress(self, event: dict) -> None:
        await self.send_json({**event, "type": "progress"})

    @database_sync_to_async
    def _visible_state(self, user, asset_id: int) -> dict | None:
        asset = VideoAsset.objects.filter(pk=asset_id).first()
        if asset is None or user is None or not access.can_view(user, asset):
            return None
        return {**events.asset_event(asset), "type": "progress"}
