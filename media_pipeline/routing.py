from django.urls import path

import config.converters  # noqa: F401  (registers the <id:> converter)
from media_pipeline.consumers import VideoProgressConsumer

websocket_urlpatterns = [
    path("ws/media/<id:asset_id>/", VideoProgressConsumer.as_asgi()),
]
