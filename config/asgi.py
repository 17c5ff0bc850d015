"""ASGI entry point: Django over HTTP and Channels consumers over WebSocket."""

import os

from django.core.asgi import get_asgi_application

from config.env import ConfigError

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

# Set up Django (apps, settings) before anything imports models.
try:
    django_asgi_app = get_asgi_application()
except ConfigError as exc:  # one readable line naming the variable, no driver traceback
    raise SystemExit(f"Configuration error: {exc}") from None

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter
from django.conf import settings

from config.asgi_http import PathRouter, ThreadedASGIHandler
from config.routing import websocket_urlpatterns
from learning.accounts.channels import JWTAuthMiddleware, OriginPolicy

# HTTP in one thread hop per request (see config.asgi_http); Django's own async handler when
# ASGI_THREADED_HTTP is off, and for the streaming paths either way.
http_app = (
    PathRouter(ThreadedASGIHandler(), django_asgi_app)
    if settings.ASGI_THREADED_HTTP
    else django_asgi_app
)

application = ProtocolTypeRouter(
    {
        "http": http_app,
        # Session cookie, then bearer token, then the Origin policy (which needs to know
        # whether the token was valid), then the routes.
        "websocket": AuthMiddlewareStack(
            JWTAuthMiddleware(OriginPolicy(URLRouter(websocket_urlpatterns)))
        ),
    }
)
