"""Cache backends that count gets, hits and misses in django-prometheus' metrics.

django-prometheus ships such backends, but its Redis one needs django-redis and its local
memory one returns the default for any falsy cached value (``0``, ``""``); these subclass
Django's own backends and keep their semantics exactly.

The Redis backend also:

- shares one connection pool per server per process. Django keeps a cache object (and with it
  a connection pool) per thread and, under ASGI, per request context, so every request opened
  (and left to the garbage collector) a Redis connection of its own; the throttles use this
  cache too.
- answers reads from a Redis that is down as misses, and drops writes of cached values, so
  pages are served from the database, slower, instead of failing. For ``CACHE_RETRY_SECONDS``
  after a failure Redis is not tried again (a down server costs each request nothing).
  Invalidation (``incr``, ``delete``, ``clear``) still raises: a publish must not silently
  leave stale content behind.
"""

from __future__ import annotations

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django_prometheus.cache.metrics import (
    django_cache_get_total,
    django_cache_hits_total,
    django_cache_misses_total,
)

logger = logging.getLogger(__name__)

_MISSING = object()
CACHE_RETRY_SECONDS = 1.0


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

    def get_many(self, keys, version=None):
        keys = list(keys)
        found = super().get_many(keys, version=version)
        label = self.metrics_label
        django_cache_get_total.labels(backend=label).inc(len(keys))
        django_cache_hits_total.labels(backend=label).inc(len(found))
        django_cache_misses_total.labels(backend=label).inc(len(keys) - len(found))
        return found


class CountingLocMemCache(_CountingGets, LocMemCache):
    metrics_label = "locmem"


_pools: dict[tuple, object] = {}
_pools_lock = threading.Lock()


def shared_pools() -> dict[tuple, object]:
    """The process's Redis cache connection pools (for tests and metrics)."""
    return dict(_pools)


_clients: dict[int, object] = {}


class SharedPoolRedisCacheClient(RedisCacheClient):
    """Django's Redis client with one connection pool per server URL and options per process
    (redis-py pools are thread-safe and reset themselves in a forked child), and one
    ``redis.Redis`` per pool: Django builds a new one for every cache call, and building one
    (its table of ~170 response callbacks) cost more CPU than the cached read it served.
    A ``redis.Redis`` is safe to share between threads; each command takes a connection from
    the pool."""

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = _clients.get(id(pool))
        if client is None:
            with _pools_lock:
                client = _clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client

    def _get_connection_pool(self, write):
        index = self._get_connection_pool_index(write)
        url = self._servers[index]
        key = (
            url,
            self._pool_class,
            tuple(sorted((k, repr(v)) for k, v in self._pool_options.items())),
        )
        pool = _pools.get(key)
        if pool is None:
            with _pools_lock:
                pool = _pools.get(key)
                if pool is None:
                    pool = _pools[key] = self._pool_class.from_url(url, **self._pool_options)
        return pool


class _Outage:
    """When Redis last failed, process-wide."""

    until = 0.0
    lock = threading.Lock()

    @classmethod
    def down(cls) -> bool:
        return time.monotonic() < cls.until

    @classmethod
    def failed(cls, exc: Exception) -> None:
        with cls.lock:
            if not cls.down():
                logger.warning("Cache unavailable, serving without it: %s", exc)
            cls.until = time.monotonic() + CACHE_RETRY_SECONDS


class CountingRedisCache(_CountingGets, RedisCache):
    metrics_label = "redis"

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedPoolRedisCacheClient
        import redis

        self._unavailable = (redis.ConnectionError, redis.TimeoutError)

    def get(self, key, default=None, version=None):
        if _Outage.down():
            django_cache_get_total.labels(backend=self.metrics_label).inc()
            django_cache_misses_total.labels(backend=self.metrics_label).inc()
            return default
        try:
            return super().get(key, default, version=version)
        except self._unavailable as exc:
            _Outage.failed(exc)
            return default

    def get_many(self, keys, version=None):
        if _Outage.down():
            return {}
        try:
            return super().get_many(keys, version=version)
        except self._unavailable as exc:
            _Outage.failed(exc)
            return {}

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if _Outage.down():
            return
        try:
            super().set(key, value, timeout=timeout, version=version)
        except self._unavailable as exc:
            _Outage.failed(exc)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if _Outage.down():
            return False
        try:
            return super().add(key, value, timeout=timeout, version=version)
        except self._unavailable as exc:
            _Outage.failed(exc)
            return False
