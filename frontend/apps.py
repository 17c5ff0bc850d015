from django.apps import AppConfig


class FrontendConfig(AppConfig):
    """The reference student frontend: static ES modules served at ``/learn/``, talking only to
    the public API (``/api/v2/``) and the WebSocket endpoints."""

    name = "frontend"
    verbose_name = "Reference student frontend"
