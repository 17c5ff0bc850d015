"""Security headers on every response: a Content-Security-Policy and a Permissions-Policy.

Django's ``SecurityMiddleware`` already sends ``X-Content-Type-Options: nosniff``,
``Referrer-Policy`` and ``Cross-Origin-Opener-Policy``; ``XFrameOptionsMiddleware`` sends
``X-Frame-Options``. This adds what Django 5.2 lacks:

- Responses that are not HTML pages (API JSON, files, playlists) get ``default-src 'none'``:
  nothing in them may run if a browser is tricked into rendering one.
- Pages (the site, the Wagtail admin, the API docs, certificate verification) get a policy
  that allows this origin plus the origins the product itself talks to: the media storage (S3
  endpoint or custom domain, for direct uploads, playback and images) and the frontend that the
  admin's preview frames. Wagtail's admin and drf-spectacular's docs still render some inline
  ``<script>`` blocks, so pages allow inline scripts; views that need nothing inline (the
  student frontend) send their own stricter policy, which is kept as is.
- ``Permissions-Policy`` turns off powerful features nothing in the product uses.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from asgiref.sync import iscoroutinefunction
from django.conf import settings
from django.utils.decorators import sync_and_async_middleware

NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), "
    "magnetometer=(), gyroscope=(), accelerometer=(), interest-cohort=()"
)


def _origin(url: str | None) -> str | None:
    if not url:
        return None
    parts = urlsplit(url if "://" in url else f"https://{url}")
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def media_origins() -> list[str]:
    """Origins of the media storage (S3 endpoint, public endpoint, custom domain), if any."""
    origins = []
    for alias in ("default", "videos"):
        options = settings.STORAGES.get(alias, {}).get("OPTIONS", {})
        for key in ("endpoint_url", "public_endpoint_url", "custom_domain"):
            origin = _origin(options.get(key))
            if origin and origin not in origins:
                origins.append(origin)
    return origins


def page_policy() -> str:
    media = " ".join(media_origins())
    frames = " ".join(
        origin
        for origin in {
            _origin(getattr(settings, "FRONTEND_URL", "")),
            _origin(getattr(settings, "HEADLESS_PREVIEW_CLIENT_URL", "")),
        }
        if origin
    )
    directives = {
        "default-src": "'self'",
        "script-src": "'self' 'unsafe-inline'",
        "style-src": "'self' 'unsafe-inline'",
        "img-src": f"'self' data: blob: {media}",
        "media-src": f"'self' blob: {media}",
        "font-src": "'self' data:",
        "connect-src": f"'self' ws: wss: {media}",
        "frame-src": f"'self' {frames}",
        "worker-src": "'self' blob:",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
    }
    return "; ".join(f"{name} {value.strip()}" for name, value in directives.items())


def _add_headers(response, policy: str):
    if "Content-Security-Policy" not in response:
        is_page = response.get("Content-Type", "").startswith("text/html")
        response["Content-Security-Policy"] = policy if is_page else NON_PAGE_POLICY
    response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    return response


@sync_and_async_middleware
def security_headers_middleware(get_response):
    """Adds the headers in the mode of the request (no thread hop under ASGI)."""
    policy = page_policy()
    if iscoroutinefunction(get_response):

        async def middleware(request):
            return _add_headers(await get_response(request), policy)

    else:

        def middleware(request):
            return _add_headers(get_response(request), policy)

    return middleware
