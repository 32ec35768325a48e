"""Settings for the test suite: the production settings with test-friendly storage and hashing."""

import tempfile
from pathlib import Path

from zhifa.settings import *  # noqa: F403
from zhifa.settings import STORAGES

# Static files are served from the app directories by the live server, without a manifest.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
# Uploaded files go to a throw-away directory, never into the developer's data directory.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="zhifa-test-media-"))
# PBKDF2 is deliberately slow; tests create and log in personas hundreds of times. Tests of
# password handling itself, if any, set the hasher back with the `settings` fixture.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
