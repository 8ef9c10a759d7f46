"""Django settings for Coexist.

Everything that differs between machines comes from the environment (see README, "Configuration").
Defaults are safe: DEBUG is off unless asked for, and outside DEBUG there is no default secret key.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import dj_database_url

from coexist.env import ImproperEnvironment, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("COEXIST_DEBUG", False)

if DEBUG:
    SECRET_KEY = env_str("COEXIST_SECRET_KEY", "development-only-secret-key-never-used-in-production")
else:
    SECRET_KEY = env_str("COEXIST_SECRET_KEY")
    if len(SECRET_KEY) < 32:
        raise ImproperEnvironment("COEXIST_SECRET_KEY must be at least 32 characters")

ALLOWED_HOSTS = env_list("COEXIST_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("COEXIST_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "axes",
    "csp",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "coexist.background",
    "coexist.accounts",
    "coexist.organisations",
    "coexist.people",
    "coexist.care",
    "coexist.referrals",
    "coexist.tasks",
    "coexist.assessments",
    "coexist.instruments",
    "coexist.engagement",
    "coexist.timeline",
    "coexist.audit",
    "coexist.interop",
    "coexist.demo",
    "coexist.notifications",
    "coexist.inpatient",
    "coexist.medicines",
    "coexist.advice",
    "coexist.transitions",
    "coexist.handover",
    "coexist.outcomes",
    "coexist.evaluation",
    "coexist.survey",
    "coexist.research",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "coexist.people.middleware.AccessRefusedMiddleware",
    "coexist.interop.middleware.ApiProblemMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "coexist.urls"
WSGI_APPLICATION = "coexist.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "coexist" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "coexist.accounts.context_processors.staff_navigation",
            ],
        },
    },
]

# SQLite (WAL) by default so a newcomer needs nothing installed; PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'coexist.sqlite3'}"),
        conn_max_age=env_int("COEXIST_DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler spends longer compiling the outcome dashboards' queries than running them
    # (decision 0017): off for our connections, whatever the server's default.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

# A cache every worker process shares, so the self-referral rate limit (django-ratelimit) counts
# one address across all of them. The table is created by referrals migration 0003. Its increment
# is not atomic: under a burst a few extra requests may get through, which is acceptable for
# limiting abuse of a public form (a Redis cache through COEXIST_CACHE_BACKEND/LOCATION if not).
CACHES = {
    "default": {
        "BACKEND": env_str("COEXIST_CACHE_BACKEND", "django.core.cache.backends.db.DatabaseCache"),
        "LOCATION": env_str("COEXIST_CACHE_LOCATION", "coexist_cache"),
    }
}

# The public self-referral (R12), per address: submitted referrals, and every attempt (form spam).
SELF_REFERRAL_RATE = env_str("COEXIST_SELF_REFERRAL_RATE", "5/h")
SELF_REFERRAL_TRY_RATE = env_str("COEXIST_SELF_REFERRAL_TRY_RATE", "30/h")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Argon2 first: new and upgraded passwords are hashed with it (NCSC guidance on password storage).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:sign-in"

# Sign-in hardening: lock an account after repeated failures; the lock lifts after a cool-off.
AXES_FAILURE_LIMIT = env_int("COEXIST_SIGNIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("COEXIST_SIGNIN_LOCKOUT_MINUTES", 15))
# Lock the account, not the address: NHS staff often share one outgoing IP address, and locking it
# would lock out a whole site (docs/decisions/0004-sign-in-lockout-by-account.md).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "coexist.accounts.views.locked_out"
AXES_VERBOSE = False

# Session expiry after inactivity: each request pushes the expiry forward.
SESSION_COOKIE_AGE = env_int("COEXIST_SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("COEXIST_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Strict content security policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# In development, serve straight from the app and build folders; in production, from `collectstatic`.
WHITENOISE_USE_FINDERS = DEBUG
# build/static holds what `make assets` compiles from npm packages (NHS.UK frontend, htmx).
STATICFILES_DIRS = [BASE_DIR / "build" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# R6: a missed appointment with no current risk flag is followed up within this many working days.
COEXIST_FOLLOW_UP_WORKING_DAYS = env_int("COEXIST_FOLLOW_UP_WORKING_DAYS", 3)
# R14: outcome tables hide counts below this (and what would give them away); 5 by default, never below 2.
OUTCOMES_SUPPRESSION_THRESHOLD = env_int("COEXIST_SUPPRESSION_THRESHOLD", 5)
if COEXIST_FOLLOW_UP_WORKING_DAYS < 1:
    raise ImproperEnvironment("COEXIST_FOLLOW_UP_WORKING_DAYS must be at least 1")

# R11 reminders: console (logs the message) by default; GOV.UK Notify in production. Choosing Notify
# without a key or template ids stops start-up (coexist.notifications.backends.check_configuration).
COEXIST_NOTIFICATIONS_BACKEND = env_str(
    "COEXIST_NOTIFICATIONS_BACKEND", "coexist.notifications.backends.ConsoleBackend"
)
COEXIST_NOTIFY_API_KEY = env_str("COEXIST_NOTIFY_API_KEY", "")
COEXIST_NOTIFY_BASE_URL = env_str("COEXIST_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
COEXIST_NOTIFY_SMS_TEMPLATE_ID = env_str("COEXIST_NOTIFY_SMS_TEMPLATE_ID", "")
COEXIST_NOTIFY_EMAIL_TEMPLATE_ID = env_str("COEXIST_NOTIFY_EMAIL_TEMPLATE_ID", "")
COEXIST_NOTIFY_LETTER_TEMPLATE_ID = env_str("COEXIST_NOTIFY_LETTER_TEMPLATE_ID", "")

# Background work: the database-backed worker (`manage.py db_worker`) started by `make run`.
TASKS = {
    "default": {
        "BACKEND": env_str("COEXIST_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# How often the safety-net sweep (R6 escalation and loss of contact, R11 reminders, R7 reviews) runs.
COEXIST_SWEEP_EVERY = timedelta(seconds=env_int("COEXIST_SWEEP_EVERY_SECONDS", 60))
if COEXIST_SWEEP_EVERY.total_seconds() < 1:
    raise ImproperEnvironment("COEXIST_SWEEP_EVERY_SECONDS must be at least 1")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("COEXIST_LOG_LEVEL", "INFO")},
    # WeasyPrint reports each step of building a PDF at INFO ("Fetching and parsing CSS"): noise here.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
FORM_RENDERER = "coexist.forms.NHSRenderer"
