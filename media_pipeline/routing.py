from django.urls import path

from media_pipeline.consumers import VideoProgressConsumer

websocket_urlpatterns = [
    path("ws/media/<int:asset_id>/", VideoProgressConsumer.as_asgi()),
]
