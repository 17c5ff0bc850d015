"""Turn environment variables into Django settings.

One code path serves every way of running the product: with no environment at all the
functions here return the embedded default (SQLite, local memory, local files, a Celery broker
on the file system); ``DATABASE_URL``, ``REDIS_URL`` and the S3 variables switch each concern
to its real service. A malformed value raises :class:`ConfigError`, whose message names the
variable, so the process stops with one readable line instead of a driver traceback.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql", "psql"}
SQLITE_SCHEMES = {"sqlite"}
REDIS_SCHEMES = {"redis", "rediss"}


class ConfigError(ImproperlyConfigured):
    """An environment variable is missing or malformed. ``str()`` names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        self.problem = problem
        super().__init__(f"{variable}: {problem}")


def _split(variable: str, url: str, schemes: set[str]):
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a non-numeric or out-of-range port
    except ValueError as exc:
        raise ConfigError(variable, f"malformed URL ({exc})") from None
    if parts.scheme not in schemes:
        expected = ", ".join(f"{s}://" for s in sorted(schemes))
        raise ConfigError(
            variable, f"unsupported scheme {parts.scheme!r}; expected one of {expected}"
        )
    return parts, port


def database_config(
    url: str | None,
    *,
    var_dir: Path,
    pool: bool = True,
    pool_max_size: int = 10,
    pool_timeout: float = 10,
    conn_max_age: int = 0,
    variable: str = "DATABASE_URL",
) -> dict:
    """Django ``DATABASES['default']`` for ``url``; SQLite under ``var_dir`` when unset."""
    if not url:
        return sqlite_config(var_dir / "db.sqlite3")
    parts, _ = _split(variable, url, POSTGRES_SCHEMES | SQLITE_SCHEMES)
    if parts.scheme in SQLITE_SCHEMES:
        path = unquote(parts.path)
        if path.startswith("//") or path.startswith("/"):  # sqlite:////abs/path
            path = path[1:]
        if not path:
            raise ConfigError(variable, "sqlite URL names no database file")
        if path == ":memory:":
            return sqlite_config(path)
        file = Path(path)
        return sqlite_config(file if file.is_absolute() else var_dir.parent / file)
    if not parts.hostname:
        raise ConfigError(variable, "PostgreSQL URL names no host")
    if not parts.path.strip("/"):
        raise ConfigError(variable, "PostgreSQL URL names no database")
    config = environ.Env.db_url_config(url)
    options = dict(config.get("OPTIONS") or {})
    options.setdefault("connect_timeout", 5)
    if pool:
        options["pool"] = {"min_size": 1, "max_size": pool_max_size, "timeout": pool_timeout}
        conn_max_age = 0  # Django refuses persistent connections together with a pool
    config.update(
        {
            "ENGINE": "django_prometheus.db.backends.postgresql",  # Django's, with query metrics
            "OPTIONS": options,
            "CONN_MAX_AGE": conn_max_age,
            # With the pool, Django passes this on as the pool's ``check``: a connection is
            # tested as it is handed out, so one a database restart killed is replaced
            # instead of failing the request that got it (one empty query per checkout).
            "CONN_HEALTH_CHECKS": pool or conn_max_age > 0,
            "ATOMIC_REQUESTS": False,
        }
    )
    return config


def sqlite_config(path: Path | str) -> dict:
    """SQLite tuned for a web process and a worker sharing one file (WAL, immediate writes)."""
    return {
        "ENGINE": "django_prometheus.db.backends.sqlite3",  # Django's, with query metrics
        "NAME": str(path),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


def redis_url(url: str | None, *, variable: str = "REDIS_URL") -> str | None:
    """Validate a Redis URL (``redis://`` or ``rediss://``, optional numeric db path)."""
    if not url:
        return None
    parts, _ = _split(variable, url, REDIS_SCHEMES)
    if not parts.hostname:
        raise ConfigError(variable, "Redis URL names no host")
    db = parts.path.strip("/")
    if db and not db.isdigit():
        raise ConfigError(variable, f"database must be a number, got {db!r}")
    return url


def cache_config(redis: str | None, *, key_prefix: str = "unpuzzle") -> dict:
    if not redis:
        return {
            "BACKEND": "config.cache.CountingLocMemCache",
            "LOCATION": "unpuzzle",
            "KEY_PREFIX": key_prefix,
        }
    return {
        "BACKEND": "config.cache.CountingRedisCache",
        "LOCATION": redis,
        "KEY_PREFIX": key_prefix,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 3},
    }


# redis-py 8 times socket reads out after 5 s by default; channel layer reads may wait
# longer for an idle socket's next message.
CHANNEL_LAYER_SOCKET_TIMEOUT = 15


def channel_layers_config(redis: str | None, *, prefix: str = "unpuzzle") -> dict:
    if not redis:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    # Redis pub/sub: a group lives in each process that has sockets in it and is one Redis
    # subscription there, so a message to a course of thousands (or to everyone) is one
    # PUBLISH and is copied to the sockets in memory. (The list-based RedisChannelLayer does
    # a Redis write per socket to join a group and, in our tests, lost messages to large
    # groups within one process.) Messages to sockets that are not connected are not kept:
    # clients catch up from the database with `since`.
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis, "socket_timeout": CHANNEL_LAYER_SOCKET_TIMEOUT}],
                "prefix": prefix,
            },
        }
    }


def celery_config(broker_url: str | None, redis: str | None, *, var_dir: Path) -> dict:
    """Broker and result backend: explicit ``CELERY_BROKER_URL``, else Redis, else file system.

    The file-system transport needs no server, so the embedded default still runs a real
    worker process that picks tasks up from ``var/celery``.
    """
    if broker_url:
        return {"broker_url": broker_url, "result_backend": redis or "rpc://", "filesystem": False}
    if redis:
        return {"broker_url": redis, "result_backend": redis, "filesystem": False}
    folder = var_dir / "celery"
    queue_dir, processed_dir = folder / "queue", folder / "processed"
    results_dir, control_dir = folder / "results", folder / "control"
    return {
        "broker_url": "filesystem://localhost//",
        "broker_transport_options": {
            "data_folder_in": str(queue_dir),
            "data_folder_out": str(queue_dir),
            "processed_folder": str(processed_dir),
            "store_processed": False,
            "control_folder": str(control_dir),
        },
        "result_backend": f"file://{results_dir}",
        "folders": [queue_dir, processed_dir, results_dir, control_dir],
        "filesystem": True,
    }


def storages_config(env: environ.Env, *, media_root: Path) -> tuple[dict, bool]:
    """Django ``STORAGES`` and whether S3 is in use (``AWS_STORAGE_BUCKET_NAME`` set)."""
    static = {
        "BACKEND": env.str(
            "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    }
    bucket = env.str("AWS_STORAGE_BUCKET_NAME", "")
    if not bucket:
        default = {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root)},
        }
        return {"default": default, "staticfiles": static}, False
    endpoint = env.str("AWS_S3_ENDPOINT_URL", "") or None
    public_endpoint = env.str("AWS_S3_PUBLIC_ENDPOINT_URL", "") or None
    for name, value in (
        ("AWS_S3_ENDPOINT_URL", endpoint),
        ("AWS_S3_PUBLIC_ENDPOINT_URL", public_endpoint),
    ):
        if value:
            _split(name, value, {"http", "https"})
    options = {
        "bucket_name": bucket,
        "endpoint_url": endpoint,
        "public_endpoint_url": public_endpoint,
        "region_name": env.str("AWS_S3_REGION_NAME", "us-east-1"),
        "access_key": env.str("AWS_ACCESS_KEY_ID", "") or None,
        "secret_key": env.str("AWS_SECRET_ACCESS_KEY", "") or None,
        "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", "") or None,
        "signature_version": "s3v4",
        "addressing_style": "path" if endpoint else "auto",
        "querystring_auth": True,
        "querystring_expire": env.int("AWS_QUERYSTRING_EXPIRE", 600),
        "file_overwrite": False,
        "default_acl": None,
        "location": env.str("AWS_LOCATION", ""),
    }
    default = {"BACKEND": "config.storage.S3Storage", "OPTIONS": options}
    return {"default": default, "staticfiles": static}, True
