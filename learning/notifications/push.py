"""Real-time pushes through the channel layer (Redis in production).

Groups: ``user.<id>`` (a person's sockets), ``course.<id>`` (sockets of a course's current
learners), ``session.<id>`` (sockets opened with one sign-in session, closed when it is
revoked). Pushes are best effort and sent after commit: when the layer is down, nothing fails
and clients catch up from the database with ``since`` when they reconnect.

From sync code (a request's thread, a Celery task) a push is one Redis ``PUBLISH`` with the
pub/sub layer, without an event-loop hop (:mod:`config.channel_layer`).
"""

from __future__ import annotations

import logging

from channels.layers import get_channel_layer
from django.db import transaction

from config.channel_layer import group_send

logger = logging.getLogger(__name__)


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
        group_send(group, event, layer)
    except Exception:  # Redis down, layer closed, ...
        logger.warning("Could not push %s to %s", event.get("type"), group)
        return False
    return True


def send_many(events: list[tuple[str, dict]]) -> int:
    """Send several events in order; returns how many were sent (it stops at the first that
    fails: the layer is down and the rest would fail the same way)."""
    sent = 0
    for group, event in events:
        if not send(group, event):
            break
        sent += 1
    return sent


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
