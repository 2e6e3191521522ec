"""Orbit Quiz settings: read from the environment, with safe local defaults."""

import os
import sys
from datetime import timedelta
from email.utils import formataddr, getaddresses
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
# The fallback key is only good for a local machine: anyone who knows it can forge embed
# tokens and other signed values. A server for others (DJANGO_SECURE, or bin/serve,
# which sets DJANGO_PRODUCTION) refuses to start without a key of its own.
LOCAL_SECRET_KEY = "insecure-local-only-key-set-DJANGO_SECRET_KEY"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or LOCAL_SECRET_KEY
if SECRET_KEY == LOCAL_SECRET_KEY and (env_bool("DJANGO_SECURE") or env_bool("DJANGO_PRODUCTION")):
    sys.exit(
        "Set DJANGO_SECRET_KEY to a long random value of this site's own (for example the "
        "output of: python3 -c 'import secrets; print(secrets.token_urlsafe(50))'); "
        "a production server does not start with the local default key."
    )
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks_db",
    "accounts",
    "background",
    "lessons",
    "quizzes",
    "classrooms",
    "embeds",
    "lti_tool",  # django-lti: LMS registrations, deployments, the tool's keys
    "lti",
]

# Teachers' long work (a class list of hundreds) runs in the background: tasks are rows in
# the database, run by `manage.py worker` (bin/worker; bin/run starts one beside the site).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A teacher's task that shows no progress for this long has lost its worker (killed, or its
# machine gone): another worker starts it again (classrooms.tasks.restart_stalled).
TASK_STALLED_AFTER = timedelta(seconds=int(os.environ.get("ORBIT_TASK_STALLED_AFTER", "120")))

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages compressed (a question page: 14 KB of HTML, bench/README.md). Below WhiteNoise,
    # which answers static files itself from the copies collectstatic compressed; above every
    # middleware that reads or changes the body. Safe with CSRF tokens in the page (BREACH
    # guesses a secret a byte at a time from compressed sizes): Django masks the token with a
    # new random value in every response, so no two pages carry the same bytes to guess, and
    # GZipMiddleware adds random bytes to each response's length as well.
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "quizsite.admin_pages.ascii_ids_only",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "quizsite.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",  # LANGUAGE_CODE, LANGUAGES
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "quizsite.wsgi.application"

# SQLite by default; DATABASE_URL (postgres://...) switches to PostgreSQL.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}", conn_max_age=60, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers work while one student writes; IMMEDIATE takes the write
        # lock at BEGIN, so concurrent answers wait (busy timeout) instead of failing.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # While PostgreSQL is away, requests fail within seconds with the "try again" page (503)
    # instead of holding every thread for psycopg's default connect timeout (130 s) or a
    # long pool wait: the students' pages retry, and the probes keep answering.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    # Seconds to open a connection (psycopg treats anything under 2 as 2).
    options.setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", 2)))
    if DATABASE_POOL_SIZE := int(os.environ.get("DATABASE_POOL_SIZE", 0)):
        # psycopg's pool, one per process: the production server sets the size to its thread
        # count, so processes × pool size must stay under PostgreSQL's max_connections, and a
        # thread waits for a connection only while the pool is reconnecting.
        DATABASES["default"]["CONN_MAX_AGE"] = 0  # Django refuses persistent ones with a pool
        options["pool"] = {
            "min_size": 1,
            "max_size": DATABASE_POOL_SIZE,
            "timeout": float(os.environ.get("DATABASE_POOL_TIMEOUT", 2)),
        }

# Cache and sessions live outside the process, so any number of app servers can share them.
# The cache is Redis when REDIS_URL is set, otherwise a table in the database (made by
# `migrate`); sessions are always in the database, with REDIS_URL read through a copy in Redis.
# CACHE_KEY_PREFIX keeps apart sites (or test runs) that share one Redis.
if REDIS_URL := os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {"BACKEND": "quizsite.cache.ReusedClientRedisCache", "LOCATION": REDIS_URL}
    }
    # Written to the database and read from a copy in Redis, which Redis may lose.
    SESSION_ENGINE = "quizsite.sessions"
else:
    CACHES = {
        "default": {
            # Django's, with an atomic incr() for rate limits (see the module).
            "BACKEND": "quizsite.cache.AtomicDatabaseCache",
            "LOCATION": "orbit_cache",
        }
    }
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The signed-in account is read from a copy in the cache (accounts/backends.py).
AUTHENTICATION_BACKENDS = ["accounts.backends.CachedUserBackend"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "classrooms:dashboard"
# A new account joins a class next (accounts knows no classes: the project wires them).
SIGNUP_REDIRECT_URL = "classrooms:join"
LOGOUT_REDIRECT_URL = "lessons:lesson_list"

LANGUAGE_CODE = "en"
# Only the languages the whole interface is written in: any other browser gets English pages
# marked lang="en", not English text beside Django's own labels in its language.
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["quizsite.formats"]
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names, so WhiteNoise can let browsers cache them for a year.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Security headers. Only embed routes may be framed (they override these per view).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}
# Sites that may show the embed routes (/embed/...) in an iframe, sent as CSP frame-ancestors:
# "*" for any site, or a comma-separated allowlist of origins ("https://school.example,...").
EMBED_FRAME_ANCESTORS = env_list("EMBED_FRAME_ANCESTORS", "*")
# The LMSs that may show the LTI tool's pages in their frames (lti).
LTI_FRAME_ANCESTORS = env_list("LTI_FRAME_ANCESTORS", "*")
# An embedded practice attempt stays reachable this long after the student's last action.
EMBED_TOKEN_MAX_AGE = int(os.environ.get("EMBED_TOKEN_MAX_AGE", 12 * 60 * 60))
# How many reverse proxies of ours append to X-Forwarded-For; rate limits count the client
# address they saw. 0 (the default) believes only REMOTE_ADDR, which nobody can forge.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", 0))
if env_bool("DJANGO_SECURE"):  # behind HTTPS in production
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]  # load balancers probe over plain HTTP
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    # Only a signal: the domain joins browsers' preload list when its owner submits it.
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)

# One JSON object per line on stdout, for whatever collects the server's logs.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "quizsite.logs.JsonFormatter"}},
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
        }
    },
    "root": {"handlers": ["stdout"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
}

# Errors reach someone. Django mails each server error (500) to ADMINS when DEBUG is off, through
# the mail server in EMAIL_URL: DJANGO_ADMINS="Ada Lovelace <ada@school.example>,ops@school.example"
# and EMAIL_URL=smtp://user:password@mail.school.example:587 (STARTTLS) or smtps://...:465.
ADMINS = [
    formataddr(pair) for pair in getaddresses([os.environ.get("DJANGO_ADMINS", "")]) if pair[1]
]
SERVER_EMAIL = DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", "orbit-quiz@localhost")
EMAIL_SUBJECT_PREFIX = "[Orbit Quiz] "
# A mail server that hangs must not hold a request thread for long. Without EMAIL_URL, mail
# goes to a relay on this machine (localhost:25, as Django's default), and only if ADMINS is set.
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"timeout": 10},
    }
}
if os.environ.get("EMAIL_URL"):
    email_url = urlsplit(os.environ["EMAIL_URL"])
    MAILERS["default"]["OPTIONS"] |= {
        "host": email_url.hostname,
        "port": email_url.port or (465 if email_url.scheme == "smtps" else 587),
        "username": unquote(email_url.username or ""),
        "password": unquote(email_url.password or ""),
        "use_tls": email_url.scheme == "smtp",
        "use_ssl": email_url.scheme == "smtps",
    }

# Error reports to Sentry (or a compatible service) when SENTRY_DSN is set: exceptions with
# their stack, no request bodies, cookies or user details (students' answers and names stay
# here). Never from the test suite, whose 500s are deliberate.
if (SENTRY_DSN := os.environ.get("SENTRY_DSN")) and "pytest" not in sys.modules:
    import sentry_sdk

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        send_default_pii=False,
        max_request_body_size="never",
    )
