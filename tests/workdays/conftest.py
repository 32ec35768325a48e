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


@pytest.fixture
def admin_user(db: Any) -> Any:
    """The system administrator (a superuser counts as one)."""
    return get_user_model().objects.create_superuser("calendar_admin", "admin@example.cn", "Admin-pass-2026")


@pytest.fixture
def officer_user(bureau: Any) -> Any:
    """A signed-in officer (a member of staff with a role, but not the administrator)."""
    from zhifa.org import services as org
    from zhifa.org.models import Role

    person = org.register_person(
        actor=None,
        unit=bureau.units["稽查支队"],
        name="李警官",
        username="officer_li",
        password="Officer-pass-2026",
    )
    org.grant_role(actor=None, person=person, role=Role.OFFICER)
    return person.user


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
