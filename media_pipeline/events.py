"""Processing events to the Channels group ``media.<asset id>`` (admin progress, clients)."""

from __future__ import annotations

import logging

from config.channel_layer import group_send

logger = logging.getLogger(__name__)


def group_name(asset_id: int) -> str:
    return f"media.{asset_id}"


def asset_event(asset) -> dict:
    return {
        "type": "media.progress",
        "asset_id": asset.pk,
        "status": asset.status,
        "progress": asset.progress,
        "failure_reason": asset.failure_reason,
    }


def publish(event: dict) -> None:
    """Best effort: a channel layer that is down must never fail processing."""
    try:
        group_send(group_name(event["asset_id"]), event)
    except Exception:  # Redis unavailable, layer closed, ...
        logger.warning("Could not publish media event for asset %s", event["asset_id"])
