"""Settings for the IOM case management system: one module, read from environment variables.

Outside development (IOM_DEVELOPMENT unset) DEBUG is off, every secret must be given and
cookies are secure. `make run` and `make test` set IOM_DEVELOPMENT=1 and point DATABASE_URL and
the Celery broker at the embedded services they start (see demo/local.py).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from csp.constants import NONE as CSP_NONE
from csp.constants import SELF as CSP_SELF
from django.core.exceptions import ImproperlyConfigured

# Lets generic admin and queryset classes be subscripted at run time, as the type checker wants.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from error


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEVELOPMENT = env_bool("IOM_DEVELOPMENT")


def env_required(name: str, development_default: str | None = None) -> str:
    """A setting that must be given outside development; a laptop gets a safe stand-in."""
    value = os.environ.get(name)
    if value:
        return value
    if DEVELOPMENT and development_default is not None:
        return development_default
    hint = "" if DEVELOPMENT else " (or set IOM_DEVELOPMENT=1 on a developer's machine)"
    raise ImproperlyConfigured(f"The environment variable {name} must be set{hint}.")


DEBUG = DEVELOPMENT and env_bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env_required("DJANGO_SECRET_KEY", "development-only-key-never-use-this-outside-a-laptop-0123456789")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEVELOPMENT else [])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Where local state lives on a laptop: the embedded Postgres, the file broker, beat's schedule.
DATA_DIR = Path(os.environ.get("IOM_DATA_DIR", BASE_DIR / ".data"))

INSTALLED_APPS = [
    "shell.apps.IOMAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "crispy_forms",
    "crispy_forms_gds",
    "govuk_frontend_django",
    "axes",
    "ui",
    "shell",
    "notifications",
    "sharing",
    "cohorts",
    "referrals",
    "meetings",
]
# Demo data, the benchmark and the local launcher: development only, never in production's image.
if DEVELOPMENT:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # HEAD and OPTIONS reveal and record nothing: before the views, after the session is read.
    "shell.middleware.SafeMethodsMiddleware",
    "shell.middleware.RecordMovedMiddleware",  # a merged record's pages lead to the record kept
    "shell.middleware.AbsoluteSessionLifetimeMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # A request refused as out of scope (a 404 on a record that exists) is logged (cohorts/refusal_hooks.py).
    "cohorts.refusal_hooks.RefusalLogMiddleware",
    # A form posted after the session expired is kept for its sender (shell/kept/): after the CSRF
    # check, before LoginRequiredMiddleware sends them to sign in.
    "shell.kept.middleware.KeepSignedOutFormMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Back on its page, its sender sees it: inside the headers' middleware, so the page gets them.
    "shell.kept.middleware.KeptFormPageMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "iom.urls"
WSGI_APPLICATION = "iom.wsgi.application"
ASGI_APPLICATION = "iom.asgi.application"

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
                "shell.context_processors.service",
                "notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_required("DATABASE_URL"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL; no other database is supported.")
# No JIT compiling: the sharing rules and the cohort list are correlated subqueries whose estimated
# cost passes jit_above_cost, and compiling them cost more than running them (measured by
# `manage.py benchmark`: one agency's grants 170 ms with JIT, 47 ms without).
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# Least privilege (DESIGN.md): DATABASE_URL's role owns nothing and may only add to the audit tables;
# the tables' owner runs migrations. Only `manage.py migrate` connects with this URL (shell/database.py),
# and only the process that migrates needs it in its environment.
DATABASE_OWNER_URL = os.environ.get("DATABASE_OWNER_URL", "")
# The role the grants go to, as DATABASE_URL names it (kept apart: a migrating process swaps its
# connection's credentials for the owner's).
DATABASE_APP_ROLE = DATABASES["default"]["USER"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "sharing.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any sign-in to an account locked out by repeated failures (django-axes).
    "axes.backends.AxesStandaloneBackend",
    "sharing.backends.AgencyAwareModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: an idle timeout (the cookie and the stored session are renewed while the user is active,
# at most once a minute) and an absolute lifetime counted from sign-in
# (shell.middleware.AbsoluteSessionLifetimeMiddleware does both).
SESSION_IDLE_TIMEOUT_SECONDS = env_int("SESSION_IDLE_TIMEOUT_SECONDS", 30 * 60)
SESSION_ABSOLUTE_LIFETIME_SECONDS = env_int("SESSION_ABSOLUTE_LIFETIME_SECONDS", 12 * 60 * 60)
SESSION_RENEW_EVERY_SECONDS = 60
# Signed-in pages warn this long before the idle timeout, with "Stay signed in" (static/js/session-timeout.mjs).
SESSION_TIMEOUT_WARNING_SECONDS = env_int("SESSION_TIMEOUT_WARNING_SECONDS", 2 * 60)
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT_SECONDS
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEVELOPMENT
CSRF_COOKIE_SECURE = not DEVELOPMENT
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "shell.views.csrf_failure"

# Transport security outside development (behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER).
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEVELOPMENT)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 0 if DEVELOPMENT else env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp): every script, style, font and image is our own static file
# (the templates have no inline script or style, and GOV.UK Frontend needs none), so nothing
# injected into a page can run. The API's docs page (Swagger UI) alone allows inline styles.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [CSP_SELF],
        "script-src": [CSP_SELF],
        "style-src": [CSP_SELF],
        "img-src": [CSP_SELF, "data:"],
        "font-src": [CSP_SELF],
        "connect-src": [CSP_SELF],
        "object-src": [CSP_NONE],
        "base-uri": [CSP_SELF],
        "form-action": [CSP_SELF],
        "frame-ancestors": [CSP_NONE],
    }
}

# Sign-in lockout (django-axes): after IOM_SIGN_IN_FAILURE_LIMIT failed sign-ins to one account,
# from anywhere, the account cannot sign in for IOM_SIGN_IN_COOLOFF_MINUTES (not for ever: an
# attacker who knows a username can only delay its owner), even with the right password; a
# successful sign-in clears the count. Every attempt is kept in the database (axes' access logs);
# a system admin unlocks an account at once in system administration (its access attempt deleted)
# or with `manage.py axes_reset_username USERNAME`.
AXES_FAILURE_LIMIT = env_int("IOM_SIGN_IN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("IOM_SIGN_IN_COOLOFF_MINUTES", 15))
# By account alone, not by address: a force's officers sign in from a few shared addresses, and
# locking an address would lock a whole station out. Guessing across many accounts is held back by
# each account's own count and by the password rules (12 characters or more, no common passwords);
# hence axes' warning that the address is not a lockout parameter is silenced.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "shell.views.sign_in_locked_out"
AXES_USERNAME_FORM_FIELD = "username"
AXES_VERBOSE = False
AXES_HTTP_RESPONSE_CODE = 429
if env_bool("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Uploaded files (signed agreements) are served only through views that check access.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", DATA_DIR / "media"))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", NODE_MODULES / "govuk-frontend" / "dist" / "govuk"),
    ("moj", NODE_MODULES / "@ministryofjustice" / "frontend" / "moj"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEVELOPMENT
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# On a laptop WhiteNoise serves straight from the source folders; production serves collected files.
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT

# Change history: every tracked table's event rows are append-only, like the access log.
PGHISTORY_APPEND_ONLY = True
# Guardian's anonymous user is not used: every page needs sign-in.
ANONYMOUS_USER_NAME = None
GUARDIAN_MONKEY_PATCH_USER = False

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

# Referral eligibility where local practice differs (referrals/eligibility.py).
IOM_ELIGIBILITY_RULES_OFF = env_list("IOM_ELIGIBILITY_RULES_OFF", [])
IOM_PRIORITY_MIN_AGE = env_int("IOM_PRIORITY_MIN_AGE", 18)
# The IOM unit's kinds of agency: their practitioners, supervisors and panel chairs are the IOM team
# (sharing.roles.is_iom_team), who screen and list referrals and manage cases on the cohort.
IOM_UNIT_AGENCY_KINDS = env_list("IOM_UNIT_AGENCY_KINDS", ["police", "probation"])
# A transition plan may be started this many weeks before the licence ends (cohorts/transitions/services.py).
IOM_TRANSITION_WEEKS = env_int("IOM_TRANSITION_WEEKS", 12)
# How often the selection panel meets: the default of a new series (meetings/scheduling/services.py).
IOM_SELECTION_PANEL_FREQUENCY = os.environ.get("IOM_SELECTION_PANEL_FREQUENCY", "monthly")
# How many days back a panel chair may record a meeting already held (meetings/scheduling/services.py).
IOM_MEETING_RECORD_DAYS_BACK = env_int("IOM_MEETING_RECORD_DAYS_BACK", 28)
# A burst of refused requests by one user (this many within these minutes) tells their agency's
# admins, once a day (cohorts/refusals.py).
IOM_REFUSAL_BURST_COUNT = env_int("IOM_REFUSAL_BURST_COUNT", 20)
IOM_REFUSAL_BURST_MINUTES = env_int("IOM_REFUSAL_BURST_MINUTES", 10)

# The service as users see it.
IOM_SERVICE_NAME = os.environ.get("IOM_SERVICE_NAME", "Integrated Offender Management")
IOM_PHASE = os.environ.get("IOM_PHASE", "alpha")
# Where users reach the service, for links in emails.
IOM_BASE_URL = os.environ.get("IOM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Reminders and their emails (notifications/) ---------------------------------------------------
# The daily digest goes at this local time, or by the first run after it (an outage only delays it).
IOM_DIGEST_AT = os.environ.get("IOM_DIGEST_AT", "07:00")
# More than this many emails of one kind owed at once to one person go as one email with the count.
IOM_EMAILS_AT_ONCE_MAX = env_int("IOM_EMAILS_AT_ONCE_MAX", 3)
# The domain of the emails' Message-IDs: an email sent again after a crash is the same message.
IOM_EMAIL_DOMAIN = os.environ.get("IOM_EMAIL_DOMAIN", urlsplit(IOM_BASE_URL).hostname or "localhost")
# The longest a sweep or an outbox run may take (its hard time limit, in seconds); the broker gives a
# killed worker's task to another just after it (CELERY_BROKER_TRANSPORT_OPTIONS).
IOM_SWEEP_TIME_LIMIT = env_int("IOM_SWEEP_TIME_LIMIT", 960)
# A sweep run still started after this long without a sign of life was abandoned (its worker killed).
IOM_SWEEP_ABANDONED_AFTER = env_int("IOM_SWEEP_ABANDONED_AFTER", IOM_SWEEP_TIME_LIMIT + 240)
# /healthz reports the outbox as late when an email has been owed for longer than this (seconds).
IOM_OUTBOX_LATE_AFTER = env_int("IOM_OUTBOX_LATE_AFTER", 600)

# --- API -----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so that a refused call is a 401 that names the scheme.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested past what the parser can follow is a 400, not a server error (sharing/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "sharing.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Each operation's error responses documented as problem details (sharing/error_policy.py).
    "DEFAULT_SCHEMA_CLASS": "sharing.error_policy.ProblemAutoSchema",
    "DEFAULT_PAGINATION_CLASS": "sharing.pagination.ListPagination",
    # Every error answered as problem details with a stable code, one status per kind; a request
    # refused as out of scope is logged (cohorts/refusal_hooks.py).
    "EXCEPTION_HANDLER": "sharing.error_policy.api_exception_handler",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "IOM case management API",
    "DESCRIPTION": "The partner-facing API of the Integrated Offender Management case management system. "
    "Every endpoint applies the same sharing rules as the pages: what your agency may not see is 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Several models have a choice field called "kind": name each set after its model.
    "ENUM_NAME_OVERRIDES": {
        "RecordedItemKindEnum": "cohorts.records.models.RecordedItem.Kind",
        "CustodyEventKindEnum": "cohorts.events.models.CustodyEvent.Kind",
        "PlanActionStatusEnum": "cohorts.report.models.PlanAction.Status",
        "InterventionStatusEnum": "cohorts.report.models.Intervention.Status",
        "ContactOutcomeEnum": "cohorts.report.models.Contact.Outcome",
        "EnforcementActionKindEnum": "cohorts.report.models.EnforcementAction.Kind",
        "TagHitOutcomeEnum": "cohorts.tags.models.TagHit.Outcome",
        "ReferralDecisionOutcomeEnum": "referrals.models.ReferralDecision.Outcome",
        "DeregistrationStatusEnum": "cohorts.deregistration.models.Deregistration.Status",
        "TransitionStatusEnum": "cohorts.transitions.services.TransitionStatus",
        "MeetingKindEnum": "meetings.scheduling.models.MeetingKind",
        "MeetingStatusEnum": "meetings.scheduling.models.Meeting.Status",
        "AgendaItemKindEnum": "meetings.agenda.models.AgendaItem.Kind",
    },
}

# --- Celery --------------------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    # A task a killed worker had taken (acks late) goes to another worker once this has passed: just
    # above the longest task's hard time limit, so never while the task may still be running.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {"visibility_timeout": IOM_SWEEP_TIME_LIMIT + 60}
elif DEVELOPMENT:
    # A broker that needs no server: kombu's filesystem transport, one folder of message files.
    _broker_dir = Path(os.environ.get("IOM_BROKER_DIR", DATA_DIR / "broker"))
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # The folder is looked at every 0.1 s rather than kombu's every second: a task waits no longer
        # on a laptop than on Redis (a test of a month of daily sweeps waited 30 s for nothing).
        "polling_interval": 0.1,
    }
else:
    raise ImproperlyConfigured("The environment variable REDIS_URL must be set outside development.")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task running when the broker connection drops is cancelled and redelivered (Celery 6's default):
# every task here is safe to run again (reminders and emails go once by their keys).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE_FILENAME = str(
    Path(os.environ.get("CELERY_BEAT_SCHEDULE_FILENAME", DATA_DIR / "celerybeat-schedule"))
)
CELERY_TIMEZONE = TIME_ZONE
# Beat's scheduler records beat's own heartbeat and runs each sweep once as it starts (iom/celery.py).
CELERY_BEAT_SCHEDULER = "iom.celery:Scheduler"
# Periodic work is code, reviewed and tested like the rest (DESIGN.md, "Scheduled work").
CELERY_BEAT_SCHEDULE = {
    # The daily jobs (IOM_DAILY_JOBS), each sent by the first run after its time that finds it not
    # done today (notifications/daily.py).
    "daily-jobs": {"task": "notifications.tasks.daily_jobs", "schedule": crontab(minute="*/15")},
    # The agendas of the next two weeks' meetings follow the data (meetings/agenda/services.py).
    "meeting-agendas-refresh": {
        "task": "meetings.tasks.agendas_refresh",
        "schedule": crontab(minute=20),
        "options": {"expires": 3300},
    },
    # Reminders: each sweep selects what is due by state, hourly (and once when beat starts), so an
    # outage only delays.
    **{
        f"sweep-{name}": {"task": "notifications.tasks.sweep", "schedule": timedelta(hours=1), "kwargs": {"name": name}}
        for name in ("reviews", "transitions", "releases", "y2a", "agreements", "meetings", "actions")
    },
    # The outbox sends every email owed at once, whoever stored it (notifications/outbox.py).
    "outbox": {"task": "notifications.tasks.outbox_send_task", "schedule": 60.0, "options": {"expires": 55}},
    # The digest: each run after IOM_DIGEST_AT sends the day's digests not sent yet.
    "daily-digest": {"task": "notifications.tasks.digest_sweep", "schedule": crontab(minute="*/15")},
}

# The daily jobs, by name: the task, and the local time from which it is due each day. A job missed
# (beat, the broker or the workers down) runs at the first dispatch after they are back.
IOM_DAILY_JOBS: dict[str, tuple[str, str]] = {
    # Meeting series are kept generated six months ahead (meetings/scheduling/services.py).
    "meeting-series-extend": ("meetings.tasks.meeting_series_extend", "01:40"),
    # The sharing grants should always match the rules; this proves it nightly and repairs drift.
    "reconcile-grants": ("cohorts.tasks.reconcile_grants", "02:30"),
    "clear-expired-sessions": ("shell.tasks.clear_expired_sessions", "03:15"),
    # The access log still matches its hash chain (cohorts/audit_chain.py); system admins told if not.
    "verify-access-log": ("cohorts.tasks.verify_access_log", "03:45"),
}

# --- Email ---------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEVELOPMENT else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "iom-noreply@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Logging: one JSON object a line outside development, with secrets scrubbed everywhere -------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEVELOPMENT else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "shell.logging.RedactSecretsFilter"}},
    "formatters": {
        "json": {
            "()": "shell.logging.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        "celery": {"level": LOG_LEVEL},
    },
}
