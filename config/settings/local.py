"""Local development: the default for ``manage.py`` and ``make run``.

Same code path as production; only conveniences differ (debug pages, a development secret
key when none is given).
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="local-development-only-not-secret-3c1f0a9e6b7d4e2a8f5c")
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
