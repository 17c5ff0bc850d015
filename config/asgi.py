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

from config.routing import websocket_urlpatterns
from learning.accounts.channels import JWTAuthMiddleware, OriginPolicy

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        # Session cookie, then bearer token, then the Origin policy (which needs to know
        # whether the token was valid), then the routes.
        "websocket": AuthMiddlewareStack(
            JWTAuthMiddleware(OriginPolicy(URLRouter(websocket_urlpatterns)))
        ),
    }
)
