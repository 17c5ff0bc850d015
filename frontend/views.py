"""The single-page shell of the reference student frontend.

Every path under ``/learn/`` answers with the same small HTML page (deep links work); the
screens are ES modules under ``static/frontend/`` that read and write through ``/api/v2/`` only.
The page carries a strict Content-Security-Policy: scripts and styles from this origin only
(no inline code), API and WebSocket calls to this origin, media from this origin and the
configured media hosts, and framing only by this origin (the admin's preview panel).
"""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from config.security import media_origins


def content_security_policy(request) -> str:
    host = request.get_host()
    # Videos, posters and captions come from the media storage (presigned S3 URLs).
    media = " ".join(dict.fromkeys([*media_origins(), *settings.FRONTEND_MEDIA_ORIGINS]))
    sockets = f"wss://{host}" if request.is_secure() else f"ws://{host} wss://{host}"
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": f"'self' data: blob: {media}",
        "media-src": f"'self' blob: {media}",
        "connect-src": f"'self' {sockets} {media}",
        "font-src": "'self'",
        "worker-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'none'",
        "form-action": "'self'",
        "frame-ancestors": "'self'",
    }
    return "; ".join(f"{name} {value.strip()}" for name, value in directives.items())


@require_safe
@never_cache
@xframe_options_sameorigin  # the admin's preview panel frames /learn/preview
def shell(request, path: str = ""):
    response = render(request, "frontend/shell.html", {"site_name": settings.WAGTAIL_SITE_NAME})
    response["Content-Security-Policy"] = content_security_policy(request)
    response["Referrer-Policy"] = "same-origin"
    return response
