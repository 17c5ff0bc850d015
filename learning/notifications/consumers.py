"""``/ws/notifications/``: a person's live notifications.

Authenticated with the API's JWT access token (``?access_token=`` or the subprotocol pair
``bearer, <token>``) or the session cookie. On connect the socket joins ``user.<id>``, the
``course.<id>`` groups of the person's current enrollments (kept in step as they enroll and
leave), ``broadcast`` and, for tokens, ``session.<id>``. It never joins a group a client
names. See the README ("Real time") for the messages and close codes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from learning.notifications import push, selectors
from learning.notifications.payloads import notification_payload

logger = logging.getLogger(__name__)

# Close codes (documented in the README; the client reconnects on 4001 with a new token).
CLOSE_TOKEN_EXPIRED = 4001
CLOSE_SESSION_REVOKED = 4002
CLOSE_MESSAGE_TOO_LARGE = 4009
CLOSE_UNAUTHENTICATED = 4401

# A client's own messages are small: {"type": "ping"} or {"type": "catch_up", "since": 12}.
MAX_MESSAGE_BYTES = 4096


def _error(code: str, detail: str) -> dict:
    return {"type": "error", "code": code, "detail": detail}


def _since(raw) -> int | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = int(raw)
    except (TypeError, ValueError):
        return None
    return value if value >= 0 else None


class NotificationConsumer(AsyncWebsocketConsumer):
    groups = []

    async def connect(self) -> None:
        self.joined: set[str] = set()
        self.expiry_timer = None
        self.session_checked_at = time.monotonic()
        user = self.scope.get("user")
        offered = [p.lower() for p in self.scope.get("subprotocols", [])]
        subprotocol = "bearer" if offered[:1] == ["bearer"] else None
        if user is None or not user.is_authenticated:
            # Accept, then close with a code the client can read (a refused handshake has none).
            await self.accept(subprotocol=subprotocol)
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        self.session_id = self.scope.get("auth_session_id")
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        since = _since(query.get("since", [None])[0])
        # One trip to the database thread: courses, unread count and what was missed.
        course_ids, missed, count = await self._initial_state(since)
        groups = [push.user_group(user.pk), push.BROADCAST_GROUP]
        groups += [push.session_group(self.session_id)] if self.session_id else []
        groups += [push.course_group(course_id) for course_id in course_ids]
        await asyncio.gather(*(self._join(group) for group in groups))
        await self.accept(subprotocol=subprotocol)
        expires_at = self.scope.get("auth_expires_at")
        if expires_at:
            delay = max(0.0, float(expires_at) - time.time())
            self.expiry_timer = asyncio.get_running_loop().call_later(
                delay, lambda: asyncio.ensure_future(self._close_expired())
            )
        await self._send({"type": "hello", "user_id": user.pk, "course_ids": course_ids})
        await self._send_catch_up(since, missed, count)

    async def disconnect(self, code: int) -> None:
        if self.expiry_timer is not None:
            self.expiry_timer.cancel()
        for group in list(self.joined):
            try:
                await self.channel_layer.group_discard(group, self.channel_name)
            except Exception:  # the layer is down: its groups expire by themselves
                break
        self.joined.clear()

    async def _join(self, group: str) -> None:
        try:
            await self.channel_layer.group_add(group, self.channel_name)
        except Exception:  # no live pushes while the layer is down; catch-up still works
            logger.warning("Could not join %s", group, exc_info=True)
            return
        self.joined.add(group)

    async def _leave(self, group: str) -> None:
        if group in self.joined:
            self.joined.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)

    async def _send(self, message: dict) -> None:
        await self.send(text_data=json.dumps(message, separators=(",", ":")))

    async def _close_expired(self) -> None:
        await self._send(
            _error("token_expired", "The access token expired; reconnect with a new one.")
        )
        await self.close(code=CLOSE_TOKEN_EXPIRED)

    async def _catch_up(self, since: int | None) -> None:
        missed, count = await self._missed(since)
        await self._send_catch_up(since, missed, count)

    @database_sync_to_async
    def _initial_state(self, since: int | None) -> tuple[list[int], list[dict], int]:
        return selectors.current_course_ids(self.user_id), *self._missed_sync(since)

    async def _send_catch_up(self, since: int | None, missed: list[dict], count: int) -> None:
        message = {"type": "unread_count", "unread_count": count}
        if since is not None:
            message = {
                "type": "catch_up",
                "since": since,
                "notifications": missed,
                "more": len(missed) >= selectors.CATCH_UP_LIMIT,
                "unread_count": count,
            }
        await self._send(message)

    @database_sync_to_async
    def _missed(self, since: int | None) -> tuple[list[dict], int]:
        return self._missed_sync(since)

    def _missed_sync(self, since: int | None) -> tuple[list[dict], int]:
        from learning.accounts.models import User

        user = User(pk=self.user_id)
        missed = [] if since is None else selectors.notifications_since(user, since)
        return [notification_payload(n) for n in missed], selectors.unread_count(user)

    @database_sync_to_async
    def _session_active(self) -> bool:
        from learning.accounts import selectors as account_selectors

        return (
            account_selectors.user_for_session(user_id=self.user_id, session_id=self.session_id)
            is not None
        )

    # --- From the client ------------------------------------------------------------------

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None):
        raw = text_data if text_data is not None else bytes_data
        if raw is not None and len(raw) > MAX_MESSAGE_BYTES:
            await self._send(_error("message_too_large", "Messages are at most 4 KiB."))
            await self.close(code=CLOSE_MESSAGE_TOO_LARGE)
            return
        try:
            message = json.loads(raw or "")
        except (ValueError, UnicodeDecodeError):
            message = None
        kind = message.get("type") if isinstance(message, dict) else None
        if kind == "ping":
            if await self._session_revoked_since_last_check():
                return
            await self._send({"type": "pong"})
        elif kind == "catch_up":
            since = _since(message.get("since"))
            if since is None:
                await self._send(_error("invalid_since", "`since` is a notification id (≥ 0)."))
                return
            await self._catch_up(since)
        else:
            await self._send(
                _error(
                    "invalid_message",
                    'Send {"type": "ping"} or {"type": "catch_up", "since": <id>}.',
                )
            )

    async def _session_revoked_since_last_check(self) -> bool:
        """A fallback for revocations missed while the channel layer was down: pings re-check
        the session at most every ``NOTIFICATIONS_WS_SESSION_RECHECK_SECONDS``."""
        if not self.session_id:
            return False
        now = time.monotonic()
        if now - self.session_checked_at < settings.NOTIFICATIONS_WS_SESSION_RECHECK_SECONDS:
            return False
        self.session_checked_at = now
        if await self._session_active():
            return False
        await self.session_revoked({})
        return True

    # --- From the channel layer -------------------------------------------------------------

    async def notification_new(self, event: dict) -> None:
        await self._send(
            {
                "type": "notification",
                "notification": event["notification"],
                "unread_count": event.get("unread_count"),
            }
        )

    async def notification_unread(self, event: dict) -> None:
        await self._send({"type": "unread_count", "unread_count": event["unread_count"]})

    async def notification_broadcast(self, event: dict) -> None:
        await self._send({"type": "notification", "notification": event["notification"]})

    async def course_announcement(self, event: dict) -> None:
        await self._send({"type": "announcement", "announcement": event["announcement"]})

    async def course_announcement_deleted(self, event: dict) -> None:
        await self._send(
            {
                "type": "announcement_deleted",
                "announcement_id": event["announcement_id"],
                "course_id": event["course_id"],
            }
        )

    async def course_updated(self, event: dict) -> None:
        await self._send(
            {"type": "course_updated", **{k: v for k, v in event.items() if k != "type"}}
        )

    async def course_membership(self, event: dict) -> None:
        group = push.course_group(int(event["course_id"]))
        if event.get("joined"):
            await self._join(group)
        else:
            await self._leave(group)
        await self._send(
            {
                "type": "course_membership",
                "course_id": event["course_id"],
                "joined": event["joined"],
            }
        )

    async def progress_updated(self, event: dict) -> None:
        await self._send({"type": "progress", "progress": event["progress"]})

    async def session_revoked(self, event: dict) -> None:
        await self._send(_error("session_revoked", "This session was signed out."))
        await self.close(code=CLOSE_SESSION_REVOKED)
