"""The JSON shape of a notification, shared by the WebSocket pushes and the HTTP API."""

from __future__ import annotations


def _iso(value):
    return value.isoformat() if value else None


def notification_payload(n) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "title": n.title,
        "body": n.body,
        "target": n.target,
        "actor": (
            {"id": n.actor_id, "name": n.actor.public_name}
            if n.actor_id and "actor" in n._state.fields_cache
            else ({"id": n.actor_id, "name": None} if n.actor_id else None)
        ),
        "course_id": n.course_id,
        "data": n.data,
        "created_at": _iso(n.created_at),
        "read_at": _iso(n.read_at),
        "expires_at": _iso(n.expires_at),
    }


def announcement_payload(a) -> dict:
    return {
        "id": a.pk,
        "course_id": a.course_id,
        "title": a.title,
        "body": a.body,
        "pinned": a.pinned,
        "author": (
            {"id": a.author_id, "name": a.author.public_name}
            if a.author_id and "author" in a._state.fields_cache
            else ({"id": a.author_id, "name": None} if a.author_id else None)
        ),
        "created_at": _iso(a.created_at),
        "updated_at": _iso(a.updated_at),
    }
