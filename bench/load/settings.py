"""Load-test settings: the product's production settings (DEBUG off, PostgreSQL, Redis, JSON
logs at WARNING) plus a bare Django JSON view and Wagtail's API v2 for comparison."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "wagtail.api.v2"]  # noqa: F405
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
