"""Where the fixed cost of one HTTP request goes: the same request through Django's own ASGI
handler, the product's threaded ASGI handler (config/asgi_http.py) and Django's WSGI handler,
in process (no network, no server), one request at a time.

    DATABASE_URL=… REDIS_URL=… .venv/bin/python bench/load/profile_request.py [--n 2000]

Prints microseconds per request and thread hops (``sync_to_async`` calls) per request for
``/healthz`` and the bare JSON view, then the functions with the most cumulative time for one
handler with ``--profile asgi|threaded|wsgi``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))


def scope(path: str) -> dict:
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"accept", b"application/json")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def asgi_requests(app, path: str, n: int) -> None:
    async def send(message):
        if message["type"] == "http.response.start":
            assert message["status"] == 200, message

    def receiver():
        sent = []

        async def receive():
            if not sent:
                sent.append(1)
                return {"type": "http.request", "body": b"", "more_body": False}
            await asyncio.Event().wait()  # the client stays connected

        return receive

    for _ in range(n):
        await app(scope(path), receiver(), send)


def wsgi_requests(app, path: str, n: int) -> None:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "application/json",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
    }

    def start_response(status, headers):
        assert status.startswith("200"), status

    for _ in range(n):
        body = app(dict(environ), start_response)
        b"".join(body)
        body.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--profile", choices=["asgi", "threaded", "wsgi"])
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.courses.settings")
    import asgiref.sync
    from django.core.asgi import get_asgi_application
    from django.core.wsgi import get_wsgi_application

    from config.asgi_http import ThreadedASGIHandler

    handlers = {
        "asgi": get_asgi_application(),
        "threaded": ThreadedASGIHandler(),
        "wsgi": get_wsgi_application(),
    }
    hops = {"n": 0}
    original = asgiref.sync.SyncToAsync.__call__

    async def counting(self, *a, **kw):
        hops["n"] += 1
        return await original(self, *a, **kw)

    asgiref.sync.SyncToAsync.__call__ = counting

    def run(name: str, path: str, n: int) -> None:
        app = handlers[name]
        if name == "wsgi":
            wsgi_requests(app, path, n)
        else:
            asyncio.run(asgi_requests(app, path, n))

    print("| handler | path | µs per request | thread hops per request |")
    print("|---|---|---|---|")
    for path in ["/healthz", "/bench/bare/"]:
        for name in handlers:
            run(name, path, 50)  # warm up
            hops["n"] = 0
            started = time.perf_counter()
            run(name, path, args.n)
            elapsed = time.perf_counter() - started
            print(f"| {name} | {path} | {elapsed / args.n * 1e6:.0f} | {hops['n'] / args.n:.0f} |")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        run(args.profile, "/bench/bare/", args.n)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
