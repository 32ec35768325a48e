"""Settings for the test suite: the production settings, with a throw-away data directory,
test-friendly static storage and fast password hashing."""

import os
import tempfile
from pathlib import Path

# Everything the settings write (secret key, uploads, collected static files) goes to a temporary
# directory, never into the developer's data directory.
_DATA_DIR = Path(tempfile.mkdtemp(prefix="zhifa-test-"))
os.environ["ZHIFA_DATA_DIR"] = str(_DATA_DIR)
os.environ.setdefault("ZHIFA_SECRET_KEY", "test-only-secret-key-not-for-production")

from zhifa.settings import *  # noqa: E402, F403
from zhifa.settings import STORAGES  # noqa: E402

# Static files are served from the app directories by the live server, without a manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
STATIC_ROOT = _DATA_DIR / "static"
STATIC_ROOT.mkdir()
MEDIA_ROOT = _DATA_DIR / "media"
ZHIFA_EVIDENCE_ROOT = _DATA_DIR / "evidence"
ZHIFA_EVIDENCE_SPOOL_DIR = _DATA_DIR / "evidence-spool"
# PBKDF2 is deliberately slow; tests create and log in personas hundreds of times. Tests of
# password handling itself, if any, set the hasher back with the `settings` fixture.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
