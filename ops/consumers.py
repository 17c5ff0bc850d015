import json
import uuid

from channels.generic.websocket import AsyncWebsocketConsumer


class PingConsumer(AsyncWebsocketConsumer):
    """``/ws/ping/``: answers ``{"type": "ping"}`` with ``{"type": "pong"}``.

    The answer travels through the channel layer (a per-connection group), so a pong proves
    the ASGI server, the WebSocket routing and the channel layer (Redis in production) work.
    """

    async def connect(self) -> None:
        self.group_name = f"ping.{uuid.uuid4().hex}"
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        # A client that sent its token as the "bearer, <token>" subprotocol pair must get
        # "bearer" back, or browsers drop the connection.
        offered = [p.lower() for p in self.scope.get("subprotocols", [])]
        await self.accept(subprotocol="bearer" if offered[:1] == ["bearer"] else None)

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        try:
            message = json.loads(text_data or "")
        except ValueError:
            message = None
        if not isinstance(message, dict) or message.get("type") != "ping":
            await self.send(
                json.dumps(
                    {"type": "error", "code": "invalid_message", "detail": 'Send {"type": "ping"}.'}
                )
            )
            return
        echo = message.get("echo")
        if echo is not None and not isinstance(echo, str | int | float | bool):
            echo = None
        await self.channel_layer.group_send(self.group_name, {"type": "pong.message", "echo": echo})

    async def pong_message(self, event: dict) -> None:
        user = self.scope.get("user")
        authenticated = bool(user and user.is_authenticated)
        await self.send(
            json.dumps({"type": "pong", "echo": event.get("echo"), "authenticated": authenticated})
        )
