"""The real settings modules, loaded in fresh processes with controlled environments."""

import json
import secrets
import subprocess
import sys

import pytest

from tests.support.processes import PROJECT_ROOT, base_env

SERVICE_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
    "VAR_DIR",
)

DUMP = """
import json
from django.conf import settings
print(json.dumps({
    "db_engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": settings.DATABASES["default"]["NAME"],
    "db_options": sorted(settings.DATABASES["default"].get("OPTIONS", {})),
    "cache": settings.CACHES["default"]["BACKEND"],
    "channels": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "broker": settings.CELERY_BROKER_URL,
    "results": settings.CELERY_RESULT_BACKEND,
    "storage": settings.STORAGES["default"]["BACKEND"],
    "media_root": str(settings.MEDIA_ROOT),
    "email": settings.EMAIL_BACKEND,
    "debug": settings.DEBUG,
    "acks_late": settings.CELERY_TASK_ACKS_LATE,
    "serializer": settings.CELERY_TASK_SERIALIZER,
    "accept": settings.CELERY_ACCEPT_CONTENT,
    "visibility_timeout": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout"),
    "longest_task": max(settings.CELERY_TASK_TIME_LIMIT, settings.MEDIA_PROCESSING_TIME_LIMIT),
}))
"""


def clean_env(settings_module: str, **extra: str) -> dict[str, str]:
    env = base_env(**dict.fromkeys(SERVICE_VARS))
    env["DJANGO_SETTINGS_MODULE"] = settings_module
    env.update(extra)
    return env


def load(settings_module: str, **extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", DUMP],
        cwd=PROJECT_ROOT,
        env=clean_env(settings_module, **extra),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def manage(*args: str, settings_module: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=clean_env(settings_module, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_environment_runs_on_the_embedded_default(tmp_path):
    loaded = load("config.settings.local", VAR_DIR=str(tmp_path))
    assert loaded["db_engine"] == "django_prometheus.db.backends.sqlite3"
    assert loaded["db_name"] == str(tmp_path / "db.sqlite3")
    assert loaded["cache"].endswith("LocMemCache")
    assert loaded["channels"].endswith("InMemoryChannelLayer")
    assert loaded["broker"] == "filesystem://localhost//"
    assert loaded["results"].startswith("file://")
    assert loaded["storage"] == "django.core.files.storage.FileSystemStorage"
    assert loaded["media_root"] == str(tmp_path / "media")
    assert loaded["email"] == "django.core.mail.backends.console.EmailBackend"
    assert loaded["debug"] is True
    assert (loaded["acks_late"], loaded["serializer"], loaded["accept"]) == (True, "json", ["json"])


def test_service_variables_switch_every_backend():
    loaded = load(
        "config.settings.local",
        DATABASE_URL="postgres://lms@db.internal:5432/lms",
        REDIS_URL="redis://cache.internal:6379/0",
        AWS_STORAGE_BUCKET_NAME="lms-media",
        EMAIL_URL="smtp://mail.internal:25",
    )
    assert loaded["db_engine"] == "django_prometheus.db.backends.postgresql"
    assert "pool" in loaded["db_options"]
    assert loaded["cache"] == "config.cache.CountingRedisCache"
    assert loaded["channels"] == "channels_redis.pubsub.RedisPubSubChannelLayer"
    assert loaded["broker"] == loaded["results"] == "redis://cache.internal:6379/0"
    assert loaded["storage"] == "config.storage.S3Storage"
    assert loaded["email"] == "django.core.mail.backends.smtp.EmailBackend"
    # A task is never redelivered while a worker still runs it.
    assert loaded["visibility_timeout"] > loaded["longest_task"]


@pytest.mark.parametrize(
    ("variable", "value"),
    [("DATABASE_URL", "postgres://db:port/lms"), ("REDIS_URL", "memcached://cache:11211")],
)
def test_malformed_url_stops_with_one_line_naming_it(variable, value, tmp_path):
    result = manage(
        "check", settings_module="config.settings.local", VAR_DIR=str(tmp_path), **{variable: value}
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"Configuration error: {variable}: ")


def test_production_refuses_to_start_without_secret_key():
    result = manage(
        "check", settings_module="config.settings.production", ALLOWED_HOSTS="lms.example.com"
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: SECRET_KEY: must be set to a random value of at least 50 characters"
    )


@pytest.mark.parametrize(
    "placeholder",
    [
        "replace-me-with-a-long-random-string-of-at-least-fifty-characters-0123456789",
        "local-development-only-not-secret-3c1f0a9e6b7d4e2a8f5c-padding-padding-pad",
        "x" * 64,
    ],
)
def test_production_refuses_placeholder_secret_keys(placeholder):
    result = manage(
        "check",
        settings_module="config.settings.production",
        ALLOWED_HOSTS="lms.example.com",
        SECRET_KEY=placeholder,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: SECRET_KEY: is a placeholder; generate a random value"
    )


def test_the_example_environment_secret_is_refused_in_production():
    example = (PROJECT_ROOT / ".env.example").read_text()
    secret = next(
        line.split("=", 1)[1] for line in example.splitlines() if line.startswith("SECRET_KEY=")
    )
    result = manage(
        "check",
        settings_module="config.settings.production",
        ALLOWED_HOSTS="lms.example.com",
        SECRET_KEY=secret,
    )
    assert result.returncode == 2 and "placeholder" in result.stderr


def test_production_refuses_demo_data_whatever_the_environment_says(tmp_path):
    result = manage(
        "load_demo_data",
        settings_module="config.settings.production",
        ALLOWED_HOSTS="lms.example.com",
        SECRET_KEY=secrets.token_urlsafe(50),
        CERTIFICATE_SIGNING_KEY=ed25519_pem().replace("\n", "\\n"),
        DEMO_DATA_ALLOWED="true",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode != 0
    assert "Demo data is disabled here" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = manage(
        "check", settings_module="config.settings.production", SECRET_KEY=secrets.token_urlsafe(50)
    )
    assert result.returncode == 2
    assert "Configuration error: ALLOWED_HOSTS: " in result.stderr


def ed25519_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )


def test_production_refuses_to_start_without_certificate_signing_key(tmp_path):
    result = manage(
        "check",
        settings_module="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="lms.example.com",
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Configuration error: CERTIFICATE_SIGNING_KEY: must be set to an Ed25519 private key "
        "(PEM, PKCS#8)"
    )
    assert not (tmp_path / "keys").exists()  # and no key was generated instead


@pytest.mark.slow
def test_production_passes_check_deploy_clean(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        settings_module="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="lms.example.com",
        CERTIFICATE_SIGNING_KEY=ed25519_pem().replace("\n", "\\n"),
        VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
