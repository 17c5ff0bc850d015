"""Settings for the test suite: the same services as configured by the environment
(embedded default when none), with test-only speedups that never change behaviour."""

import os
from pathlib import Path

# Test runs keep their SQLite file, media and Celery broker folder apart from a developer's
# running instance. Set before the base settings read it; worker subprocesses inherit it.
os.environ.setdefault("VAR_DIR", str(Path(__file__).resolve().parents[2] / "var" / "test"))

from config.settings.base import *  # noqa: F403
from config.settings.base import CACHES, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY", default="test-only-secret-key-8d2f4c1b9e7a6d5c3b2a")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
# In-process tests read mail.outbox; worker subprocesses write mail to files the test reads.
EMAIL_BACKEND = env.str(
    "TEST_EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = str(VAR_DIR / "test-mail")  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# `manage.py lintmigrations` (tests/test_migrations.py): a new migration must not break the
# release still running during a deploy. These contract steps shipped before the check.
INSTALLED_APPS = [*INSTALLED_APPS, "django_migration_linter"]  # noqa: F405
MIGRATION_LINTER_OPTIONS = {
    "ignore_name": [
        "0003_refresh_rotation_grace",  # accounts: a NOT NULL column without a database default
        "0006_remove_coursestats_learner_count",  # cms: dropped after the code stopped reading it
        "0003_playback_allowance",  # progress: per-lesson allowance moved to its own table
    ],
}

# Keep test keys apart from a developer's running instance on the same Redis.
CACHES["default"]["KEY_PREFIX"] = "unpuzzle-test"

# A file-backed SQLite test database (not in-memory), so the real worker and ASGI server
# subprocesses started by the tests can open the same database as the test process.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}  # noqa: F405
