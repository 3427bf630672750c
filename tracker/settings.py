"""Settings for Postmortem Tracker, read from the environment only.

Development defaults are safe (SQLite, in-process tasks, DEBUG off unless asked for);
with DEBUG off a missing secret stops start-up with a clear message instead of
running with a guessable key.
"""

from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from tracker.environment import (
    NO_MAIL_BACKEND,
    env_networks,
    env_rate,
    github_app_private_key,
    insecure_production_settings,
    mail_backend,
)

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _env_bool(name: str, default: bool) -> bool:
    raw = env.str(name, default=str(default)).strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def _env_int(name: str, default: int) -> int:
    raw = env.str(name, default=str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from exc


DEBUG = _env_bool("DEBUG", False)

_DEV_SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"  # noqa: S105 - used only when DEBUG is on
_DEV_WEBHOOK_SECRET = "development-webhook-secret"  # noqa: S105 - used only when DEBUG is on

SECRET_KEY = env.str("SECRET_KEY", default="")
GITHUB_WEBHOOK_SECRET = env.str("GITHUB_WEBHOOK_SECRET", default="")
if not DEBUG:
    _missing = [
        name
        for name, value in (("SECRET_KEY", SECRET_KEY), ("GITHUB_WEBHOOK_SECRET", GITHUB_WEBHOOK_SECRET))
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            "DEBUG is off and these required secrets are not set: "
            + ", ".join(_missing)
            + ". Set them in the environment (or set DEBUG=true for local development)."
        )
SECRET_KEY = SECRET_KEY or _DEV_SECRET_KEY
GITHUB_WEBHOOK_SECRET = GITHUB_WEBHOOK_SECRET or _DEV_WEBHOOK_SECRET
# Rotation without losing deliveries: set the new secret as GITHUB_WEBHOOK_SECRET, the old
# one here until GitHub has the new one; signatures made with either are accepted.
GITHUB_WEBHOOK_PREVIOUS_SECRETS = env.list("GITHUB_WEBHOOK_PREVIOUS_SECRETS", default=[])
# Same idea for SECRET_KEY: sessions and signed values made with an old key stay valid.
SECRET_KEY_FALLBACKS = env.list("SECRET_KEY_FALLBACKS", default=[])

GITHUB_TOKEN = env.str("GITHUB_TOKEN", default="")
GITHUB_API_URL = env.str("GITHUB_API_URL", default="https://api.github.com")
# Links from GitHub payloads are shown as links only when https or under this base (SPEC §8).
GITHUB_URL = env.str("GITHUB_URL", default="https://github.com")
# Largest webhook body we accept; GitHub caps payloads at 25 MiB.
GITHUB_WEBHOOK_MAX_BYTES = _env_int("GITHUB_WEBHOOK_MAX_BYTES", 25 * 1024 * 1024)
# How many times a delivery that failed to process is tried before it is left for a human.
GITHUB_DELIVERY_MAX_ATTEMPTS = _env_int("GITHUB_DELIVERY_MAX_ATTEMPTS", 5)
# Days a processed delivery keeps its payload; then only its metadata stays.
GITHUB_PAYLOAD_RETENTION_DAYS = _env_int("GITHUB_PAYLOAD_RETENTION_DAYS", 30)
# The GitHub App (SPEC §13): when its id and key are set, every GitHub call goes through its
# installation tokens instead of GITHUB_TOKEN. Switching needs no data migration.
GITHUB_APP_ID = env.str("GITHUB_APP_ID", default="").strip()
GITHUB_APP_PRIVATE_KEY = github_app_private_key(
    key=env.str("GITHUB_APP_PRIVATE_KEY", default=""), path=env.str("GITHUB_APP_PRIVATE_KEY_FILE", default="")
)
if bool(GITHUB_APP_ID) != bool(GITHUB_APP_PRIVATE_KEY):
    raise ImproperlyConfigured(
        "The GitHub App needs both GITHUB_APP_ID and a private key "
        "(GITHUB_APP_PRIVATE_KEY or GITHUB_APP_PRIVATE_KEY_FILE); set both or neither."
    )
# Sign in with GitHub (django-allauth's GitHub provider): on when both OAuth values are set.
# GITHUB_URL is the web base (GitHub Enterprise: https://HOST); its API is read at GITHUB_URL/api/v3.
GITHUB_URL = env.str("GITHUB_URL", default="https://github.com").strip().rstrip("/")
GITHUB_OAUTH_CLIENT_ID = env.str("GITHUB_OAUTH_CLIENT_ID", default="").strip()
GITHUB_OAUTH_CLIENT_SECRET = env.str("GITHUB_OAUTH_CLIENT_SECRET", default="").strip()
GITHUB_SIGN_IN_ENABLED = bool(GITHUB_OAUTH_CLIENT_ID and GITHUB_OAUTH_CLIENT_SECRET)
# A first GitHub sign-in without a matching github_login creates an engineer only when this is on.
GITHUB_SIGNUP = _env_bool("GITHUB_SIGNUP", False)
# Only members of these organisations may sign in with GitHub (checked on every sign-in); empty: anyone.
GITHUB_ALLOWED_ORGS = [org.strip() for org in env.list("GITHUB_ALLOWED_ORGS", default=[]) if org.strip()]
# Base URL used in links we write back to GitHub and in emails.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if not DEBUG else ["*"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Like a missing secret, a match-all host list or a guessable key stops production from starting;
# ALLOW_INSECURE_SETTINGS=true is the explicit, greppable way to run with them anyway.
if not DEBUG and not _env_bool("ALLOW_INSECURE_SETTINGS", False):
    _problems = insecure_production_settings(
        allowed_hosts=ALLOWED_HOSTS, secret_key=SECRET_KEY, secret_key_fallbacks=SECRET_KEY_FALLBACKS
    )
    if _problems:
        raise ImproperlyConfigured(
            "DEBUG is off and these settings are unsafe: "
            + "; ".join(_problems)
            + ". Fix them (or set ALLOW_INSECURE_SETTINGS=true to start anyway)."
        )
# Addresses (or networks) of the reverse proxies in front of the app. Only a request whose peer is one
# of them has its X-Forwarded-For read, so lockout and throttling count the real client, and a client
# cannot pick its own address (tracker.middleware.ClientAddressMiddleware).
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

TIME_ZONE = env.str("TIME_ZONE", default="UTC")
try:
    ZoneInfo(TIME_ZONE)
except (ZoneInfoNotFoundError, ValueError) as exc:
    raise ImproperlyConfigured(f"TIME_ZONE {TIME_ZONE!r} is not a known IANA time zone.") from exc
USE_TZ = True
FORMS_URLFIELD_ASSUME_HTTPS = True
USE_I18N = True
LANGUAGE_CODE = "en-us"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "csp",
    # Sign in with GitHub: allauth for its GitHub provider only (no allauth sign-up or password pages).
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.github",
    "postmortems",
]

MIDDLEWARE = [
    # First, so everything after it (axes, throttles, logs) sees the client's address, not the proxy's.
    "tracker.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before CommonMiddleware validates the Host header: probes call /healthz by IP or container name.
    "tracker.middleware.HealthzMiddleware",
    "tracker.input_guard.RefuseNulCharactersMiddleware",
    # The webhook is answered here: it needs nothing below (sessions, CSRF, auth, CSP, axes...).
    "tracker.middleware.WebhookRouteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "tracker.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "tracker.urls"
WSGI_APPLICATION = "tracker.wsgi.application"
AUTH_USER_MODEL = "postmortems.User"

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
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = _env_int("DB_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer must not hang requests (or /healthz) for minutes.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", _env_int("DB_CONNECT_TIMEOUT", 5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# allauth serves the GitHub sign-in only: GET /accounts/github/login/ goes straight to GitHub,
# the adapters (postmortems.views.github_signin) link or create users and refuse the rest.
SOCIALACCOUNT_ADAPTER = "postmortems.views.github_signin.GitHubSignInAdapter"
ACCOUNT_ADAPTER = "postmortems.views.github_signin.NoSignupAccountAdapter"
SOCIALACCOUNT_LOGIN_ON_GET = True
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
ACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_EMAIL_VERIFICATION = "none"
SOCIALACCOUNT_PROVIDERS = {
    "github": {
        "APPS": (
            [{"client_id": GITHUB_OAUTH_CLIENT_ID, "secret": GITHUB_OAUTH_CLIENT_SECRET, "key": ""}]
            if GITHUB_SIGN_IN_ENABLED
            else []
        ),
        "GITHUB_URL": GITHUB_URL,
        # read:org lets the membership check see private memberships of GITHUB_ALLOWED_ORGS.
        "SCOPE": ["read:user", "user:email", *(["read:org"] if GITHUB_ALLOWED_ORGS else [])],
    }
}

# Sign-in throttling: lock a username+address pair after repeated failures.
AXES_FAILURE_LIMIT = _env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# A locked-out sign-in gets a 429 page that says why and for how long, not a bare string.
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Serve straight from the finders in development and tests, so no collectstatic is needed.
WHITENOISE_USE_FINDERS = DEBUG or _env_bool("WHITENOISE_USE_FINDERS", False)

# Security: strict when DEBUG is off; HSTS opt-in because it is hard to undo.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = not DEBUG and _env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", False)
# /healthz is probed over plain HTTP by load balancers and compose healthchecks.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Content-Security-Policy (django-csp): our pages use no inline script or style, so
# nothing needs 'unsafe-inline'; CSP_REPORT_ONLY=true tries a change without enforcing it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Plotly sometimes sets an empty style attribute while laying out a chart; allow exactly
        # that (the hash of the empty string) and nothing else inline.
        "style-src-attr": ["'unsafe-hashes'", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
if _env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY, CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY, None

# Mail: SMTP once EMAIL_HOST is set; the console in development; none in production otherwise.
# With DEBUG off a backend that writes mail to stdout, memory or a file is refused (see
# tracker.environment.mail_backend): reset links must never reach the logs.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = mail_backend(configured=env.str("EMAIL_BACKEND", default=""), host=EMAIL_HOST, debug=DEBUG)
EMAIL_HOST = EMAIL_HOST or "localhost"
EMAIL_PORT = _env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS", False)
# No way to send a reset link, no reset pages: they say so instead (postmortems.views.accounts).
PASSWORD_RESET_ENABLED = EMAIL_BACKEND != NO_MAIL_BACKEND
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="postmortems@localhost")

# Celery. Without REDIS_URL tasks run in-process, so `make run` needs no broker.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
# Throttle counts (API, password reset) live in the cache: Redis when configured, so every gunicorn
# process and every host counts against one limit; per-process memory only for the single-process
# development default. Sign-in lockout counts live in the database (django-axes), shared as well.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "tracker.cache.SharedRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "pm-cache",
            # Short, so a Redis outage costs a request a second at most (throttles then let it through).
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only once it has finished, and a worker killed mid-task
# hands its message back, so no delivery is lost to a crash. Our tasks are
# idempotent, so running one twice is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis re-delivers an unacknowledged message after this many seconds; it must be
# longer than our slowest task (a GitHub call with its own 30 s timeout) so a
# healthy worker is never raced by a redelivery. A worker whose child dies hands the
# message back at once (reject on worker lost); a worker killed whole (SIGKILL, OOM,
# lost host) leaves it unacknowledged, and a surviving worker restores it once it is
# older than the visibility timeout. Workers look for such messages every
# interval × throttle seconds (kombu's defaults, 10 × 10); tests shrink all three.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _env_int("CELERY_VISIBILITY_TIMEOUT", 600),
    "unacked_restore_interval": _env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": _env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# The webhook must answer even when Redis is down: publishing gives up fast.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BEAT_SCHEDULE = {
    # Owners of overdue drafts hear about it each working day (the task skips weekends).
    "overdue-reminders": {
        "task": "postmortems.send_overdue_reminders",
        "schedule": crontab(hour=9, minute=0, day_of_week="mon-fri"),
    },
    # The 1st of each month (TIME_ZONE): store last month's report and mail it to the leads.
    "monthly-report-snapshot": {
        "task": "postmortems.store_monthly_report_snapshot",
        "schedule": crontab(hour=6, minute=0, day_of_month=1),
    },
    # Deliveries stored while Redis was down (or whose worker died) are queued again.
    "sweep-github-deliveries": {
        "task": "postmortems.sweep_github_deliveries",
        "schedule": 60.0,
    },
    # Old webhook payloads are emptied (metadata kept) after GITHUB_PAYLOAD_RETENTION_DAYS.
    "prune-webhook-payloads": {
        "task": "postmortems.prune_webhook_payloads",
        "schedule": crontab(hour=3, minute=30),
    },
}

REST_FRAMEWORK = {
    # Token first, so an anonymous caller is told how to authenticate (401), not just refused.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: the interactive docs live at /api/docs/. DRF's browsable API needs inline
    # styles that our Content-Security-Policy refuses.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "postmortems.api.pagination.CountedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Ours fail open when the cache is down, and the exception handler makes refused anonymous calls
    # (no or a wrong token) count too: DRF checks permissions before throttles, so they never would.
    "DEFAULT_THROTTLE_CLASSES": [
        "postmortems.throttling.AnonRateThrottle",
        "postmortems.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_rate("API_THROTTLE_ANON", "60/minute"),
        "user": env_rate("API_THROTTLE_USER", "2000/minute"),
        # Per client address and, separately, per e-mail address asked for.
        "password_reset": env_rate("PASSWORD_RESET_THROTTLE", "5/hour"),
    },
    "EXCEPTION_HANDLER": "postmortems.throttling.exception_handler",
    # The client is REMOTE_ADDR, which ClientAddressMiddleware already took from X-Forwarded-For when a
    # trusted proxy sent it; DRF's default would believe any client's X-Forwarded-For.
    "NUM_PROXIES": 0,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Postmortem Tracker API",
    "DESCRIPTION": "Hotfix postmortems, prevention actions, checklist gaps and the monthly reliability report.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several choice sets share a field name ("status"); give each enum its own name.
    "ENUM_NAME_OVERRIDES": {
        "PostmortemStatusEnum": "postmortems.choices.PostmortemStatus",
        "ActionStatusEnum": "postmortems.choices.ActionStatus",
        "AssessmentStatusEnum": "postmortems.choices.AssessmentStatus",
        "DeliveryStatusEnum": "postmortems.choices.DeliveryStatus",
        "EvidenceStatusEnum": "postmortems.choices.EvidenceStatus",
        "EvidenceKindEnum": "postmortems.choices.EvidenceKind",
        "ActionKindEnum": "postmortems.choices.ActionKind",
        "GapKindEnum": "postmortems.choices.GapKind",
        "StagingVerificationEnum": "postmortems.choices.StagingVerification",
        "StagingOverrideEnum": "postmortems.choices.StagingOverride",
        "EvidenceRuleEnum": "postmortems.choices.EvidenceRule",
        "EvidenceSourceEnum": "postmortems.choices.EvidenceSource",
        "AssessmentSourceEnum": "postmortems.choices.AssessmentSource",
    },
}

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


# --- Follow-through: action issues, Slack, action reminders (SPEC §11) -----------------
# Kept together at the end of the file; nothing above depends on it.
from postmortems.slack.webhook_url import webhook_url_problem  # noqa: E402 - a plain-Python leaf

# Where team messages go when a team has no webhook of its own (and messages about records
# without a team). Secret: shown masked, never logged in full.
SLACK_WEBHOOK_URL = env.str("SLACK_WEBHOOK_URL", default="").strip()
# Hosts a webhook URL may point at; tests add 127.0.0.1 (plain http is accepted on loopback only).
SLACK_WEBHOOK_ALLOWED_HOSTS = env.list("SLACK_WEBHOOK_ALLOWED_HOSTS", default=["hooks.slack.com"])
if SLACK_WEBHOOK_URL and (_slack_problem := webhook_url_problem(SLACK_WEBHOOK_URL, SLACK_WEBHOOK_ALLOWED_HOSTS)):
    raise ImproperlyConfigured(f"SLACK_WEBHOOK_URL is not usable: {_slack_problem}")
SLACK_TIMEOUT = _env_int("SLACK_TIMEOUT", 10)
# Tries per Slack message (429 and 5xx are retried, honouring Retry-After); then it stays failed.
SLACK_MAX_ATTEMPTS = _env_int("SLACK_MAX_ATTEMPTS", 4)

CELERY_BEAT_SCHEDULE.update(
    {
        # Monday 09:00 in TIME_ZONE: each team's digest of overdue records, late actions, expiring mitigations.
        "slack-weekly-digest": {
            "task": "postmortems.slack_weekly_digest",
            "schedule": crontab(hour=9, minute=0, day_of_week="mon"),
        },
        # Every working day; each owner hears about one late action or expired mitigation at most once a week.
        "action-reminders": {
            "task": "postmortems.send_action_reminders",
            "schedule": crontab(hour=9, minute=15, day_of_week="mon-fri"),
        },
        # Action issues and Slack messages whose task never ran (broker down, worker lost) go again.
        "sweep-follow-through": {
            "task": "postmortems.sweep_follow_through",
            "schedule": crontab(minute="*/10"),
        },
    }
)
