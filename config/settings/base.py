"""Settings shared by every way of running the product.

Everything that differs between a laptop and production comes from environment variables
(see ``.env.example`` and the README's configuration table); :mod:`config.env` turns them into
Django settings. With no environment at all the embedded default is used.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from django_guid.integrations import CeleryIntegration
from kombu import Exchange, Queue

from config.env import (
    cache_config,
    celery_config,
    channel_layers_config,
    database_config,
    redis_url,
    storages_config,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env")

# Everything the embedded default writes (SQLite, media, Celery's broker folder) lives here.
VAR_DIR = Path(env.str("VAR_DIR", str(BASE_DIR / "var")))

# --- Core ------------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAIL_SITE_NAME = "Unpuzzle LMS"
# No avatars from an outside host (gravatar): the admin shows uploaded avatars or initials,
# and works offline.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

INSTALLED_APPS = [
    # Project apps first so their templates and static files take precedence.
    "ops",
    "learning.accounts",
    "learning.analytics",
    "learning.enrollment",
    "learning.progress",
    "learning.certificates",
    "learning.notifications",
    "learning.assistant",
    "learning.assessment",
    "learning.demo",
    "cms",
    "media_pipeline",
    "api",
    # Wagtail
    "wagtail_headless_preview",
    "wagtail.api.v3",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "learning.accounts.wagtail_users.UsersAppConfig",  # wagtail.users, customised
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Third party
    "rest_framework",
    "rest_framework_simplejwt",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "channels",
    "storages",
    "django_guid",
    "django_prometheus",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django_guid.middleware.guid_middleware",
    "api.middleware.ApiProblemMiddleware",  # no HTML error pages under /api/, DEBUG or not
    "django.middleware.security.SecurityMiddleware",
    "config.security.security_headers_middleware",  # CSP and Permissions-Policy
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# Security headers: nosniff, Referrer-Policy and COOP from SecurityMiddleware (here and in
# production alike); CSP and Permissions-Policy from config/security.py.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
# HTTP under ASGI runs the (sync) middleware and views in one worker-thread hop per request
# instead of Django's ~25 (config/asgi_http.py); off: Django's own async handler.
ASGI_THREADED_HTTP = env.bool("ASGI_THREADED_HTTP", default=True)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# --- Data ------------------------------------------------------------------------------------
DATABASES = {
    "default": database_config(
        env.str("DATABASE_URL", default=""),
        var_dir=VAR_DIR,
        pool=env.bool("DATABASE_POOL", default=True),
        pool_max_size=env.int("DATABASE_POOL_MAX_SIZE", default=10),
        # Seconds a request waits for a free connection before the API answers 503 (busy).
        pool_timeout=env.float("DATABASE_POOL_TIMEOUT", default=10),
        conn_max_age=env.int("CONN_MAX_AGE", default=0),
    )
}
if (
    DATABASES["default"]["ENGINE"].endswith("sqlite3")
    and DATABASES["default"]["NAME"] != ":memory:"
):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = redis_url(env.str("REDIS_URL", default=""))
CACHES = {"default": cache_config(REDIS_URL)}
CHANNEL_LAYERS = channel_layers_config(REDIS_URL)

MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"] if (BASE_DIR / "static").is_dir() else []
STORAGES, USE_S3 = storages_config(env, media_root=MEDIA_ROOT)
# Media is served by the app itself only on the embedded default (local files).
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=not USE_S3)
FILE_UPLOAD_PERMISSIONS = 0o640

# --- Auth ------------------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "wagtailadmin_login"
# Brute-force protection of the admin's sign-in form (learning/accounts/login_limits.py):
# failures per account and per client address before sign-in is refused for the window.
ADMIN_LOGIN_MAX_FAILURES_PER_ACCOUNT = env.int("ADMIN_LOGIN_MAX_FAILURES_PER_ACCOUNT", default=5)
ADMIN_LOGIN_MAX_FAILURES_PER_IP = env.int("ADMIN_LOGIN_MAX_FAILURES_PER_IP", default=20)
ADMIN_LOGIN_LOCKOUT_SECONDS = env.int("ADMIN_LOGIN_LOCKOUT_SECONDS", default=15 * 60)
# Links in account emails point at the headless frontend: by default the reference frontend
# this server ships at /learn/ (so they follow SITE_URL), or any other given by FRONTEND_URL.
FRONTEND_URL = env.str("FRONTEND_URL", default=f"{SITE_URL}/learn").rstrip("/")
FRONTEND_VERIFY_EMAIL_PATH = env.str(
    "FRONTEND_VERIFY_EMAIL_PATH", default="/verify-email?token={token}"
)
FRONTEND_PASSWORD_RESET_PATH = env.str(
    "FRONTEND_PASSWORD_RESET_PATH", default="/reset-password?token={token}"
)
# Where an invitation to a course sends someone without an account.
FRONTEND_SIGNUP_PATH = env.str("FRONTEND_SIGNUP_PATH", default="/register?email={email}")
EMAIL_VERIFICATION_TIMEOUT = env.int("EMAIL_VERIFICATION_TIMEOUT", default=3 * 24 * 3600)
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=2 * 3600)
AVATAR_MAX_UPLOAD_BYTES = env.int("AVATAR_MAX_UPLOAD_BYTES", default=5 * 1024 * 1024)
AVATAR_MAX_DIMENSION = 512
# A refresh token spent this recently by another request (two tabs refreshing at once) gets
# a retryable 409 instead of signing the session out as a stolen token would.
REFRESH_RACE_GRACE_SECONDS = env.int("REFRESH_RACE_GRACE_SECONDS", default=10)

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# Languages a person can choose for their account (and, later, course languages).
LANGUAGES = [
    ("en", "English"),
    ("de", "Deutsch"),
    ("es", "Español"),
    ("fr", "Français"),
    ("nl", "Nederlands"),
    ("pt", "Português"),
]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Email -----------------------------------------------------------------------------------
globals().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Unpuzzle LMS <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail ---------------------------------------------------------------------------------
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 20 * 1024 * 1024
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
WAGTAIL_I18N_ENABLED = False
# Approving a course publishes the reviewed revision and the sections submitted with it, in
# one transaction (cms.review).
WAGTAIL_FINISH_WORKFLOW_ACTION = "cms.review.publish_reviewed"
# Wagtail's read/write API (/api/cms/v3/) for authoring clients: rich text in and out as
# Wagtail's database HTML.
WAGTAILAPI_RICH_TEXT_FORMAT = "db_html"
# Preview: the admin's preview opens the headless frontend at
# ?content_type=<app.model>&token=<signed>, and the frontend reads /api/v2/preview/ with them.
# With HEADLESS_PREVIEW_CLIENT_URL set empty it renders the site's own templates instead
# (courses and sections, every lesson kind, no answers).
# By default the reference frontend's preview screen on the host the admin is served from
# (a path, so it works on any host and port); set it empty for the site's own templates.
HEADLESS_PREVIEW_CLIENT_URL = env.str(
    "HEADLESS_PREVIEW_CLIENT_URL",
    default=f"{FRONTEND_URL}/preview" if env.str("FRONTEND_URL", default="") else "/learn/preview",
).rstrip("/")
WAGTAIL_HEADLESS_PREVIEW = {
    "CLIENT_URLS": {"default": HEADLESS_PREVIEW_CLIENT_URL or "/preview"},
    "SERVE_BASE_URL": None,
    "REDIRECT_ON_PREVIEW": False,
    "ENFORCE_TRAILING_SLASH": False,
}
HEADLESS_PREVIEW_TOKEN_MAX_AGE = env.int("HEADLESS_PREVIEW_TOKEN_MAX_AGE", default=3600)
# How long a course outline or lesson body stays cached (it is also dropped on every
# publish, unpublish or schedule of the course or its sections).
COURSE_CONTENT_CACHE_SECONDS = env.int("COURSE_CONTENT_CACHE_SECONDS", default=3600)
# Cached catalog pages and course responses (api.courses.cache) are rebuilt after a publish
# at once; this bounds how long what publishing does not announce (instructor names,
# popularity order, cover files) can lag.
CATALOG_CACHE_SECONDS = env.int("CATALOG_CACHE_SECONDS", default=300)
# Public (anonymous) course content responses: how long a CDN or browser may keep them, and
# serve them stale while it revalidates (api.conditional).
API_CACHE_MAX_AGE = env.int("API_CACHE_MAX_AGE", default=60)
API_CACHE_STALE_SECONDS = env.int("API_CACHE_STALE_SECONDS", default=300)

# --- HTTP API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.JWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "api.exceptions.problem_exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Abuse limits on the account endpoints: per client IP and per target account (email).
    "DEFAULT_THROTTLE_RATES": {
        "login_ip": env.str("THROTTLE_LOGIN_IP", default="30/min"),
        "login_account": env.str("THROTTLE_LOGIN_ACCOUNT", default="10/min"),
        "register_ip": env.str("THROTTLE_REGISTER_IP", default="20/hour"),
        "register_account": env.str("THROTTLE_REGISTER_ACCOUNT", default="5/hour"),
        "password_reset_ip": env.str("THROTTLE_PASSWORD_RESET_IP", default="20/hour"),
        "password_reset_account": env.str("THROTTLE_PASSWORD_RESET_ACCOUNT", default="5/hour"),
        "verify_ip": env.str("THROTTLE_VERIFY_IP", default="30/hour"),
        "verify_account": env.str("THROTTLE_VERIFY_ACCOUNT", default="5/hour"),
        "token_refresh_ip": env.str("THROTTLE_TOKEN_REFRESH_IP", default="120/min"),
        # A player sends a batch every few seconds; several tabs and retries stay well below.
        "progress_events_user": env.str("THROTTLE_PROGRESS_EVENTS_USER", default="240/min"),
    },
    # Client IP for throttling: trust this many proxies in X-Forwarded-For (0 = none).
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
}
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=10)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=14)),
    # Rotation and revocation are done by learning.accounts sessions (AuthSession): only the
    # newest refresh token of a session is valid; access tokens name their session ("sid").
    "ROTATE_REFRESH_TOKENS": True,
    "UPDATE_LAST_LOGIN": False,
    "AUTH_HEADER_TYPES": ("Bearer",),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Unpuzzle LMS API",
    "DESCRIPTION": (
        "The native Unpuzzle LMS API (v2). JSON in snake_case; errors are RFC 9457 problem "
        "details (`type`, `title`, `status`, `detail`, `code`, and `errors` per field on "
        "validation failures), never echoing more than 500 characters of client input. "
        "Every list is a paginated object (`count`, `next`, `previous`, `results`). Every "
        "URL field is absolute, built from the request. A resource's own id is `id`; "
        "references are `<thing>_id` or a nested `<thing>`. Authenticate with a JWT bearer "
        "token or a session cookie."
    ),
    "VERSION": "2.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["api.schema.only_public_api"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.document_message_stream",
    ],
    # Distinct names for choice sets that share a field name across components.
    "ENUM_NAME_OVERRIDES": {
        "InstructorRequestStatusEnum": "learning.accounts.models.InstructorRequest.Status",
        "VideoStatusEnum": "media_pipeline.models.VideoAsset.Status",
        "EnrollmentStatusEnum": "learning.enrollment.models.Enrollment.Status",
        "LessonStatusEnum": "learning.progress.models.LessonStatus",
        "HeartbeatOutcomeEnum": ["accepted", "duplicate", "rejected"],
        "NotificationEmailEnum": "learning.notifications.models.NotificationPreference.Email",
        "HintLevelEnum": ["nudge", "hint", "step"],
        "CourseLevelEnum": "cms.models.CourseLevel",
        "QuizFeedbackEnum": "cms.blocks.FEEDBACK_CHOICES",
        "MessageFeedbackEnum": "learning.assistant.models.Message.Feedback",
    },
}
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"

# --- Background work -------------------------------------------------------------------------
_celery = celery_config(env.str("CELERY_BROKER_URL", default=""), REDIS_URL, var_dir=VAR_DIR)
CELERY_BROKER_URL = _celery["broker_url"]
CELERY_RESULT_BACKEND = _celery["result_backend"]
CELERY_BROKER_TRANSPORT_OPTIONS = _celery.get("broker_transport_options", {})
CELERY_BROKER_IS_FILESYSTEM = _celery["filesystem"]
CELERY_FILESYSTEM_FOLDERS = _celery.get("folders", [])
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_QUEUE_NAMES = ("default", "media", "email", "analytics")
# One direct exchange and routing key per queue, so a task reaches exactly the queue it is
# routed to.
CELERY_TASK_QUEUES = [
    Queue(name, Exchange(name), routing_key=name) for name in CELERY_TASK_QUEUE_NAMES
]
CELERY_TASK_ROUTES = {
    "media_pipeline.tasks.*": {"queue": "media"},
    "*.tasks.send_*": {"queue": "email"},
    "learning.analytics.tasks.*": {"queue": "analytics"},
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Periodic jobs. Later apps add upload expiry, rollups and digests here.
CELERY_BEAT_SCHEDULE = {
    "cms-publish-scheduled": {
        "task": "cms.tasks.publish_scheduled",
        "schedule": timedelta(minutes=1),
        "options": {"queue": "default", "expires": 55},
    },
    "ops-heartbeat": {
        "task": "ops.tasks.record_heartbeat",
        "schedule": timedelta(minutes=1),
        "options": {"queue": "default", "expires": 55},
    },
}

# --- Media pipeline (media_pipeline/) ----------------------------------------------------------
# Video uploads go straight to storage (presigned S3 URLs, or the app's signed local chunk
# endpoint on the embedded default), are transcoded to HLS on the `media` Celery queue and are
# played through short-lived signed URLs. Sizes are in bytes, times in seconds.
# Where videos, posters and captions are kept: the S3 bucket when configured (private objects,
# presigned URLs only), else a folder outside MEDIA_ROOT that the app never serves directly,
# so local files too are reachable only through signed, expiring URLs.
STORAGES["videos"] = (
    STORAGES["default"]
    if USE_S3
    else {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "private-media")},
    }
)
MEDIA_UPLOAD_MAX_BYTES = env.int("MEDIA_UPLOAD_MAX_BYTES", default=5 * 1024**3)
# Accepted uploads: file extensions and their declared content types.
MEDIA_UPLOAD_ALLOWED_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/x-m4v",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
    ".mkv": "video/x-matroska",
}
# Containers ffmpeg must recognise in an upload (names from `ffmpeg -i`); others fail processing.
MEDIA_ALLOWED_CONTAINERS = ("mov", "mp4", "m4a", "3gp", "matroska", "webm")
# Uploads at or above this size use S3 multipart with one presigned URL per part.
MEDIA_UPLOAD_MULTIPART_THRESHOLD = env.int("MEDIA_UPLOAD_MULTIPART_THRESHOLD", default=64 * 1024**2)
# Part size of S3 multipart uploads (S3's minimum is 5 MiB) and of local chunked uploads.
MEDIA_UPLOAD_PART_SIZE = env.int("MEDIA_UPLOAD_PART_SIZE", default=16 * 1024**2)
# Unfinished uploads older than this are aborted and removed by `media-expire-uploads`.
MEDIA_UPLOAD_EXPIRY_SECONDS = env.int("MEDIA_UPLOAD_EXPIRY_SECONDS", default=24 * 3600)
# Lifetime of signed upload, playback, poster and caption URLs.
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=600)
# HLS ladder: "height:video kbit/s" pairs; renditions above the source height are skipped.
MEDIA_HLS_LADDER = env.list("MEDIA_HLS_LADDER", default=["360:800", "720:2800"])
MEDIA_HLS_SEGMENT_SECONDS = env.int("MEDIA_HLS_SEGMENT_SECONDS", default=4)
MEDIA_X264_PRESET = env.str("MEDIA_X264_PRESET", default="veryfast")
# ffmpeg binary: this path, else `ffmpeg` on PATH, else the one shipped by imageio-ffmpeg.
MEDIA_FFMPEG_BINARY = env.str("MEDIA_FFMPEG_BINARY", default="")
# Processing task limits; storage errors are retried with exponential backoff, then fail.
MEDIA_PROCESSING_SOFT_TIME_LIMIT = env.int("MEDIA_PROCESSING_SOFT_TIME_LIMIT", default=3600)
MEDIA_PROCESSING_TIME_LIMIT = env.int("MEDIA_PROCESSING_TIME_LIMIT", default=3660)
MEDIA_STORAGE_MAX_RETRIES = env.int("MEDIA_STORAGE_MAX_RETRIES", default=4)
MEDIA_STORAGE_RETRY_BACKOFF_SECONDS = env.float("MEDIA_STORAGE_RETRY_BACKOFF_SECONDS", default=10)
# Who may play a video: one function `(user, asset) -> bool`. The default is the learning
# policy: the video's owner and editors, plus the learners, instructors and reviewers of live
# courses using it (and everyone, for a free-preview lesson).
MEDIA_PLAYBACK_POLICY = env.str(
    "MEDIA_PLAYBACK_POLICY", default="learning.access.can_play_course_video"
)
# Functions `(asset) -> None` run after commit when processing ends (ready or failed).
MEDIA_STATUS_HANDLERS = env.list(
    "MEDIA_STATUS_HANDLERS", default=["learning.notifications.handlers.video_status_changed"]
)
# On Redis (and SQS) an unacknowledged task is handed to another worker after the visibility
# timeout; it must outlast the longest task, or a long transcode would run twice. A worker
# that dies mid-task has its task redelivered after this time.
if not CELERY_BROKER_IS_FILESYSTEM:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        **CELERY_BROKER_TRANSPORT_OPTIONS,
        "visibility_timeout": MEDIA_PROCESSING_TIME_LIMIT + 600,
    }
# Videos left "uploaded" or "processing" this long past their limits are queued again
# (`media-recover-stuck`); after this many interrupted attempts they fail with a reason.
MEDIA_STUCK_AFTER_SECONDS = env.int("MEDIA_STUCK_AFTER_SECONDS", default=900)
MEDIA_MAX_PROCESSING_ATTEMPTS = env.int("MEDIA_MAX_PROCESSING_ATTEMPTS", default=3)
CELERY_BEAT_SCHEDULE["media-recover-stuck"] = {
    "task": "media_pipeline.tasks.recover_stuck_videos",
    "schedule": timedelta(minutes=10),
    "options": {"queue": "default", "expires": 540},
}
CELERY_BEAT_SCHEDULE["media-expire-uploads"] = {
    "task": "media_pipeline.tasks.expire_uploads",
    "schedule": timedelta(minutes=15),
    "options": {"queue": "default", "expires": 14 * 60},  # light work: not behind ffmpeg
}
# Functions (asset) -> None run after a video's captions change (uploaded, generated,
# deleted), comma-separated: the AI tutor re-indexes the courses that show the video.
MEDIA_CAPTIONS_HANDLERS = env.list(
    "MEDIA_CAPTIONS_HANDLERS", default=["learning.assistant.handlers.video_captions_changed"]
)
# Captions from speech (optional, off until MEDIA_STT_API_KEY is set): a video that becomes
# ready without captions is transcribed by an OpenAI-compatible /audio/transcriptions endpoint.
MEDIA_STT_API_KEY = env.str("MEDIA_STT_API_KEY", default="")
MEDIA_STT_BASE_URL = env.str("MEDIA_STT_BASE_URL", default="")  # empty: OpenAI's
MEDIA_STT_MODEL = env.str("MEDIA_STT_MODEL", default="whisper-1")
MEDIA_STT_LANGUAGE = env.str("MEDIA_STT_LANGUAGE", default="en")  # the caption track's language
# Audio is sent in chunks under this size (OpenAI's limit is 25 MB).
MEDIA_STT_MAX_CHUNK_BYTES = env.int("MEDIA_STT_MAX_CHUNK_BYTES", default=24 * 1024 * 1024)
MEDIA_STT_TIMEOUT_SECONDS = env.float("MEDIA_STT_TIMEOUT_SECONDS", default=300)
MEDIA_STT_MAX_RETRIES = env.int("MEDIA_STT_MAX_RETRIES", default=4)
MEDIA_STT_RETRY_BACKOFF_SECONDS = env.float("MEDIA_STT_RETRY_BACKOFF_SECONDS", default=30)
# --- End of media pipeline -------------------------------------------------------------------

# --- Operations ------------------------------------------------------------------------------
READINESS_TIMEOUT_SECONDS = env.float("READINESS_TIMEOUT_SECONDS", default=1.5)
# Every request gets an id (the X-Request-ID header from the proxy when it is a valid id,
# else a new one), returned in the response, attached to every log line of the request and
# carried into the Celery tasks it queues.
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,
    "RETURN_HEADER": True,
    "EXPOSE_HEADER": True,
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}
# Log lines as plain text (local) or one JSON object per line (LOG_FORMAT=json, production).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(correlation_id)s] %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(correlation_id)s",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "correlation_id": "request_id",
            },
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "psycopg.pool": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "django_guid": {"level": "WARNING"},
    },
}
# Prometheus metrics at /metrics. When METRICS_TOKEN is set, scrapers must send
# "Authorization: Bearer <token>"; otherwise restrict /metrics at the proxy.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")

# --- Demo content ----------------------------------------------------------------------------
# `manage.py load_demo_data` creates accounts with published passwords: never in production.
DEMO_DATA_ALLOWED = env.bool("DEMO_DATA_ALLOWED", default=True)


# --- Enrollment and progress (learning/enrollment, learning/progress) -----------------------------
# Learners must have verified their email address before enrolling themselves.
ENROLLMENT_REQUIRE_VERIFIED_EMAIL = env.bool("ENROLLMENT_REQUIRE_VERIFIED_EMAIL", default=True)
# Heartbeats: most events in one request (extra events are rejected one by one).
PROGRESS_MAX_BATCH_EVENTS = env.int("PROGRESS_MAX_BATCH_EVENTS", default=100)
# The fastest playback rate a player offers; faster claimed playback is rejected.
PROGRESS_MAX_PLAYBACK_RATE = env.float("PROGRESS_MAX_PLAYBACK_RATE", default=2.0)
# New watched time a lesson can earn is bounded by wall time since its previous heartbeat
# x PROGRESS_MAX_PLAYBACK_RATE; at most this many seconds of wall time are credited at once
# (so a tab left open for a day cannot then claim a whole video in one event). Players that
# buffer events offline for longer lose the excess coverage, never the resume position.
PROGRESS_MAX_CREDIT_SECONDS = env.int("PROGRESS_MAX_CREDIT_SECONDS", default=60)
# Client event ids are remembered this long for de-duplication of retried heartbeats.
PROGRESS_RECEIPT_RETENTION_DAYS = env.int("PROGRESS_RECEIPT_RETENTION_DAYS", default=14)
# Dotted paths of functions `(enrollment) -> None` run (in a worker, after commit) when a
# learner completes a course: certificates and notifications plug in here.
COURSE_COMPLETED_HANDLERS = env.list(
    "COURSE_COMPLETED_HANDLERS",
    default=["learning.certificates.services.certificate_issue_on_completion"],
)
CELERY_BEAT_SCHEDULE["enrollment-expire"] = {
    "task": "learning.enrollment.tasks.expire_enrollments",
    "schedule": timedelta(minutes=10),
    "options": {"queue": "default", "expires": 540},
}
CELERY_BEAT_SCHEDULE["progress-prune-receipts"] = {
    "task": "learning.progress.tasks.prune_heartbeat_receipts",
    "schedule": timedelta(hours=6),
    "options": {"queue": "default", "expires": 3600},
}

# --- Certificates (learning/certificates) -----------------------------------------------------
# Certificate PDFs are private files: the S3 bucket when configured, else a folder the app never
# serves directly; they are downloaded through short-lived signed URLs only.
STORAGES["certificates"] = STORAGES["videos"]
CERTIFICATE_URL_SECONDS = env.int("CERTIFICATE_URL_SECONDS", default=MEDIA_SIGNED_URL_SECONDS)
# The PDF layout (a Django template, see templates/certificates/) and its fonts (TrueType).
# Missing or unreadable ones stop `manage.py check` (and every start) with certificates.E00x.
CERTIFICATE_PDF_TEMPLATE = env.str(
    "CERTIFICATE_PDF_TEMPLATE", default="certificates/certificate_pdf.xml"
)
_REPORTLAB_FONTS = Path(__import__("reportlab").__file__).parent / "fonts"
CERTIFICATE_FONTS = {
    "regular": env.str("CERTIFICATE_FONT_REGULAR", default=str(_REPORTLAB_FONTS / "Vera.ttf")),
    "bold": env.str("CERTIFICATE_FONT_BOLD", default=str(_REPORTLAB_FONTS / "VeraBd.ttf")),
    "italic": env.str("CERTIFICATE_FONT_ITALIC", default=str(_REPORTLAB_FONTS / "VeraIt.ttf")),
}
# Who signs the certificates (the signature line) and issues the Open Badges credentials.
CERTIFICATE_ISSUER_NAME = env.str("CERTIFICATE_ISSUER_NAME", default=WAGTAIL_SITE_NAME)
CERTIFICATE_SIGNATORY = env.str("CERTIFICATE_SIGNATORY", default="Head of Learning")
# PDF rendering retries (storage or render failures) before giving up; the certificate itself
# is issued once, before rendering.
CERTIFICATE_PDF_MAX_RETRIES = env.int("CERTIFICATE_PDF_MAX_RETRIES", default=5)
CERTIFICATE_PDF_RETRY_BACKOFF_SECONDS = env.int("CERTIFICATE_PDF_RETRY_BACKOFF_SECONDS", default=10)
# Open Badges 3.0 credentials are signed with this Ed25519 private key (PEM, PKCS#8; "\\n"
# escapes allowed). Without it, the embedded default generates a development key into
# CERTIFICATE_SIGNING_KEY_FILE on first use; production refuses to start without the variable.
CERTIFICATE_SIGNING_KEY = env.str("CERTIFICATE_SIGNING_KEY", default="")
CERTIFICATE_SIGNING_KEY_FILE = str(VAR_DIR / "keys" / "certificate-signing-key.pem")
CERTIFICATE_SIGNING_KEY_ID = env.str("CERTIFICATE_SIGNING_KEY_ID", default="key-1")
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["certificate_verify_ip"] = env.str(
    "THROTTLE_CERTIFICATE_VERIFY_IP", default="120/min"
)

# --- Notifications (learning/notifications) -----------------------------------------------------
# Read notifications older than this are deleted (beat `notifications-prune`, daily).
NOTIFICATIONS_RETENTION_DAYS = env.int("NOTIFICATIONS_RETENTION_DAYS", default=90)
# Daily digest emails go out at this local hour of each person's time zone (beat, hourly).
NOTIFICATIONS_DIGEST_HOUR = env.int("NOTIFICATIONS_DIGEST_HOUR", default=8)
NOTIFICATIONS_DIGEST_MAX_ITEMS = env.int("NOTIFICATIONS_DIGEST_MAX_ITEMS", default=20)
# Course fan-out (announcements, new content) writes rows in batches of this many learners.
NOTIFICATIONS_FANOUT_BATCH_SIZE = env.int("NOTIFICATIONS_FANOUT_BATCH_SIZE", default=1000)
# Longest wait between retries of a failing notification email (backoff doubles from 30 s).
NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS = env.int(
    "NOTIFICATIONS_EMAIL_RETRY_MAX_SECONDS", default=3600
)
# Learners hear about access ending this many days before it does (beat, hourly).
NOTIFICATIONS_EXPIRING_DAYS = env.int("NOTIFICATIONS_EXPIRING_DAYS", default=3)
# A socket's pings re-check its sign-in session at most this often (a fallback for
# revocations pushed while the channel layer was down).
NOTIFICATIONS_WS_SESSION_RECHECK_SECONDS = env.int(
    "NOTIFICATIONS_WS_SESSION_RECHECK_SECONDS", default=60
)
CELERY_BEAT_SCHEDULE["notifications-prune"] = {
    "task": "learning.notifications.tasks.prune_notifications",
    "schedule": timedelta(days=1),
    "options": {"queue": "default", "expires": 3600},
}
CELERY_BEAT_SCHEDULE["notifications-digests"] = {
    "task": "learning.notifications.tasks.send_digests",
    "schedule": timedelta(hours=1),
    "options": {"queue": "email", "expires": 3000},
}
CELERY_BEAT_SCHEDULE["notifications-expiring-enrollments"] = {
    "task": "learning.notifications.tasks.notify_expiring_enrollments",
    "schedule": timedelta(hours=1),
    "options": {"queue": "default", "expires": 3000},
}

# --- AI tutor (learning/assistant) -----------------------------------------------------------
# Provider: "auto" uses the OpenAI-compatible endpoint when OPENAI_API_KEY is set, else the
# offline extractive tutor; "openai" or "offline" force one.
ASSISTANT_PROVIDER = env.str("ASSISTANT_PROVIDER", default="auto")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
ASSISTANT_OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
ASSISTANT_MODEL = env.str("ASSISTANT_MODEL", default="gpt-4o-mini")
ASSISTANT_TEMPERATURE = env.float("ASSISTANT_TEMPERATURE", default=0.2)
ASSISTANT_PROVIDER_TIMEOUT_SECONDS = env.float("ASSISTANT_PROVIDER_TIMEOUT_SECONDS", default=30)
ASSISTANT_STREAM_TOTAL_SECONDS = env.float("ASSISTANT_STREAM_TOTAL_SECONDS", default=120)
# Streams of one ASGI process doing database work (before and after streaming) at once.
ASSISTANT_STREAM_DB_CONCURRENCY = env.int("ASSISTANT_STREAM_DB_CONCURRENCY", default=8)
ASSISTANT_PROVIDER_RETRIES = env.int("ASSISTANT_PROVIDER_RETRIES", default=2)
ASSISTANT_PROVIDER_BACKOFF_SECONDS = env.float("ASSISTANT_PROVIDER_BACKOFF_SECONDS", default=0.5)
ASSISTANT_CIRCUIT_FAILURES = env.int("ASSISTANT_CIRCUIT_FAILURES", default=5)
ASSISTANT_CIRCUIT_RESET_SECONDS = env.float("ASSISTANT_CIRCUIT_RESET_SECONDS", default=30)
# Prices per million tokens by model ("*" for any other model), for the ledger's cost.
ASSISTANT_PRICES = env.json(
    "ASSISTANT_PRICES",
    default={
        "gpt-4o-mini": {"input": 0.15, "output": 0.60},
        "gpt-4o": {"input": 2.50, "output": 10.00},
        "*": {"input": 0, "output": 0},
    },
)
# Interactions per day / month per plan (defaults from the legacy plans).
ASSISTANT_PLAN_LIMITS = {
    "free": {
        "day": env.int("ASSISTANT_FREE_DAILY", default=3),
        "month": env.int("ASSISTANT_FREE_MONTHLY", default=50),
    },
    "premium": {
        "day": env.int("ASSISTANT_PREMIUM_DAILY", default=50),
        "month": env.int("ASSISTANT_PREMIUM_MONTHLY", default=1000),
    },
    "enterprise": {
        "day": env.int("ASSISTANT_ENTERPRISE_DAILY", default=200),
        "month": env.int("ASSISTANT_ENTERPRISE_MONTHLY", default=5000),
    },
}
ASSISTANT_REQUIRE_VERIFIED_EMAIL = env.bool("ASSISTANT_REQUIRE_VERIFIED_EMAIL", default=True)
ASSISTANT_MAX_MESSAGE_CHARS = env.int("ASSISTANT_MAX_MESSAGE_CHARS", default=2000)
ASSISTANT_MAX_REFLECTION_CHARS = env.int("ASSISTANT_MAX_REFLECTION_CHARS", default=5000)
ASSISTANT_MAX_REFLECTION_FILE_BYTES = env.int(
    "ASSISTANT_MAX_REFLECTION_FILE_BYTES", default=20 * 1024 * 1024
)
ASSISTANT_MAX_REPLY_TOKENS = env.int("ASSISTANT_MAX_REPLY_TOKENS", default=600)
ASSISTANT_MAX_REPLY_WORDS = env.int("ASSISTANT_MAX_REPLY_WORDS", default=250)
ASSISTANT_MAX_REPLY_CHARS = env.int("ASSISTANT_MAX_REPLY_CHARS", default=3000)
# Prompt budgets (tokens): course content (transcript window + passages), earlier turns.
ASSISTANT_CONTEXT_TOKENS = env.int("ASSISTANT_CONTEXT_TOKENS", default=2500)
ASSISTANT_HISTORY_TOKENS = env.int("ASSISTANT_HISTORY_TOKENS", default=800)
ASSISTANT_RETRIEVED_PASSAGES = env.int("ASSISTANT_RETRIEVED_PASSAGES", default=4)
ASSISTANT_TRANSCRIPT_WINDOW_SECONDS = env.float("ASSISTANT_TRANSCRIPT_WINDOW_SECONDS", default=30)
ASSISTANT_PASSAGE_WORDS = env.int("ASSISTANT_PASSAGE_WORDS", default=120)
ASSISTANT_TRANSCRIPT_PASSAGE_WORDS = env.int("ASSISTANT_TRANSCRIPT_PASSAGE_WORDS", default=80)
ASSISTANT_TRANSCRIPT_PASSAGE_SECONDS = env.float("ASSISTANT_TRANSCRIPT_PASSAGE_SECONDS", default=45)
# Optional tokens (in + out, as the ledger records them) per day / month per plan; 0 = none.
ASSISTANT_PLAN_TOKEN_LIMITS = {
    plan: {
        "day": env.int(f"ASSISTANT_{plan.upper()}_DAILY_TOKENS", default=0),
        "month": env.int(f"ASSISTANT_{plan.upper()}_MONTHLY_TOKENS", default=0),
    }
    for plan in ("free", "premium", "enterprise")
}
# --- Assessment -----------------------------------------------------------------------------
# A submission this long after an attempt's deadline (a request in flight) is still graded,
# with the answers saved in time; later ones are refused and the attempt closes by itself.
ASSESSMENT_LATE_GRACE_SECONDS = env.int("ASSESSMENT_LATE_GRACE_SECONDS", default=30)
CELERY_BEAT_SCHEDULE["assessment-close-expired-attempts"] = {
    "task": "learning.assessment.tasks.close_expired_attempts",
    "schedule": timedelta(minutes=1),
    "options": {"queue": "default", "expires": 55},
}

# --- Reference student frontend (/learn/) ----------------------------------------------------
INSTALLED_APPS += ["frontend"]
# Hosts media is played and shown from besides this server (an S3 bucket or CDN origin such as
# https://media.example.com), allowed by the frontend's Content-Security-Policy.
FRONTEND_MEDIA_ORIGINS = env.list("FRONTEND_MEDIA_ORIGINS", default=[])

# --- Analytics (learning/analytics) --------------------------------------------------------------
# Rollups run on the `analytics` queue this often (beat `analytics-rollups`); each reads what was
# stored up to now minus the lag, so rows of transactions still open are never passed by.
ANALYTICS_ROLLUP_INTERVAL_SECONDS = env.int("ANALYTICS_ROLLUP_INTERVAL_SECONDS", default=300)
ANALYTICS_ROLLUP_LAG_SECONDS = env.int("ANALYTICS_ROLLUP_LAG_SECONDS", default=120)
ANALYTICS_ROLLUP_LOCK_SECONDS = env.int("ANALYTICS_ROLLUP_LOCK_SECONDS", default=600)
# Longest date range (days) an analytics request may ask for.
ANALYTICS_MAX_RANGE_DAYS = env.int("ANALYTICS_MAX_RANGE_DAYS", default=366)
# A current learner is "at risk" after this many days without activity, or when their pace
# (lessons completed per day enrolled) is below this fraction of the course's median pace.
ANALYTICS_AT_RISK_INACTIVE_DAYS = env.int("ANALYTICS_AT_RISK_INACTIVE_DAYS", default=7)
ANALYTICS_AT_RISK_PACE_FRACTION = env.float("ANALYTICS_AT_RISK_PACE_FRACTION", default=0.5)
# "Learning now": learners whose heartbeats reached the course this recently.
ANALYTICS_LEARNING_NOW_SECONDS = env.int("ANALYTICS_LEARNING_NOW_SECONDS", default=120)
from celery.schedules import crontab  # noqa: E402  (kept with the block that uses it)

# The weekly course report to instructors goes out on Mondays at this UTC hour.
ANALYTICS_WEEKLY_REPORT_HOUR = env.int("ANALYTICS_WEEKLY_REPORT_HOUR", default=7)
CELERY_BEAT_SCHEDULE["analytics-weekly-reports"] = {
    "task": "learning.analytics.tasks.weekly_course_reports",
    "schedule": crontab(minute=0, hour=ANALYTICS_WEEKLY_REPORT_HOUR, day_of_week="mon"),
    "options": {"queue": "analytics", "expires": 3600},
}
CELERY_BEAT_SCHEDULE["analytics-rollups"] = {
    "task": "learning.analytics.tasks.rollups_run",
    "schedule": timedelta(seconds=ANALYTICS_ROLLUP_INTERVAL_SECONDS),
    "options": {"queue": "analytics", "expires": ANALYTICS_ROLLUP_INTERVAL_SECONDS},
}
# xAPI forwarding of the learning event log to an external LRS (off while the endpoint is
# empty): the LRS's xAPI base URL (statements are POSTed to <endpoint>/statements), HTTP basic
# credentials, statements per request, and the backoff after a failure (doubling up to the max).
XAPI_LRS_ENDPOINT = env.str("XAPI_LRS_ENDPOINT", default="")
XAPI_LRS_USERNAME = env.str("XAPI_LRS_USERNAME", default="")
XAPI_LRS_PASSWORD = env.str("XAPI_LRS_PASSWORD", default="")
XAPI_BATCH_SIZE = env.int("XAPI_BATCH_SIZE", default=100)
XAPI_TIMEOUT_SECONDS = env.float("XAPI_TIMEOUT_SECONDS", default=10.0)
XAPI_BACKOFF_SECONDS = env.int("XAPI_BACKOFF_SECONDS", default=30)
XAPI_MAX_BACKOFF_SECONDS = env.int("XAPI_MAX_BACKOFF_SECONDS", default=3600)
XAPI_LAG_SECONDS = env.int("XAPI_LAG_SECONDS", default=60)
XAPI_LOCK_SECONDS = env.int("XAPI_LOCK_SECONDS", default=300)
XAPI_FORWARD_INTERVAL_SECONDS = env.int("XAPI_FORWARD_INTERVAL_SECONDS", default=60)
CELERY_BEAT_SCHEDULE["analytics-xapi-forward"] = {
    "task": "learning.analytics.tasks.xapi_forward",
    "schedule": timedelta(seconds=XAPI_FORWARD_INTERVAL_SECONDS),
    "options": {"queue": "analytics", "expires": XAPI_FORWARD_INTERVAL_SECONDS},
}
