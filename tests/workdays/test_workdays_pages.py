"""The staff pages under /calendar/: who sees what, what the forms refuse, and what they save."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from zhifa.workdays.models import CalendarChange, CalendarChangeType, CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db

D = datetime.date
WRITE_VIEWS = ["workdays:upload", "workdays:seed", "workdays:day_set", "workdays:day_remove"]


def counts() -> tuple[int, int, int]:
    return CalendarYear.objects.count(), SpecialDay.objects.count(), CalendarChange.objects.count()


def page(response: Any) -> str:
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_the_login_page(client: Client) -> None:
    for url in [reverse("workdays:year_list"), reverse("workdays:year_detail", args=[2026])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_year_list_shows_the_loaded_years_without_buttons_for_officers(officer_client: Client) -> None:
    response = officer_client.get(reverse("workdays:year_list"))
    assert response.status_code == 200
    html = page(response)
    assert "2026年" in html and "chinesecalendar" in html and "期限计算器" in html
    assert reverse("workdays:upload") not in html
    assert reverse("workdays:seed") not in html


def test_year_list_shows_the_write_buttons_to_administrators(admin_client: Client) -> None:
    html = page(admin_client.get(reverse("workdays:year_list")))
    assert reverse("workdays:upload") in html and reverse("workdays:seed") in html


@pytest.mark.parametrize(("today", "flagged"), [(D(2026, 11, 20), True), (D(2026, 6, 1), False)])
def test_next_year_is_flagged_in_november_and_december(
    officer_client: Client, monkeypatch: pytest.MonkeyPatch, today: datetime.date, flagged: bool
) -> None:
    monkeypatch.setattr("zhifa.workdays.views.timezone.localdate", lambda: today)
    html = page(officer_client.get(reverse("workdays:year_list")))
    assert ("2027年的工作日历尚未导入" in html) is flagged
    assert ('class="card cal-alert"' in html) is flagged


def test_calculator_fragment_over_htmx(officer_client: Client) -> None:
    url = reverse("workdays:calculate")
    response = officer_client.get(
        url, {"start": "2026-02-13", "quantity": "1", "unit": "working_days"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = page(response)
    assert "<html" not in html
    assert "2026-02-14（周六）" in html and "调休上班" in html


def test_calculator_shows_the_missing_year_message(officer_client: Client) -> None:
    params = {"start": "2026-12-30", "quantity": "5", "unit": "working_days"}
    fragment = officer_client.get(reverse("workdays:calculate"), params, HTTP_HX_REQUEST="true")
    assert fragment.status_code == 200
    assert "2027年的工作日历尚未导入，无法计算工作日期限" in page(fragment)
    full = officer_client.get(reverse("workdays:year_list"), params)  # without JavaScript
    assert full.status_code == 200
    assert "2027年的工作日历尚未导入，无法计算工作日期限" in page(full)


def test_calculator_rolls_calendar_days_forward_and_rejects_bad_input(officer_client: Client) -> None:
    url = reverse("workdays:calculate")
    html = page(
        officer_client.get(
            url, {"start": "2026-09-24", "quantity": "7", "unit": "calendar_days"}, HTTP_HX_REQUEST="true"
        )
    )
    assert "2026-10-08" in html and "顺延" in html
    bad = officer_client.get(
        url, {"start": "2026-13-01", "quantity": "-1", "unit": "x"}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 200
    assert "起算事件日" in page(bad) and "calc-error" in page(bad)


def test_year_detail_shows_month_grids_and_the_change_log(officer_client: Client) -> None:
    response = officer_client.get(reverse("workdays:year_detail", args=[2026]))
    assert response.status_code == 200
    html = page(response)
    assert html.count('class="card cal-month"') == 12
    assert 'class="cal-day holiday' in html and 'class="cal-day workday' in html and "cal-day weekend" in html
    assert "春节" in html and "国庆节" in html and "图例" in html
    assert "导入年度" in html and "数据迁移" in html  # the change log
    assert reverse("workdays:day_set") not in html


def test_year_detail_of_a_missing_year_says_so(admin_client: Client) -> None:
    response = admin_client.get(reverse("workdays:year_detail", args=[2027]))
    assert response.status_code == 200
    assert "2027年的工作日历尚未导入" in page(response)
    assert f"{reverse('workdays:seed')}?year=2027" in page(response)
    assert admin_client.get(reverse("workdays:year_detail", args=[1900])).status_code == 404


@pytest.mark.parametrize("name", WRITE_VIEWS)
def test_officers_get_403_on_every_write_view(officer_client: Client, name: str) -> None:
    before = counts()
    url = reverse(name)
    assert officer_client.get(url).status_code == 403
    post = {
        "date": "2026-03-07",
        "kind": "workday",
        "name": "x",
        "reason": "x",
        "year": "2026",
        "replace": "on",
    }
    assert officer_client.post(url, post).status_code == 403
    assert counts() == before


def test_officers_get_403_on_export(officer_client: Client) -> None:
    assert officer_client.get(reverse("workdays:export", args=[2026])).status_code == 403


def test_writes_need_the_csrf_token(admin_user: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    before = counts()
    response = client.post(
        reverse("workdays:day_set"), {"date": "2026-03-07", "kind": "workday", "name": "x", "reason": "x"}
    )
    assert response.status_code == 403
    assert counts() == before


def test_admin_sets_a_make_up_day(admin_client: Client) -> None:
    form = admin_client.get(reverse("workdays:day_set"), {"date": "2026-02-14"})
    assert form.status_code == 200 and 'value="2026-02-14"' in page(form)
    response = admin_client.post(
        reverse("workdays:day_set"),
        {"date": "2026-03-07", "kind": "workday", "name": "测试调休", "reason": "演练"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("workdays:year_detail", args=[2026])
    assert SpecialDay.objects.get(date=D(2026, 3, 7)).kind == "workday"
    change = CalendarChange.objects.get(date=D(2026, 3, 7))
    assert change.change_type == CalendarChangeType.DAY_SET and change.reason == "演练"
    # The next computation sees it.
    html = page(
        admin_client.get(
            reverse("workdays:calculate"),
            {"start": "2026-03-06", "quantity": "1", "unit": "working_days"},
            HTTP_HX_REQUEST="true",
        )
    )
    assert "2026-03-07" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2026-03-04", "kind": "workday", "name": "x", "reason": "演练"}, "只能是周六或周日"),
        ({"date": "2026-03-07", "kind": "workday", "name": "x", "reason": ""}, "这个字段是必填项"),
        (
            {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "reason": "x"},
            "2027年的工作日历尚未导入",
        ),
        ({"date": "not-a-date", "kind": "holiday", "name": "", "reason": "x"}, "输入一个有效的日期"),
    ],
)
def test_bad_day_input_shows_the_error_and_saves_nothing(
    admin_client: Client, data: dict[str, str], message: str
) -> None:
    before = counts()
    response = admin_client.post(reverse("workdays:day_set"), data)
    assert response.status_code == 200
    assert message in page(response)
    assert counts() == before


def test_admin_removes_a_day(admin_client: Client) -> None:
    assert admin_client.get(reverse("workdays:day_remove"), {"date": "2026-02-28"}).status_code == 200
    missing_reason = admin_client.post(reverse("workdays:day_remove"), {"date": "2026-02-28", "reason": ""})
    assert missing_reason.status_code == 200 and SpecialDay.objects.filter(date=D(2026, 2, 28)).exists()
    response = admin_client.post(reverse("workdays:day_remove"), {"date": "2026-02-28", "reason": "测试"})
    assert response.status_code == 302
    assert not SpecialDay.objects.filter(date=D(2026, 2, 28)).exists()
    assert CalendarChange.objects.get(date=D(2026, 2, 28)).change_type == CalendarChangeType.DAY_REMOVED
    not_special = admin_client.post(reverse("workdays:day_remove"), {"date": "2026-03-04", "reason": "测试"})
    assert not_special.status_code == 200 and "不是已登记的" in page(not_special)


def test_admin_uploads_a_file(admin_client: Client) -> None:
    content = "date,kind,name\n2027-01-01,休,元旦\n2027-02-06,班,春节\n".encode()
    response = admin_client.post(
        reverse("workdays:upload"),
        {"file": SimpleUploadedFile("2027.csv", content, "text/csv"), "source": "国务院办公厅通知（测试）"},
    )
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=2027).source == "国务院办公厅通知（测试）"
    assert SpecialDay.objects.filter(year_id=2027).count() == 2


def test_a_bad_upload_lists_each_row_and_saves_nothing(admin_client: Client) -> None:
    content = "date,kind,name\n2027-01-01,休,元旦\n2027-01-06,班,周三\n2027-02-30,休,x\n".encode()
    before = counts()
    response = admin_client.post(
        reverse("workdays:upload"), {"file": SimpleUploadedFile("bad.csv", content, "text/csv")}
    )
    assert response.status_code == 200
    html = page(response)
    assert "未导入任何数据" in html and "第3行" in html and "第4行" in html and "只能是周六或周日" in html
    assert counts() == before


def test_seed_page(admin_client: Client) -> None:
    before = counts()
    response = admin_client.post(reverse("workdays:seed"), {"year": "2027"})
    assert response.status_code == 200 and "没有2027年的节假日数据" in page(response)
    again = admin_client.post(reverse("workdays:seed"), {"year": "2026"})
    assert again.status_code == 200 and "已经导入" in page(again)
    assert counts() == before
    replaced = admin_client.post(reverse("workdays:seed"), {"year": "2026", "replace": "on"})
    assert replaced.status_code == 302
    assert CalendarChange.objects.filter(year=2026, change_type=CalendarChangeType.YEAR_REPLACED).count() == 1


def test_export_download(admin_client: Client) -> None:
    response = admin_client.get(reverse("workdays:export", args=[2026]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="workdays-2026.csv"' in response["Content-Disposition"]
    body = response.content.decode("utf-8-sig")
    assert body.splitlines()[0] == "date,kind,name" and "2026-02-14,workday,春节" in body
    missing = admin_client.get(reverse("workdays:export", args=[2027]))
    assert missing.status_code == 302
