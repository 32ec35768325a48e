"""Django settings for Zhifa.

Everything a bureau changes comes from the environment (see README "配置"):
``DATABASE_URL``, ``ZHIFA_DATA_DIR``, ``ZHIFA_FONTS_DIR``, ``ZHIFA_SECRET_KEY``,
``ZHIFA_ALLOWED_HOSTS``, ``ZHIFA_DEBUG``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = BASE_DIR.parent.parent

DATA_DIR = Path(os.environ.get("ZHIFA_DATA_DIR", PROJECT_ROOT / "var")).resolve()
FONTS_DIR = Path(os.environ.get("ZHIFA_FONTS_DIR", "/usr/share/fonts/opentype/noto")).resolve()


def _env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    """Take the key from the environment, else keep one generated key in the data directory.

    A generated key survives restarts, so sessions are not logged out by ``make run``.
    """
    key = os.environ.get("ZHIFA_SECRET_KEY")
    if key:
        return key
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    return key_file.read_text(encoding="utf-8").strip()


DEBUG = _env_flag("ZHIFA_DEBUG")
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ZHIFA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("ZHIFA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "ninja",
    "zhifa.core",
    "zhifa.workdays",
    "zhifa.org",
    "zhifa.catalog",
    "zhifa.records",
    "zhifa.ledger",
    "zhifa.cases",
    "zhifa.documents",
    "zhifa.evidence",
    "zhifa.review",
    "zhifa.disclosure",
    "zhifa.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhifa.core.middleware.LoginRequiredForStaffMiddleware",
]

ROOT_URLCONF = "zhifa.urls"
WSGI_APPLICATION = "zhifa.wsgi.application"

TEMPLATES: list[dict[str, Any]] = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhifa.core.context_processors.staff_navigation",
                "zhifa.ledger.views.failed_audit_banner",
            ],
        },
    },
]

# SQLite is the embedded default; PostgreSQL in production via DATABASE_URL.
_default_sqlite = f"sqlite:///{DATA_DIR / 'zhifa.sqlite3'}"
DATABASES: dict[str, dict[str, Any]] = {
    "default": dict(dj_database_url.parse(os.environ.get("DATABASE_URL", _default_sqlite), conn_max_age=60))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # Writers take the lock when the transaction starts, so two writers queue instead of
        # failing half-way with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
            "PRAGMA busy_timeout=20000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Dumps keep timestamps to the microsecond, so a reloaded record still matches its ledger leaf.
SERIALIZATION_MODULES = {"json": "zhifa.core.precise_json"}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Uploads: photos of credentials are small; larger evidence comes through the chunked upload API.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
ZHIFA_MAX_IMPORT_BYTES = 5 * 1024 * 1024
ZHIFA_MAX_PHOTO_BYTES = 2 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the cookie-less meta tag; keep default
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
if _env_flag("ZHIFA_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Evidence (photos, audio, video): write-once, content-addressed, outside MEDIA_ROOT so that no
# web server serves it without the permission check. "s3" uses django-storages with AWS_* settings.
ZHIFA_EVIDENCE_STORAGE = os.environ.get("ZHIFA_EVIDENCE_STORAGE", "local")
ZHIFA_EVIDENCE_ROOT = Path(os.environ.get("ZHIFA_EVIDENCE_ROOT", DATA_DIR / "evidence")).resolve()
ZHIFA_EVIDENCE_SPOOL_DIR = Path(
    os.environ.get("ZHIFA_EVIDENCE_SPOOL_DIR", DATA_DIR / "evidence-spool")
).resolve()
ZHIFA_EVIDENCE_MAX_BYTES = int(os.environ.get("ZHIFA_EVIDENCE_MAX_BYTES", str(8 * 1024**3)))
ZHIFA_EVIDENCE_CHUNK_BYTES = 8 * 1024**2
for _name in (
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_S3_REGION_NAME",
):
    if os.environ.get(_name):
        globals()[_name] = os.environ[_name]

# The ledger (Merkle log under the record): hash algorithm, the origin line of its checkpoints,
# where the private signing keys live (never in the database), and its schedule.
ZHIFA_LEDGER_HASH = os.environ.get("ZHIFA_LEDGER_HASH", "sm3")
ZHIFA_LEDGER_ORIGIN = os.environ.get("ZHIFA_LEDGER_ORIGIN", "zhifa/ledger")
ZHIFA_LEDGER_KEYS_DIR = Path(os.environ.get("ZHIFA_LEDGER_KEYS_DIR", DATA_DIR / "keys")).resolve()
ZHIFA_LEDGER_SIGNING_ALGORITHM = os.environ.get("ZHIFA_LEDGER_SIGNING_ALGORITHM", "sm2")
ZHIFA_CHECKPOINT_EVERY_SECONDS = int(os.environ.get("ZHIFA_CHECKPOINT_EVERY_SECONDS", "600"))
ZHIFA_AUDIT_EVERY_SECONDS = int(os.environ.get("ZHIFA_AUDIT_EVERY_SECONDS", str(24 * 3600)))

ZHIFA_API_TOKEN_TTL_HOURS = int(os.environ.get("ZHIFA_API_TOKEN_TTL_HOURS", "12"))

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("ZHIFA_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
