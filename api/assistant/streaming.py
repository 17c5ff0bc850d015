"""Streaming answers as Server-Sent Events, from an async view under ASGI.

Everything that touches the database runs in ``sync_to_async`` (the event loop is never
blocked by sync I/O); the provider is read with its async client. Events:

- ``start``: the learner's message id, the sources the answer may cite, the provider label;
- ``delta``: ``{"text"}`` pieces of the answer as the provider produces them;
- ``done``: the saved answer (message with citations, tokens, cost);
- ``error``: ``{"status", "code", "detail"}`` when the provider fails mid-way: the stream
  ends there, the learner's message is kept and nothing is charged.

Refusals before streaming starts (auth, validation, access, quota) are problem responses.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import weakref

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.http import JsonResponse, StreamingHttpResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.parsers import JSONParser
from rest_framework.request import Request

from api.assistant import serializers as s
from api.assistant.views import own_conversation
from api.authentication import JWTAuthentication
from api.exceptions import errors_of_non_field_problem, flatten_errors, status_for
from api.problems import PROBLEM_CONTENT_TYPE, problem_body, problem_response
from config.errors import DomainError
from learning.assistant import errors, services
from learning.assistant.models import Agent
from learning.assistant.providers import Completion, StreamDelta

logger = logging.getLogger(__name__)


def _releasing(function):
    """Run ``function`` (database work of a streaming request), then hand its database
    connection back to the pool: a stream lasts seconds, and holding a connection for all
    of it would let a few dozen streams starve every other request of connections."""

    def run(*args, **kwargs):
        try:
            return function(*args, **kwargs)
        finally:
            if not connection.in_atomic_block:
                connection.close()

    return run


_gates: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


async def _in_thread(function, *args):
    """Run database work of a stream in a thread, at most
    ``ASSISTANT_STREAM_DB_CONCURRENCY`` at a time per event loop: a hundred streams' worth
    of Python threads at once would starve the event loop of the GIL (every other request
    of this process waits on it), while queued streams only start a little later."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(settings.ASSISTANT_STREAM_DB_CONCURRENCY)
    async with gate:
        return await sync_to_async(_releasing(function))(*args)


def sse(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, cls=DjangoJSONEncoder)}\n\n".encode()


def _prepare(django_request, conversation_id: int):
    request = Request(
        django_request,
        parsers=[JSONParser()],
        authenticators=[JWTAuthentication(), SessionAuthentication()],
    )
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    conversation = own_conversation(request, conversation_id)
    data = s.SendMessageSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    interaction = services.interaction_prepare(
        user=request.user,
        conversation=conversation,
        agent=Agent.CHAT,
        content=data.validated_data["content"],
        **data.service_kwargs(),
    )
    if not conversation.title:
        services.conversation_rename(
            conversation=conversation, title=interaction.user_message.content[:80]
        )
    return interaction


def _problem(exc: Exception):
    if isinstance(exc, DomainError):
        status = status_for(exc)
        body = problem_body(
            status=status,
            code=exc.code,
            detail=exc.message,
            errors=errors_of_non_field_problem(status, exc.code, exc.message),
        )
        body.update(exc.extra or {})
        return JsonResponse(body, status=status, content_type=PROBLEM_CONTENT_TYPE)
    if isinstance(exc, exceptions.ValidationError):
        return problem_response(
            status=400,
            code="invalid",
            detail="The request has invalid fields; see errors.",
            errors=flatten_errors(exc.get_full_details()),
        )
    if isinstance(exc, exceptions.APIException):
        details = exc.get_full_details()
        code = str((details.get("code") if isinstance(details, dict) else None) or exc.default_code)
        detail = str(exc.detail)
        return problem_response(
            status=exc.status_code,
            code=code,
            detail=detail,
            errors=errors_of_non_field_problem(exc.status_code, code, detail),
        )
    raise exc


async def _events(interaction):
    provider = interaction.provider
    yield sse(
        "start",
        {
            "message_id": interaction.user_message.pk,
            "provider": provider.name,
            "label": provider.label,
            "sources": [source.citation() for source in interaction.request.sources],
        },
    )
    completion = None
    sent = 0
    limit = settings.ASSISTANT_MAX_REPLY_CHARS
    try:
        async for item in provider.stream(interaction.request):
            if isinstance(item, StreamDelta):
                if sent < limit:
                    piece = item.text[: limit - sent]
                    sent += len(piece)
                    yield sse("delta", {"text": piece})
            elif isinstance(item, Completion):
                completion = item
        if completion is None:
            raise errors.ProviderBadResponse()
        message = await _in_thread(services.interaction_succeeded, interaction, completion)
    except errors.ProviderError as error:
        await _in_thread(services.interaction_failed, interaction, error)
        yield sse(
            "error", {"status": status_for(error), "code": error.code, "detail": error.message}
        )
        return
    except Exception:
        # Never an aborted connection: the client gets an error event, the cause is logged.
        logger.exception("Tutor stream failed after it started")
        with contextlib.suppress(Exception):
            await _in_thread(services.quota_release, interaction.reservation)
        yield sse(
            "error",
            {"status": 500, "code": "server_error", "detail": "The answer could not be finished."},
        )
        return
    yield sse("done", s.MessageSerializer(message).data)


@csrf_exempt
async def message_stream(request, conversation_id: int):
    if request.method != "POST":
        return problem_response(status=405, code="method_not_allowed", detail="Use POST.")
    try:
        interaction = await _in_thread(_prepare, request, conversation_id)
    except (DomainError, exceptions.APIException) as exc:
        return _problem(exc)
    response = StreamingHttpResponse(_events(interaction), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
