"""Operations: health and readiness endpoints, the WebSocket and Celery smoke paths."""
