"""HTTP under ASGI in one thread hop per request.

Django's ASGI handler runs the middleware chain in async mode. Every middleware built on
``MiddlewareMixin`` (all of Django's own, django-prometheus', django-cors-headers') then runs
its ``process_request`` and ``process_response`` through ``sync_to_async`` on one shared
thread, and so do the sync views and the request signals: about 25 thread hops per request,
serialised on that one thread. Measured on two cores that fixed cost was ~4 ms per request
(a bare JSON view served ~250 requests/s under uvicorn against ~1,600 under a WSGI server).

:class:`ThreadedASGIHandler` builds the middleware chain in sync mode (like the WSGI handler)
and runs request start, the whole chain, the view and request finish in one call on a worker
thread (``sync_to_async(thread_sensitive=False)``): one hop, and requests run in parallel on
the executor's threads like a threaded WSGI server's, each thread with its own database
connection (``CONN_MAX_AGE`` and ``close_old_connections`` apply per thread as under WSGI).

A streaming response with a sync iterator (CSV exports) is read on that same worker thread
and closed there, so its database connection goes back to the pool; Django's own handler
reads such an iterator into memory too, on a thread of its own.

The probes (``PROBE_PATHS``: ``/healthz``, ``/readyz``) run on a small executor of their
own. When the database is down every request that needs it waits up to
``DATABASE_POOL_TIMEOUT`` for a connection; a handful of them fill the shared executor, and
probes queued behind them would time out: the orchestrator would then restart (liveness) or
drain (readiness) a healthy process instead of being told "the database is down".

Paths matched by ``ASYNC_PATHS`` (the tutor's server-sent events: an async view streaming
from an async model client) keep Django's own async handler. WebSockets never come here.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.urls import set_script_prefix

ASYNC_PATHS = (re.compile(r"/stream/$"),)
PROBE_PATHS = frozenset({"/healthz", "/readyz"})
# Two threads: a liveness and a readiness probe at once (readiness bounds its own checks).
_probes = ThreadPoolExecutor(max_workers=2, thread_name_prefix="probe")


class ThreadedASGIHandler(ASGIHandler):
    def __init__(self):
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        executor = _probes if scope.get("path") in PROBE_PATHS else None
        respond = sync_to_async(self._respond, thread_sensitive=False, executor=executor)
        try:
            response = await respond(scope, body_file)
            await self.send_response(response, send)
        finally:
            body_file.close()
        if response.streaming:  # async content ran only now: finish the request after it
            await sync_to_async(response.close)()

    def _respond(self, scope, body_file):
        """On a worker thread: the request as a WSGI server would run it."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        response = error_response if request is None else self.get_response(request)
        response._handler_class = self.__class__
        if response.streaming and not response.is_async:
            # Django's ASGI handler would read a sync iterator into a list anyway, on a
            # thread made for this request alone, whose database connection nobody closes
            # (with a connection pool, one connection lost per streamed export). Read it here,
            # on the thread that ran the view, and hand the bytes on as an async iterator.
            response.streaming_content = _replay(list(response.streaming_content))
            _finish(response)
        elif not response.streaming:
            # The body is rendered: send request_finished (close_old_connections) here, on
            # the thread whose database connection the request used.
            response.close()
        return response


async def _replay(chunks):
    for chunk in chunks:
        yield chunk


def _finish(response):
    """``response.close()`` now (request_finished on this thread), and not again after
    sending: the handler closes async streaming responses once they are sent."""
    response.close()
    response.close = lambda: None


class PathRouter:
    """HTTP to the threaded handler, except ``ASYNC_PATHS`` to Django's async one."""

    def __init__(self, threaded, native):
        self.threaded = threaded
        self.native = native

    async def __call__(self, scope, receive, send):
        path = scope.get("path", "")
        app = self.native if any(p.search(path) for p in ASYNC_PATHS) else self.threaded
        await app(scope, receive, send)
