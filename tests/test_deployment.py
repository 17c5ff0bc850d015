"""The deployment files, tried as a new operator would use them (docker-compose.yml with a
.env copied from .env.example). CI also validates the file with ``docker-compose config``."""

from __future__ import annotations

import yaml

from tests.support.processes import PROJECT_ROOT

APP_SERVICES = ("migrate", "web", "worker", "media-worker", "beat")


def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def example_variables() -> dict[str, str]:
    lines = (PROJECT_ROOT / ".env.example").read_text().splitlines()
    pairs = (line.split("=", 1) for line in lines if line and not line.startswith("#"))
    return dict(pairs)


def test_every_documented_variable_reaches_every_app_container():
    services = compose()["services"]
    for name in APP_SERVICES:
        env_files = services[name].get("env_file")
        assert env_files == ["${ENV_FILE:-.env}"], name


def test_the_compose_file_only_overrides_the_wiring_of_its_own_services():
    # Anything else set in `environment` would silently shadow the operator's .env.
    wiring = {
        "DJANGO_SETTINGS_MODULE",
        "SECRET_KEY",
        "DATABASE_URL",
        "REDIS_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "AWS_S3_ENDPOINT_URL",
        "AWS_S3_PUBLIC_ENDPOINT_URL",  # the operator's value wins (interpolated from .env)
    }
    for name in APP_SERVICES:
        assert set(compose()["services"][name]["environment"]) == wiring, name


def test_browsers_get_media_urls_for_the_published_storage_port():
    """The app reaches MinIO by its service name; browsers on the host only by the port the
    stack publishes, and signed URLs must name that address."""
    services = compose()["services"]
    public = services["web"]["environment"]["AWS_S3_PUBLIC_ENDPOINT_URL"]
    assert public == "${AWS_S3_PUBLIC_ENDPOINT_URL:-http://localhost:9000}"
    assert "${MINIO_PORT:-9000}:9000" in services["minio"]["ports"]
    assert services["web"]["environment"]["AWS_S3_ENDPOINT_URL"] == "http://minio:9000"


def test_migrations_run_once_before_any_app_process():
    services = compose()["services"]
    assert "migrate" in services["migrate"]["command"]
    for name in ("web", "worker", "media-worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"] == {"condition": "service_completed_successfully"}, name
        assert "migrate" not in str(services[name]["command"]), name
    assert "migrate" not in services["migrate"]["depends_on"]


def test_the_example_environment_works_as_shipped_on_plain_http():
    example = example_variables()
    assert example["SECURE_SSL_REDIRECT"] == "false"
    assert example["SECURE_HSTS_SECONDS"] == "0"


def run_env(*args: str, **env: str) -> dict[str, str]:
    import os
    import subprocess

    environment = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "DEBUG")}
    result = subprocess.run(
        ["make", "-s", "run-env", *args],
        cwd=PROJECT_ROOT,
        env={**environment, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(line.split("=", 1) for line in result.stdout.splitlines())


def test_make_run_links_point_at_the_port_it_serves_on():
    assert run_env()["SITE_URL"] == "http://127.0.0.1:8000"
    assert run_env("PORT=8123")["SITE_URL"] == "http://127.0.0.1:8123"
    assert run_env("HOST=0.0.0.0", "PORT=8123")["SITE_URL"] == "http://127.0.0.1:8123"
    assert run_env("HOST=10.1.2.3")["SITE_URL"] == "http://10.1.2.3:8000"
    assert run_env("PORT=8123", SITE_URL="https://lms.example.com")["SITE_URL"] == (
        "https://lms.example.com"
    )


def test_make_run_never_serves_debug_pages_beyond_loopback():
    assert run_env()["DEBUG"] == "true"
    assert run_env("HOST=localhost")["DEBUG"] == "true"
    assert run_env("HOST=0.0.0.0")["DEBUG"] == "false"
    assert run_env("HOST=10.1.2.3")["DEBUG"] == "false"
