"""Benchmark settings: the product's local settings plus one bare Django JSON view."""

from config.settings.local import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.courses.urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
