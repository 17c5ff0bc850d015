"""Turning environment variables into settings (config/env.py)."""

from pathlib import Path

import environ
import pytest

from config.env import (
    ConfigError,
    cache_config,
    celery_config,
    channel_layers_config,
    database_config,
    redis_url,
    storages_config,
)

VAR = Path("/srv/app/var")


class TestDatabase:
    def test_no_url_is_sqlite_under_var(self):
        config = database_config(None, var_dir=VAR)
        assert config["ENGINE"] == "django_prometheus.db.backends.sqlite3"
        assert config["NAME"] == str(VAR / "db.sqlite3")
        assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]

    def test_postgres_url_uses_a_connection_pool(self):
        config = database_config("postgres://app:s3cret@db.internal:5433/lms", var_dir=VAR)
        assert config["ENGINE"] == "django_prometheus.db.backends.postgresql"
        assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.internal", 5433, "lms")
        assert (config["USER"], config["PASSWORD"]) == ("app", "s3cret")
        assert config["OPTIONS"]["pool"]["max_size"] == 10
        assert config["CONN_MAX_AGE"] == 0
        # The pool checks a connection before handing it out (a restarted server's dead
        # connections are replaced): tests/ops/test_database_restart.py.
        assert config["CONN_HEALTH_CHECKS"] is True

    def test_postgres_without_pool_keeps_persistent_connections(self):
        config = database_config("postgresql://db/lms", var_dir=VAR, pool=False, conn_max_age=60)
        assert "pool" not in config["OPTIONS"]
        assert config["CONN_MAX_AGE"] == 60
        assert config["CONN_HEALTH_CHECKS"] is True

    @pytest.mark.parametrize(
        ("url", "problem"),
        [
            ("postgres://db:notaport/lms", "malformed URL"),
            ("mysql://db/lms", "unsupported scheme 'mysql'"),
            ("db.internal/lms", "unsupported scheme ''"),
            ("postgres:///lms", "names no host"),
            ("postgres://db.internal", "names no database"),
        ],
    )
    def test_malformed_url_names_the_variable(self, url, problem):
        with pytest.raises(ConfigError) as excinfo:
            database_config(url, var_dir=VAR)
        assert str(excinfo.value).startswith("DATABASE_URL: ")
        assert problem in str(excinfo.value)
        assert "\n" not in str(excinfo.value)

    def test_sqlite_url_relative_to_project(self):
        config = database_config("sqlite:///var/other.sqlite3", var_dir=VAR)
        assert config["NAME"] == "/srv/app/var/other.sqlite3"


class TestRedis:
    def test_unset_means_embedded_backends(self):
        assert redis_url("") is None
        assert cache_config(None)["BACKEND"].endswith("LocMemCache")
        assert channel_layers_config(None)["default"]["BACKEND"].endswith("InMemoryChannelLayer")

    def test_redis_backends(self):
        url = redis_url("redis://cache.internal:6380/2")
        assert cache_config(url)["BACKEND"] == "config.cache.CountingRedisCache"
        assert cache_config(url)["LOCATION"] == url
        layer = channel_layers_config(url)["default"]
        assert layer["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
        assert layer["CONFIG"]["hosts"] == [{"address": url, "socket_timeout": 15}]

    @pytest.mark.parametrize(
        "url", ["http://cache:6379", "redis://cache:port/0", "redis://cache:6379/zero", "redis://"]
    )
    def test_malformed_url_names_the_variable(self, url):
        with pytest.raises(ConfigError, match=r"^REDIS_URL: "):
            redis_url(url)


class TestCelery:
    def test_embedded_broker_is_the_file_system(self):
        config = celery_config(None, None, var_dir=VAR)
        assert config["broker_url"] == "filesystem://localhost//"
        assert config["filesystem"] is True
        options = config["broker_transport_options"]
        assert (
            options["data_folder_in"] == options["data_folder_out"] == str(VAR / "celery" / "queue")
        )
        assert config["result_backend"] == f"file://{VAR / 'celery' / 'results'}"

    def test_redis_is_broker_and_result_backend(self):
        config = celery_config(None, "redis://r:6379/0", var_dir=VAR)
        assert config["broker_url"] == config["result_backend"] == "redis://r:6379/0"

    def test_explicit_broker_wins(self):
        config = celery_config("amqp://guest@mq//", "redis://r:6379/0", var_dir=VAR)
        assert config["broker_url"] == "amqp://guest@mq//"
        assert config["result_backend"] == "redis://r:6379/0"


class TestStorage:
    def test_local_files_without_a_bucket(self):
        storages, use_s3 = storages_config(environ.Env(), media_root=VAR / "media")
        assert use_s3 is False
        assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
        assert storages["default"]["OPTIONS"]["location"] == str(VAR / "media")

    def test_s3_when_a_bucket_is_named(self, monkeypatch):
        monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "media")
        monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://minio:9000")
        storages, use_s3 = storages_config(environ.Env(), media_root=VAR / "media")
        assert use_s3 is True
        options = storages["default"]["OPTIONS"]
        assert storages["default"]["BACKEND"] == "config.storage.S3Storage"
        assert options["bucket_name"] == "media"
        assert options["endpoint_url"] == "http://minio:9000"
        assert options["public_endpoint_url"] is None
        assert options["addressing_style"] == "path"
        assert options["querystring_auth"] is True
        assert options["file_overwrite"] is False

    def test_a_public_endpoint_for_browsers(self, monkeypatch):
        monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "media")
        monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "http://minio:9000")
        monkeypatch.setenv("AWS_S3_PUBLIC_ENDPOINT_URL", "http://localhost:9000")
        storages, _ = storages_config(environ.Env(), media_root=VAR / "media")
        assert storages["default"]["OPTIONS"]["public_endpoint_url"] == "http://localhost:9000"
        monkeypatch.setenv("AWS_S3_PUBLIC_ENDPOINT_URL", "localhost:9000")
        with pytest.raises(ConfigError, match=r"^AWS_S3_PUBLIC_ENDPOINT_URL: "):
            storages_config(environ.Env(), media_root=VAR / "media")

    def test_malformed_endpoint_names_the_variable(self, monkeypatch):
        monkeypatch.setenv("AWS_STORAGE_BUCKET_NAME", "media")
        monkeypatch.setenv("AWS_S3_ENDPOINT_URL", "minio:9000")
        with pytest.raises(ConfigError, match=r"^AWS_S3_ENDPOINT_URL: "):
            storages_config(environ.Env(), media_root=VAR / "media")
