"""Cache backends that count gets, hits and misses in django-prometheus' metrics.

django-prometheus ships such backends, but its Redis one needs django-redis and its local
memory one returns the default for any falsy cached value (``0``, ``""``); these subclass
Django's own backends and keep their semantics exactly.
"""

from __future__ import annotations

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django_prometheus.cache.metrics import (
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)

_MISSING = object()


class _CountingGets:
    metrics_label = "cache"

    def get(self, key, default=None, version=None):
        django_cache_get_total.labels(backend=self.metrics_label).inc()
        value = super().get(key, _MISSING, version=version)
        if value is _MISSING:
            django_cache_misses_total.labels(backend=self.metrics_label).inc()
            return default
        django_cache_hits_total.labels(backend=self.metrics_label).inc()
        return value


class CountingLocMemCache(_CountingGets, LocMemCache):
    metrics_label = "locmem"


class CountingRedisCache(_CountingGets, RedisCache):
    metrics_label = "redis"
