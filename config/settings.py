"""Django settings, read from the environment (see .env.example for every variable)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env, envbool, envfloat, envint, envlist, envsecret, installation_secret, require_deploy_keys
from genrelens.accounts.crypto import parse_token_keys

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env("GENRELENS_VAR_DIR", str(BASE_DIR / "var"))).resolve()

DEBUG = envbool("DEBUG", False)
# GENRELENS_DEPLOY=1 marks a public deployment: keys must then be given, never made up (see
# docs/security.md). Unset, as for `make demo` and the tests, an installation makes its own.
GENRELENS_DEPLOY = envbool("GENRELENS_DEPLOY", False)
SECRET_KEY = envsecret("SECRET_KEY") or ""
# Old SECRET_KEYs still accepted for sessions and signatures while rotating, newest first.
SECRET_KEY_FALLBACKS = envlist("SECRET_KEY_FALLBACKS", "")
# Keys for Spotify tokens at rest, newest first (see genrelens/accounts/crypto.py); unset: derived
# from SECRET_KEY. GENRELENS_TOKEN_KEY (one key) still works and comes after the list.
GENRELENS_TOKEN_KEYS = [
    *parse_token_keys(envlist("GENRELENS_TOKEN_KEYS", "")),
    *parse_token_keys([envsecret("GENRELENS_TOKEN_KEY") or ""], setting="GENRELENS_TOKEN_KEY"),
]
if GENRELENS_DEPLOY:
    require_deploy_keys(debug=DEBUG, secret_key=SECRET_KEY, token_keys=GENRELENS_TOKEN_KEYS)
SECRET_KEY = SECRET_KEY or installation_secret(VAR_DIR)
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "genrelens.catalog.apps.CatalogConfig",
    "genrelens.jobs.apps.JobsConfig",
    "genrelens.api.apps.ApiConfig",
    "genrelens.accounts.apps.AccountsConfig",
    "genrelens.listening.apps.ListeningConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "genrelens.accounts.middleware.KeptUserAuthenticationMiddleware",  # Django's, with the kept user
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",  # last: it turns a locked-out login into its 429 answer
]

# Failed logins (the admin's, and any view that calls authenticate()) are counted per client
# address by django-axes: past the limit that address is refused until the cool-off ends. Not per
# username, so nobody can lock a staff user out by guessing at their name from afar.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "genrelens.accounts.backends.CachedModelBackend"]
AXES_FAILURE_LIMIT = envint("GENRELENS_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=envint("GENRELENS_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "config.proxies.client_ip"
AXES_RESET_ON_SUCCESS = True

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _database(url: str) -> dict[str, object]:
    if not url.startswith(("sqlite:", "postgres:", "postgresql:")):
        raise ImproperlyConfigured(f"DATABASE_URL={url!r}: use sqlite:///PATH or postgres://USER@HOST:PORT/NAME")
    config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=envint("DB_CONN_MAX_AGE", 0)))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        Path(str(config["NAME"])).parent.mkdir(parents=True, exist_ok=True)
        # WAL lets the web app read while a job writes; IMMEDIATE avoids "database is locked" on
        # the read-then-write upgrade that deferred transactions do.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        # Tests get a file too: Django's default in-memory test database shares one cache between
        # threads with table locks and no busy timeout, so a background job's writes could fail.
        config["TEST"] = {"NAME": str(Path(str(config["NAME"])).with_name("test_genrelens.sqlite3"))}
    return config


DATABASE_URL = env("DATABASE_URL", "") or f"sqlite:///{VAR_DIR / 'genrelens.sqlite3'}"  # empty means unset
DATABASES = {"default": _database(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- caches (genrelens/shared_cache.py) ---------------------------------------------------------
# "shared" keeps sessions, logged-in users and stored answers (an analysis, a taste, a search page)
# for every process at once, so a write in a Celery worker retires the answers the web workers keep.
# GENRELENS_CACHE_URL=redis://HOST:PORT/1 in production; unset, nothing is kept (the dummy cache):
# a per-process cache could serve an answer another process has changed. "default" is the
# throttles' counters: per process when unset (docs/scale.md), shared when set.
GENRELENS_CACHE_URL = env("GENRELENS_CACHE_URL", "")
if GENRELENS_CACHE_URL:
    _redis = {"BACKEND": "genrelens.shared_cache.RedisCache", "LOCATION": GENRELENS_CACHE_URL,
              "KEY_PREFIX": "genrelens"}
    CACHES = {"default": _redis, "shared": _redis}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
              "shared": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
# Sessions are read from the shared cache and written through to the database (which stays the
# record): one query fewer on every request once the cache is set. genrelens' engine is Django's
# cached_db with the logged-in user kept beside each session (one round trip for both).
SESSION_ENGINE = "genrelens.accounts.sessions"
SESSION_CACHE_ALIAS = "shared"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"

# Forwarded headers are trusted only from this many proxies in front of the app (nginx: 1). At 0
# X-Forwarded-For is ignored: a client could otherwise pick its own address and walk past the
# throttles and the login limit.
GENRELENS_TRUSTED_PROXIES = envint("GENRELENS_TRUSTED_PROXIES", 0, minimum=0)
if GENRELENS_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- static files and the single-page app (WhiteNoise; see genrelens/web/) ---------------------
# WhiteNoise serves /static/ from STATIC_ROOT (filled by `collectstatic`, which `genrelens serve`
# runs), gzip-compressed, with Django's content hashes; Vite's build in frontend/dist (built with
# base /static/) is collected too. Files whose names carry a hash are cached for a year.
MIDDLEWARE.insert(MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
                  "whitenoise.middleware.WhiteNoiseMiddleware")
GENRELENS_FRONTEND_DIST = Path(env("GENRELENS_FRONTEND_DIST", str(BASE_DIR / "frontend" / "dist"))).resolve()
# Only when built: a missing directory here is a system-check warning on every command.
STATICFILES_DIRS = [GENRELENS_FRONTEND_DIST] if GENRELENS_FRONTEND_DIST.is_dir() else []
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "genrelens.web.storage.StaticStorage"},
}
# Django's hashed names (name.0123456789ab.css) and Vite's (assets/name-AbCd1234.js).
WHITENOISE_IMMUTABLE_FILE_TEST = r"^/static/(.+\.[0-9a-f]{12}\.\w+|assets/.+-[\w-]{8}\.\w+)$"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "genrelens.api.exceptions.exception_handler",
    # Sessions only, with CSRF checked on every write, logged in or not. DRF's default Basic
    # authentication would check a password on every request, before any throttle.
    "DEFAULT_AUTHENTICATION_CLASSES": ["genrelens.api.authentication.CsrfSessionAuthentication"],
    # Closed by default: every view says who may call it (genrelens.api.views: PublicApi, UserApi).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "NUM_PROXIES": GENRELENS_TRUSTED_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": ["genrelens.api.throttles.AnonWindowThrottle",
                                 "genrelens.api.throttles.UserWindowThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("GENRELENS_API_RATE", "600/minute"),
                               "user": env("GENRELENS_API_USER_RATE", "1200/minute")},
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "genrelens.api.negotiation.JsonFirstNegotiation",
    "DEFAULT_RENDERER_CLASSES": ["genrelens.api.renderers.OrjsonRenderer",
                                 "rest_framework.renderers.BrowsableAPIRenderer"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "genrelens API",
    "DESCRIPTION": "What a track sounds like, which genre it sounds like, and how tastes compare. Every error "
                   "is {error: {status, code, message, details}}.",
    "VERSION": "0.2.0",
    "SCHEMA_PATH_PREFIX": "/rest",
    # 3.1: a nullable nested object is oneOf [object, null], which validators and type generators read right
    "OAS_VERSION": "3.1.0",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums",
                             "genrelens.api.schema_hooks.add_error_responses"],
    # Swagger UI from the installed sidecar package: the docs page fetches nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # one name for a choice set several shapes use (a taste's weighting: by plays, or each track once)
    "ENUM_NAME_OVERRIDES": {"WeightingEnum": "genrelens.core.listening.types.WEIGHTING_CHOICES"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "WARNING")},
    # spotipy logs every HTTP error at ERROR level; the adapter turns each into a typed error that
    # is handled or reported once, so spotipy's copy is noise.
    "loggers": {"spotipy": {"level": "CRITICAL"}},
}

# --- genrelens -------------------------------------------------------------------------------
GENRELENS_VAR_DIR = VAR_DIR
GENRELENS_DOWNLOAD_DIR = VAR_DIR / "downloads"
GENRELENS_MODEL_DIR = VAR_DIR / "models"
GENRELENS_FEATURE_PROVIDERS = envlist("GENRELENS_FEATURE_PROVIDERS", "dataset,spotify,reccobeats")
GENRELENS_DOWNLOAD_TIMEOUT = envfloat("GENRELENS_DOWNLOAD_TIMEOUT", 300.0, minimum=1.0)
# Largest dataset accepted, downloaded or once inflated (a .csv.gz is counted as it inflates).
GENRELENS_DATASET_MAX_BYTES = envint("GENRELENS_DATASET_MAX_BYTES", 2 * 1024**3, minimum=1)
GENRELENS_UPLOAD_MAX_BYTES = envint("GENRELENS_UPLOAD_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
# The first handler stops reading a multipart body at the upload limit (Django's would spool it all).
FILE_UPLOAD_HANDLERS = [
    "genrelens.api.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Listening-data exports (a Spotify data export .zip, Last.fm or Exportify CSVs): the upload itself is
# capped by GENRELENS_UPLOAD_MAX_BYTES; a zip's files and their unpacked size by these, before unpacking.
GENRELENS_EXPORT_MAX_FILES = envint("GENRELENS_EXPORT_MAX_FILES", 2_000, minimum=1)
GENRELENS_EXPORT_MAX_UNPACKED_BYTES = envint("GENRELENS_EXPORT_MAX_UNPACKED_BYTES", 1024**3, minimum=1)
# An upload is analysed in a child process: memory it may use beyond the audio stack, and seconds.
GENRELENS_ANALYSIS_MEMORY_BYTES = envint("GENRELENS_ANALYSIS_MEMORY_BYTES", 2 * 1024**3, minimum=64 * 1024**2)
GENRELENS_ANALYSIS_SECONDS = envfloat("GENRELENS_ANALYSIS_SECONDS", 300.0, minimum=1.0)
# A worker running a job renews its lease every third of this; a job whose lease ran out lost its
# worker (SIGKILL, a lost machine) and is run again, up to GENRELENS_JOB_MAX_ATTEMPTS runs in all.
GENRELENS_JOB_LEASE_SECONDS = envfloat("GENRELENS_JOB_LEASE_SECONDS", 60.0, minimum=1.0)
GENRELENS_JOB_MAX_ATTEMPTS = envint("GENRELENS_JOB_MAX_ATTEMPTS", 3, minimum=1)
# A job the upstream turned away (429 past SPOTIFY_RETRY_AFTER_CAP, 5xx after the client's own
# retries) runs again after Retry-After, or after this doubling each time; at most this many times.
GENRELENS_JOB_BACKOFF_SECONDS = envfloat("GENRELENS_JOB_BACKOFF_SECONDS", 30.0, minimum=0.0)
GENRELENS_JOB_MAX_RETRIES = envint("GENRELENS_JOB_MAX_RETRIES", 8, minimum=0)
# A folder of audio is analysed in chunks of this many files, one task each, spread over workers.
GENRELENS_ANALYSIS_CHUNK = envint("GENRELENS_ANALYSIS_CHUNK", 8, minimum=1)

# --- Celery (docs/jobs.md) ------------------------------------------------------------------------
# Unset: kombu's filesystem transport under var/broker, which needs no server (make demo). Set
# redis://HOST:PORT/0 to run workers on many machines.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "") or "filesystem://localhost/"
GENRELENS_BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    # One folder in and out: every process on this machine sees the same queue. A message is
    # taken by renaming its file (atomic), so two workers never receive the same one.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(GENRELENS_BROKER_DIR / "queue"), "data_folder_out": str(GENRELENS_BROKER_DIR / "queue"),
        "control_folder": str(GENRELENS_BROKER_DIR / "control"),
        "processed_folder": str(GENRELENS_BROKER_DIR / "processed"), "store_processed": False,
        "polling_interval": envfloat("GENRELENS_BROKER_POLL_SECONDS", 0.2, minimum=0.01),
    }
else:
    # A delivered, unacknowledged message goes back to the queue after this long (Redis): above
    # the longest job, or a slow job would be delivered twice (the job's lease still stops a
    # second run, see genrelens/jobs/services.py).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 3600, minimum=1)}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Acknowledged only once the job is recorded: a worker killed mid-task leaves the message to redeliver.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # a long job never waits behind another in a busy worker's buffer
CELERY_TASK_IGNORE_RESULT = True       # the Job row is the result users see; no result backend needed
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Seconds between looks for jobs whose worker died or whose message was lost (by beat).
GENRELENS_JOB_SWEEP_SECONDS = envfloat("GENRELENS_JOB_SWEEP_SECONDS", 30.0, minimum=0.1)
# A queued job is sent again once it has waited a lease since its last send, then 2, 4, ... leases,
# at most this long; and one sweep sends at most this many messages (docs/jobs.md, the sweep).
GENRELENS_JOB_RESEND_MAX_SECONDS = envfloat("GENRELENS_JOB_RESEND_MAX_SECONDS", 3600.0, minimum=1.0)
GENRELENS_JOB_SWEEP_MAX_SENDS = envint("GENRELENS_JOB_SWEEP_MAX_SENDS", 1000, minimum=1)
# Hour (UTC) of the nightly refresh of every user's taste (beat).
GENRELENS_TASTE_REFRESH_HOUR = envint("GENRELENS_TASTE_REFRESH_HOUR", 3, minimum=0, maximum=23)

# Spotify and ReccoBeats (SPOTIFY_* and RECCOBEATS_API_BASE) are read, and validated, by the core's
# SpotifySettings.from_env: one parser for the CLI, the web app and the core's own tools.

# --- production over HTTPS (`genrelens check --deploy` is clean with GENRELENS_HTTPS=1) -----------
# Off by default: the embedded default serves plain HTTP on loopback (make demo). Behind nginx set
# GENRELENS_TRUSTED_PROXIES=1 too, so X-Forwarded-Proto tells Django the request came over HTTPS.
GENRELENS_HTTPS = envbool("GENRELENS_HTTPS", False)
if GENRELENS_HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("GENRELENS_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("GENRELENS_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("GENRELENS_HSTS_PRELOAD", False)
    # Preloading is a one-way commitment for the whole domain: the operator opts in, so the check
    # that merely recommends it is silenced until then.
    SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
