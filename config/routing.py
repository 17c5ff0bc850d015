"""WebSocket routes of every app, mounted under ``/ws/``."""

from learning.notifications.routing import (
    websocket_urlpatterns as notification_websocket_urlpatterns,
)
from media_pipeline.routing import websocket_urlpatterns as media_websocket_urlpatterns
from ops.routing import websocket_urlpatterns as ops_websocket_urlpatterns

websocket_urlpatterns = [
    *ops_websocket_urlpatterns,
    *media_websocket_urlpatterns,
    *notification_websocket_urlpatterns,
]
