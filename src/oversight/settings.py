"""Django settings, read from the environment (twelve-factor).

DATABASE_URL   database to use (default: SQLite file var/oversight.sqlite3)
SECRET_KEY     signing key (default: a development key; set it in production)
DEBUG          "1"/"true" for debug pages (default off)
ALLOWED_HOSTS  comma-separated host names (default: localhost and 127.0.0.1)
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.utils.csp import CSP

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("OVERSIGHT_VAR_DIR", BASE_DIR / "var"))


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _flag("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "oversight-development-key-not-for-production")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
]
if "testserver" not in ALLOWED_HOSTS:
    ALLOWED_HOSTS.append("testserver")

DEFAULT_SQLITE_PATH = VAR_DIR / "oversight.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DEFAULT_SQLITE_PATH}"),
        conn_max_age=60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Per-process memory for computed pages. (The sign-in throttle counts in the database, where
# every server process and host shares its rows: access/throttle.py.)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # Progress of running background jobs (oversight.jobs: large uploads, board reports), read
    # by every server process. Files, not the database: a job may write inside one transaction,
    # so progress written through the database would stay invisible to other processes until
    # it commits (and SQLite admits one writer at a time).
    "job_progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": VAR_DIR / "job-progress",
    },
}

# Background jobs (oversight.jobs, docs/jobs.md): Django's tasks framework, queued in the
# database so a job survives a restart; `oversight worker` runs them (`oversight serve` starts
# one beside the server). The tests run each job at once, inside the request (tests/conftest.py).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # The API documentation (Swagger UI) from ninja's own static files, not a CDN.
    "ninja",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks_db",
    "oversight.web",
    "oversight.organisations",
    "oversight.metrics",
    "oversight.access",
    "oversight.segmentation",
    "oversight.support",
    "oversight.governance",
    "oversight.delegation",
    "oversight.risks",
    "oversight.development",
    "oversight.reports",
    "oversight.jobs",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "oversight.web.middleware.refuse_nul",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # A single sign-on's session is re-checked at the provider once its ID token is older
    # than OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS (does nothing unless single sign-on is on).
    "oversight.access.oidc.RecheckSignOn",
    "oversight.access.middleware.roles_once",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
]

AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (below): answers only a provider's callback, and only when configured.
    "oversight.access.oidc.SignOnBackend",
]

# Single sign-on with OpenID Connect (docs/sign-in.md): on when OIDC_CLIENT_ID is set with an
# issuer (endpoints from its discovery document) or the endpoints themselves. The username and
# password sign-in stays.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_OP_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_JWKS_URI", "")
OIDC_OP_LOGOUT_ENDPOINT = os.environ.get("OIDC_END_SESSION_ENDPOINT", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid profile email")
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = True  # the hint for signing out at the provider
OIDC_TIMEOUT = 10
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your NHS account")
OIDC_ROLE_MAP = os.environ.get("OIDC_ROLE_MAP", str(PACKAGE_DIR / "access" / "sign-in-roles.yaml"))
OIDC_ROLES_CLAIM = os.environ.get("OIDC_ROLES_CLAIM", "")
OIDC_ORGANISATION_CLAIM = os.environ.get("OIDC_ORGANISATION_CLAIM", "")
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc_callback"
OIDC_RENEW_ID_TOKEN_EXPIRY_SECONDS = int(os.environ.get("OIDC_RECHECK_SECONDS", "900"))

ROOT_URLCONF = "oversight.urls"
WSGI_APPLICATION = "oversight.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "oversight.jinja2.environment"},
    },
    {
        # The admin and Django's own pages still use Django templates.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Email (support notifications): printed to the console unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "oversight@localhost")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
# NHS.UK frontend comes from the npm package installed at set-up (node_modules), not the repo.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# The NHS.UK stylesheet without its remote fonts (oversight.web.assets, built at set-up): found
# before the package's own copy of the same name.
if (NODE_MODULES / ".oversight" / "nhsuk").is_dir():
    STATICFILES_DIRS.append(("nhsuk", NODE_MODULES / ".oversight" / "nhsuk"))
if (NODE_MODULES / "nhsuk-frontend" / "dist").is_dir():
    STATICFILES_DIRS.append(("nhsuk", NODE_MODULES / "nhsuk-frontend" / "dist" / "nhsuk"))
if (NODE_MODULES / "htmx.org" / "dist").is_dir():
    STATICFILES_DIRS.append(("htmx", NODE_MODULES / "htmx.org" / "dist"))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Uploaded files (governance papers, terms of reference) go through Django's storage API: the
# file system under var/media by default; a deployment may configure object storage in STORAGES.
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("OVERSIGHT_MEDIA_DIR", VAR_DIR / "media"))

# Board reports in Word take their styles, headers and footers from the board's own template, a
# .docx file (docs/reports.md); empty: python-docx's default document.
OVERSIGHT_WORD_TEMPLATE = os.environ.get("OVERSIGHT_WORD_TEMPLATE", "")

# Security. Cookies go over HTTPS only in a deployment (DATABASE_URL set, not debug; SECURE_COOKIES
# overrides): the embedded demo is served over plain http on localhost. A deployment also gets
# HSTS (sent on HTTPS responses only) and, behind a proxy that terminates TLS, trusts its
# X-Forwarded-Proto (SECURE_PROXY=1) so HTTPS requests are recognised. CSP via Django 6.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _flag("SECURE_COOKIES", default=not DEBUG and "DATABASE_URL" in os.environ)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0
if _flag("SECURE_PROXY"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# Signing out after a single sign-on redirects the sign-out form to the provider's end-session
# endpoint, which browsers check against form-action: that one origin is added, nothing else.
_provider = urlsplit(OIDC_OP_LOGOUT_ENDPOINT or OIDC_OP_ISSUER)
if OIDC_RP_CLIENT_ID and _provider.scheme and _provider.netloc:
    SECURE_CSP["form-action"].append(f"{_provider.scheme}://{_provider.netloc}")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
