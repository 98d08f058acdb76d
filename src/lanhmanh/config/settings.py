"""Lành Mạnh settings, read from the environment (see .env.example for every variable)."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from lanhmanh.config.env import env_bool, env_choice, env_int, env_list, env_secret, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(env_str("LANHMANH_VAR_DIR", str(BASE_DIR / "var")))

# dev: a developer's machine and the demo; test: the test suite; production: a real deployment.
ENVIRONMENT = env_choice("LANHMANH_ENV", "dev", {"dev", "test", "production"})
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("DEBUG", ENVIRONMENT == "dev")
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when LANHMANH_ENV=production.")

# Outside production, missing secrets are generated once into var/secrets/ (never committed).
_generate = not PRODUCTION
SECRET_KEY = env_secret("SECRET_KEY", local_file=VAR_DIR / "secrets" / "secret_key", generate=_generate)
# Comma-separated Fernet keys (env, *_FILE or the generated file): the first encrypts, all decrypt.
FIELD_ENCRYPTION_KEYS = env_list("LANHMANH_FIELD_KEYS", []) or [
    key.strip()
    for key in env_secret(
        "LANHMANH_FIELD_KEYS", local_file=VAR_DIR / "secrets" / "field_keys", generate=_generate
    )
    .replace("\n", ",")
    .split(",")
    if key.strip()
]
BLIND_INDEX_KEY = env_secret(
    "LANHMANH_BLIND_INDEX_KEY", local_file=VAR_DIR / "secrets" / "blind_index_key", generate=_generate
)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "lanhmanh.core.thirdparty.TotpConfig",
    "django_tasks",
    "lanhmanh.core.thirdparty.TasksConfig",
    "lanhmanh.core",
    "lanhmanh.org",
    "lanhmanh.api",
    "lanhmanh.demo",
    "lanhmanh.indicators",
    "lanhmanh.plans",
    "lanhmanh.reporting",
    "lanhmanh.people",
    "lanhmanh.support",
    "lanhmanh.enforcement.cases",
    "lanhmanh.linkage",
    "lanhmanh.communes",
    "lanhmanh.ops",
    "lanhmanh.enforcement",
    "lanhmanh.premises",
]
if ENVIRONMENT == "test":
    # Models that exist only to test the scoping kernel (tests/testapp); never installed elsewhere.
    INSTALLED_APPS += ["tests.testapp"]

MIDDLEWARE = [
    "lanhmanh.ops.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "lanhmanh.core.middleware.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lanhmanh.core.middleware.SessionActivityMiddleware",
    "lanhmanh.core.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "lanhmanh.core.middleware.RejectNulInQueryMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "lanhmanh.org.middleware.TwoFactorRequiredMiddleware",
    "lanhmanh.org.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "lanhmanh.core.replica.ReplicaMiddleware",
]

ROOT_URLCONF = "lanhmanh.config.urls"
WSGI_APPLICATION = "lanhmanh.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "lanhmanh.org.context_processors.navigation",
            ],
        },
    }
]

# Database: embedded SQLite by default, PostgreSQL 15+ for real use (DATABASE_URL).
_default_db = f"sqlite:///{VAR_DIR / 'lanhmanh.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", _default_db)
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
except ValueError as exc:
    raise ImproperlyConfigured(f"DATABASE_URL is not a valid database address: {exc}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
elif DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL.")
elif ENVIRONMENT == "test":
    # The test suite commits thousands of times (transactional tests, the demo snapshots): not waiting for
    # each commit to reach the disk halves the PostgreSQL run; a crash loses only a test database.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
# A PostgreSQL read replica for read-only analytics (core.replica): the dashboard, indicator pages and API.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
REPLICA_VIEWS = [
    "plans:dashboard",
    "indicators:list",
    "indicators:detail",
    "api:indicator-list",
    "api:indicator-values",
]
if DATABASE_REPLICA_URL:
    try:
        DATABASES["replica"] = dj_database_url.parse(
            DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60)
        )
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_REPLICA_URL is not a valid database address: {exc}") from None
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["lanhmanh.core.replica.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "org.User"

PASSWORD_HASHERS = [
    "lanhmanh.org.passwords.Argon2Hasher",  # argon2id, OWASP/ASVS parameters (see its docstring)
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if ENVIRONMENT == "test":
    # Argon2 is deliberately slow; the suite creates hundreds of users. Production keeps argon2.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "lanhmanh.org.passwords.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["lanhmanh.org.backends.LockoutAwareBackend"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Registry retention: persons whose violations no longer count and with no activity for this many
# years are pseudonymised by the scheduled task / `manage.py retention_run`.
RETENTION_YEARS = env_int("RETENTION_YEARS", 5, minimum=1, maximum=100)

# Backups (manage.py backup / restore): where they go, how many days they are kept, the IT office's public
# key they are encrypted to (the private key stays with the IT office, never on this server).
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(VAR_DIR / "backups")))
BACKUP_RETENTION_DAYS = env_int("BACKUP_RETENTION_DAYS", 30, minimum=1, maximum=3650)
BACKUP_PUBLIC_KEY_FILE = env_str("BACKUP_PUBLIC_KEY_FILE", "")
# Identity wipes, kept outside the database and replayed after a restore (core.erasure).
ERASURE_LEDGER = Path(env_str("LANHMANH_ERASURE_LEDGER", str(BACKUP_DIR / "erasures.jsonl")))

# Security baseline.
LOGIN_LOCKOUT_ATTEMPTS = env_int("LOGIN_LOCKOUT_ATTEMPTS", 5, minimum=1, maximum=100)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1, maximum=24 * 60)  # the longest lock
LOGIN_ADDRESS_ATTEMPTS = env_int("LOGIN_ADDRESS_ATTEMPTS", 30, minimum=1, maximum=10_000)
LOGIN_ADDRESS_WINDOW_MINUTES = env_int("LOGIN_ADDRESS_WINDOW_MINUTES", 15, minimum=1, maximum=24 * 60)
# Behind a reverse proxy: the META key of the header it sets with the client's address (e.g. HTTP_X_REAL_IP).
LOGIN_CLIENT_IP_HEADER = env_str("LOGIN_CLIENT_IP_HEADER", "")
# Law 91/2025: a personal-data breach is notified to the competent authority within 72 hours of discovery.
BREACH_NOTIFY_HOURS = env_int("BREACH_NOTIFY_HOURS", 72, minimum=1, maximum=72)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12, minimum=1, maximum=24 * 7)
REQUIRE_2FA = env_bool("LANHMANH_REQUIRE_2FA", True)
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1, maximum=24 * 60)

# The public tip page (enforcement): anti-abuse without third-party services. A client may send
# TIP_RATE_PER_CLIENT tips a minute (its address is hashed, never stored); a receipt may be used
# TIP_RATE_PER_RECEIPT times an hour; the form must take TIP_MIN_SECONDS and a proof of work of
# TIP_POW_BITS leading zero bits (0 turns it off); each image may weigh TIP_IMAGE_MAX_BYTES.
_tests = ENVIRONMENT == "test"
TIP_RATE_PER_CLIENT = env_int("TIP_RATE_PER_CLIENT", 5, minimum=1, maximum=100_000)
TIP_RATE_PER_RECEIPT = env_int("TIP_RATE_PER_RECEIPT", 20, minimum=1, maximum=100_000)
TIP_MIN_SECONDS = env_int("TIP_MIN_SECONDS", 0 if _tests else 3, minimum=0, maximum=600)
TIP_POW_BITS = env_int("TIP_POW_BITS", 4 if _tests else 16, minimum=0, maximum=24)
TIP_IMAGE_MAX_BYTES = env_int(
    "TIP_IMAGE_MAX_BYTES", 5 * 1024 * 1024, minimum=10_000, maximum=50 * 1024 * 1024
)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
# The age counts from the last activity (renewed at most once a minute by core.middleware.SessionActivityMiddleware,
# which never writes back a stale copy of the session, unlike SESSION_SAVE_EVERY_REQUEST).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_REFRESH_SECONDS = 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # The load balancer and monitoring may ask for the health check over plain HTTP on the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)

# Language: Vietnamese first, English second.
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Day-first dates in both languages (Django's vi module has no input formats: US month-first would apply).
FORMAT_MODULE_PATH = ["lanhmanh.formats"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Ho_Chi_Minh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
if not PRODUCTION:
    # Serve files straight from the apps' static folders; no collectstatic needed for the demo and tests.
    WHITENOISE_USE_FINDERS = True
    # Look a static file up when it is asked for. Without it WhiteNoise reads every static file's headers when
    # its middleware starts, which the tests do for each of their thousands of test clients.
    WHITENOISE_AUTOREFRESH = DEBUG or ENVIRONMENT == "test"
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# /healthz fails (503) when the upload disk has less free space than this.
UPLOAD_MIN_FREE_MB = env_int("UPLOAD_MIN_FREE_MB", 200, minimum=0)
# Uploads (core.uploads): outside the static files and any web root, served only by /tep/<uuid>/.
# No MEDIA_URL: nothing is ever served from a media folder.
UPLOAD_ROOT = Path(env_str("UPLOAD_ROOT", str(VAR_DIR / "uploads")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Mail (reminders). The console backend prints mail outside production.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "lanhmanh@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Background work: django-tasks, database backend; tests run tasks immediately.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_choice(
                "TASKS_BACKEND",
                "immediate" if ENVIRONMENT == "test" else "database",
                {"immediate", "database"},
            )
            == "immediate"
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "lanhmanh.api.authentication.AgencyTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["lanhmanh.api.permissions.TokenScopePermission"],
    "DEFAULT_PARSER_CLASSES": [
        "lanhmanh.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "lanhmanh.api.errors.exception_handler",
    # ASVS V11.1.4/V13.2.5: a client (token or session user; anonymous callers by address) is throttled.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.AnonRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_str("API_RATE_USER", "1200/minute"),
        "anon": env_str("API_RATE_ANON", "120/minute"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Lành Mạnh API",
    "DESCRIPTION": "API of the interagency prostitution-prevention information system.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Every operation documents the error envelope for 400/401/403/404/413/429 (api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "lanhmanh.api.schema.document_errors",
    ],
    # Several serializers have a "status" field with different choices: name each set once.
    "ENUM_NAME_OVERRIDES": {
        "HotspotStatusEnum": "lanhmanh.enforcement.models.HotspotStatus",
        "TipStatusEnum": "lanhmanh.enforcement.models.TipStatus",
    },
}

# Logs: one JSON object per line with the request id (LOG_FORMAT=json, production's default) or plain
# text; never a personal identity or a search term (see ops.logs).
LOG_FORMAT = env_choice("LOG_FORMAT", "json" if PRODUCTION else "text", {"json", "text"})
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "lanhmanh.ops.logs.JsonFormatter"},
        "text": {"format": "%(levelname)s %(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "loggers": {
        # One access line per request at INFO would flood the test output; production keeps them.
        "lanhmanh.access": {"level": "INFO" if PRODUCTION or LOG_FORMAT == "json" else "WARNING"},
    },
    "root": {
        "handlers": ["console"],
        "level": env_choice("LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR"}),
    },
}
