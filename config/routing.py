"""WebSocket routes of every app, mounted under ``/ws/``."""

from ops.routing import websocket_urlpatterns as ops_websocket_urlpatterns

websocket_urlpatterns = [*ops_websocket_urlpatterns]
