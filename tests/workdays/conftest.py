"""Personas and helpers for the calendar tests.

2025 and 2026 come from the data migration (chinesecalendar), so every test starts with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from zhifa.workdays import calendar


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> Iterator[None]:
    # The cache is per process and outlives each test's rolled-back transaction.
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The real PBKDF2 costs ~0.3 s per user; nothing here tests password strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user(db: Any) -> Any:
    """The system administrator (a superuser counts as one)."""
    return get_user_model().objects.create_superuser("calendar_admin", "admin@example.cn", "Admin-pass-2026")


@pytest.fixture
def officer_user(db: Any) -> Any:
    """A signed-in member of staff without the administrator role."""
    return get_user_model().objects.create_user("officer_li", "li@example.cn", "Officer-pass-2026")


@pytest.fixture
def admin_client(admin_user: Any) -> Client:
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def officer_client(officer_user: Any) -> Client:
    client = Client()
    client.force_login(officer_user)
    return client
