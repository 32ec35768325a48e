"""The calendar API under /api/v1/calendar/ with a bearer token."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(officer_user: Any) -> Client:
    anonymous = Client()
    response = anonymous.post(
        "/api/v1/auth/token",
        {"username": officer_user.username, "password": "Officer-pass-2026"},
        content_type="application/json",
    )
    assert response.status_code == 200
    return Client(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")


def test_endpoints_need_the_token(client: Client) -> None:
    for url in [
        "/api/v1/calendar/years",
        "/api/v1/calendar/due-date?start=2026-02-13&quantity=1&unit=working_days",
    ]:
        response = client.get(url)
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


def test_years(api: Client) -> None:
    years = api.get("/api/v1/calendar/years").json()
    assert [y["year"] for y in years] == [2025, 2026]
    assert years[1]["holiday_count"] == 33 and years[1]["workday_count"] == 6
    assert years[1]["source"].startswith("chinesecalendar")


def test_year_days(api: Client) -> None:
    body = api.get("/api/v1/calendar/years/2026").json()
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-02-14"]["kind"] == "workday" and days["2026-02-14"]["name"] == "春节"
    assert days["2026-10-01"]["kind"] == "holiday" and days["2026-10-01"]["kind_label"] == "法定节假日（休）"
    missing = api.get("/api/v1/calendar/years/2027")
    assert missing.status_code == 404
    assert missing.json()["code"] == "calendar_year_missing"


def test_due_date(api: Client) -> None:
    response = api.get(
        "/api/v1/calendar/due-date", {"start": "2026-02-13", "quantity": 1, "unit": "working_days"}
    )
    assert response.status_code == 200
    assert response.json() == {
        "start": "2026-02-13",
        "quantity": 1,
        "unit": "working_days",
        "due_date": "2026-02-14",
    }
    months = api.get("/api/v1/calendar/due-date", {"start": "2026-01-31", "quantity": 1, "unit": "months"})
    assert months.json()["due_date"] == "2026-02-28"


def test_due_date_into_a_missing_year_is_a_4xx_with_the_chinese_message(api: Client) -> None:
    response = api.get(
        "/api/v1/calendar/due-date", {"start": "2026-12-30", "quantity": 5, "unit": "working_days"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "calendar_year_missing"
    assert body["message"].startswith("2027年的工作日历尚未导入")
    assert body["details"] == {"year": 2027}


@pytest.mark.parametrize(
    "params",
    [
        {"start": "2026-02-13", "quantity": 1, "unit": "yuan"},
        {"start": "2026-02-13", "quantity": -1, "unit": "working_days"},
        {"start": "2026-02-30", "quantity": 1, "unit": "working_days"},
        {"quantity": 1, "unit": "working_days"},
    ],
)
def test_bad_parameters_are_refused(api: Client, params: dict[str, Any]) -> None:
    response = api.get("/api/v1/calendar/due-date", params)
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_input"
