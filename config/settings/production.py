"""Production: refuses to start without a real secret key and allowed hosts, and turns on
every transport-security setting ``manage.py check --deploy`` asks for. TLS is expected to
end at a proxy that sets ``X-Forwarded-Proto``."""

from config.env import ConfigError
from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = False
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
LOGGING["handlers"]["console"]["formatter"] = "json" if LOG_FORMAT == "json" else "plain"  # noqa: F405

SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50:
    raise ConfigError("SECRET_KEY", "must be set to a random value of at least 50 characters")
# Values copied from an example or from the development settings are public: refuse them.
PLACEHOLDER_SECRET_MARKERS = ("replace-me", "change-me", "changeme", "not-secret", "example")
if any(marker in SECRET_KEY.lower() for marker in PLACEHOLDER_SECRET_MARKERS) or (
    len(set(SECRET_KEY)) < 10
):
    raise ConfigError("SECRET_KEY", "is a placeholder; generate a random value")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[])
if not ALLOWED_HOSTS:
    raise ConfigError("ALLOWED_HOSTS", "must list the host names this site is served on")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health probes come from inside the cluster over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
X_FRAME_OPTIONS = "DENY"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": env.str(
        "STATICFILES_BACKEND", "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
}
# Certificates are signed with a key that outlives any machine: never a generated one here.
CERTIFICATE_SIGNING_KEY_FILE = None
if not CERTIFICATE_SIGNING_KEY:  # noqa: F405
    raise ConfigError(
        "CERTIFICATE_SIGNING_KEY", "must be set to an Ed25519 private key (PEM, PKCS#8)"
    )
# Demo accounts have published passwords: never under production settings, whatever the
# environment says.
DEMO_DATA_ALLOWED = False
