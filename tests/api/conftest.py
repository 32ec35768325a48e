"""API tests: the shared personas come from ``tests/conftest.py``."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Every persona gets a password and every token request checks one; the production hasher
    (PBKDF2, about a million rounds) would make each test spend seconds hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
