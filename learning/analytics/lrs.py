"""Forwarding the learning event log to an external Learning Record Store as xAPI 1.0.3
statements (``XAPI_LRS_ENDPOINT``; off when empty).

- **At least once, in order**: events go in the order they were stored, ``XAPI_BATCH_SIZE`` per
  request; the cursor moves only past what the LRS accepted (or refused for good), so a
  crash re-sends the last batch, which the LRS de-duplicates: statement ids are stable
  (uuid5 of the event id, :func:`learning.analytics.xapi.statement`).
- **Retries with backoff**: a network error, a timeout or a 401/403/404/408/429/5xx answer
  stops forwarding until ``XAPI_BACKOFF_SECONDS`` x 2^(failures - 1) (at most
  ``XAPI_MAX_BACKOFF_SECONDS``) has passed; nothing is skipped.
- **Dead letters**: when the LRS refuses a batch with another 4xx, its statements are sent
  one by one; those refused alone are recorded as :class:`XapiDeadLetter` and skipped.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import httpx
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from learning.analytics.models import LearningEvent, XapiDeadLetter, XapiForwardState
from learning.analytics.xapi import STATEMENT_NAMESPACE, statement

# Answers that mean "not now" rather than "never".
TRANSIENT = {401, 403, 404, 408, 425, 429}
LOCK = "analytics:xapi-forward"


class LrsUnavailable(Exception):
    """The LRS could not be reached or answered with a transient failure."""


@dataclass
class ForwardResult:
    delivered: int = 0
    dead_lettered: int = 0
    waiting: bool = False  # backing off after a failure
    enabled: bool = True
    error: str = ""


def enabled() -> bool:
    return bool(settings.XAPI_LRS_ENDPOINT)


def _extension_iri(key: str) -> str:
    if "://" in key:
        return key
    return f"{settings.SITE_URL}/xapi/extensions/{key}"


def lrs_statement(event: LearningEvent) -> dict:
    """The statement sent to the LRS: :func:`~learning.analytics.xapi.statement` without
    ``stored`` (the LRS sets it), with the registration as a UUID and extension keys as
    IRIs, as xAPI requires."""
    data = statement(event)
    data.pop("stored", None)
    data["verb"]["display"] = {lang: str(text) for lang, text in data["verb"]["display"].items()}
    context = data.get("context")
    if context:
        if "registration" in context:
            context["registration"] = str(
                uuid.uuid5(STATEMENT_NAMESPACE, f"registration:{context['registration']}")
            )
        if context.get("extensions"):
            context["extensions"] = {_extension_iri(k): v for k, v in context["extensions"].items()}
    result = data.get("result")
    if result and result.get("extensions"):
        result["extensions"] = {_extension_iri(k): v for k, v in result["extensions"].items()}
    return data


def _post(client: httpx.Client, statements: list[dict]) -> httpx.Response:
    try:
        response = client.post(
            settings.XAPI_LRS_ENDPOINT.rstrip("/") + "/statements", json=statements
        )
    except httpx.HTTPError as exc:
        raise LrsUnavailable(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code in TRANSIENT or response.status_code >= 500:
        raise LrsUnavailable(f"HTTP {response.status_code}: {response.text[:300]}")
    return response


def _client() -> httpx.Client:
    auth = None
    if settings.XAPI_LRS_USERNAME:
        auth = (settings.XAPI_LRS_USERNAME, settings.XAPI_LRS_PASSWORD)
    return httpx.Client(
        auth=auth,
        timeout=settings.XAPI_TIMEOUT_SECONDS,
        headers={"X-Experience-API-Version": "1.0.3"},
    )


def _next_batch(state: XapiForwardState, upto) -> list[LearningEvent]:
    events = LearningEvent.objects.filter(stored_at__lte=upto)
    if state.cursor_stored_at is not None:
        events = events.filter(
            Q(stored_at__gt=state.cursor_stored_at)
            | Q(stored_at=state.cursor_stored_at, pk__gt=state.cursor_event_id)
        )
    return list(events.order_by("stored_at", "pk")[: settings.XAPI_BATCH_SIZE])


def _advance(state: XapiForwardState, event: LearningEvent, delivered: int) -> None:
    state.cursor_stored_at, state.cursor_event_id = event.stored_at, event.pk
    state.delivered += delivered
    state.failures, state.retry_at, state.last_error = 0, None, ""
    state.save()


def _fail(state: XapiForwardState, error: str, now) -> None:
    state.failures += 1
    backoff = min(
        settings.XAPI_MAX_BACKOFF_SECONDS,
        settings.XAPI_BACKOFF_SECONDS * 2 ** (state.failures - 1),
    )
    state.retry_at = now + timedelta(seconds=backoff)
    state.last_error = error[:2000]
    state.save()


def _one_by_one(client, state, events, statements, result: ForwardResult) -> None:
    for event, data in zip(events, statements, strict=True):
        response = _post(client, [data])  # LrsUnavailable stops here; cursor stays before it
        if response.is_success:
            _advance(state, event, 1)
            result.delivered += 1
        else:
            with transaction.atomic():
                XapiDeadLetter.objects.get_or_create(
                    event=event,
                    defaults={
                        "statement_id": data["id"],
                        "status": response.status_code,
                        "response": response.text[:2000],
                    },
                )
                _advance(state, event, 0)
            result.dead_lettered += 1


def forward(*, max_batches: int | None = None, now=None) -> ForwardResult:
    """Send what was stored since the cursor, batch by batch, until caught up (or
    ``max_batches``). One forwarder at a time (a cache lock); waits out the backoff."""
    if not enabled():
        return ForwardResult(enabled=False)
    if not cache.add(LOCK, "1", timeout=settings.XAPI_LOCK_SECONDS):
        return ForwardResult(waiting=True)
    try:
        now = now or timezone.now()
        state, _ = XapiForwardState.objects.get_or_create(name="lrs")
        if state.retry_at is not None and now < state.retry_at:
            return ForwardResult(waiting=True, error=state.last_error)
        upto = now - timedelta(seconds=settings.XAPI_LAG_SECONDS)
        result = ForwardResult()
        batches = 0
        with _client() as client:
            while max_batches is None or batches < max_batches:
                events = _next_batch(state, upto)
                if not events:
                    break
                batches += 1
                statements = [lrs_statement(event) for event in events]
                try:
                    response = _post(client, statements)
                    if response.is_success:
                        _advance(state, events[-1], len(events))
                        result.delivered += len(events)
                    else:
                        _one_by_one(client, state, events, statements, result)
                except LrsUnavailable as exc:
                    _fail(state, str(exc), now)
                    result.waiting, result.error = True, str(exc)
                    break
        return result
    finally:
        cache.delete(LOCK)


def dead_letter_retry(dead_letter: XapiDeadLetter) -> bool:
    """Send a dead-lettered statement again (after the cause was fixed); forget it when the
    LRS accepts it. Raises :class:`LrsUnavailable` when the LRS is down."""
    with _client() as client:
        response = _post(client, [lrs_statement(dead_letter.event)])
    if response.is_success:
        dead_letter.delete()
        return True
    XapiDeadLetter.objects.filter(pk=dead_letter.pk).update(
        status=response.status_code, response=response.text[:2000]
    )
    return False
