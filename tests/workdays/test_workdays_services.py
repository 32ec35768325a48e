"""Calendar writes: every rule refuses clearly, nothing half-saves, and every write is logged."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhifa.core.errors import Conflict, DomainError, InvalidInput, NotFound
from zhifa.workdays import calendar, selectors, services
from zhifa.workdays.calendar import CalendarYearMissing, add_working_days, is_working_day
from zhifa.workdays.models import CalendarChange, CalendarChangeType, CalendarYear, DayKind, SpecialDay

pytestmark = pytest.mark.django_db

D = datetime.date
# A plausible 2027 file (the schedule itself is published by the State Council each November).
CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-05,休,春节
2027-02-08,法定节假日,春节
2027-02-06,班,春节
2027-10-01,holiday,国庆节
2027-10-09,调休上班,国庆节
"""


def counts() -> tuple[int, int, int]:
    return CalendarYear.objects.count(), SpecialDay.objects.count(), CalendarChange.objects.count()


def test_load_year_logs_and_makes_the_year_computable(admin_user: Any) -> None:
    with pytest.raises(CalendarYearMissing):
        add_working_days(D(2026, 12, 30), 5)
    before_changes = CalendarChange.objects.count()
    services.load_year(
        actor=admin_user,
        year=2027,
        days=[(D(2027, 1, 1), "holiday", "元旦"), (D(2027, 1, 2), "holiday", "元旦")],
        source="国务院办公厅关于2027年部分节假日安排的通知",
    )
    # 31 Dec (Thu), then 1 Jan off, 2–3 Jan weekend, 4 Jan (Mon) ...
    assert add_working_days(D(2026, 12, 30), 2) == D(2027, 1, 4)
    year = CalendarYear.objects.get(year=2027)
    assert year.loaded_by == admin_user
    change = CalendarChange.objects.get(year=2027)
    assert CalendarChange.objects.count() == before_changes + 1
    assert change.change_type == CalendarChangeType.YEAR_LOADED
    assert change.actor == admin_user
    assert change.before is None
    assert change.after["source"] == "国务院办公厅关于2027年部分节假日安排的通知"
    assert [d["date"] for d in change.after["days"]] == ["2027-01-01", "2027-01-02"]


def test_loading_a_loaded_year_needs_replace(admin_user: Any) -> None:
    before = counts()
    with pytest.raises(Conflict, match="2026年的工作日历已经导入"):
        services.load_year(actor=admin_user, year=2026, days=[(D(2026, 1, 1), "holiday", "元旦")], source="x")
    assert counts() == before


def test_replace_swaps_the_year_whole_and_logs_before_and_after(admin_user: Any) -> None:
    assert is_working_day(D(2026, 2, 14))  # warm the cache with the old data
    services.load_year(
        actor=admin_user,
        year=2026,
        days=[(D(2026, 1, 1), "holiday", "元旦")],
        source="测试替换",
        replace=True,
        reason="测试整体替换",
    )
    assert list(SpecialDay.objects.filter(year_id=2026).values_list("date", flat=True)) == [D(2026, 1, 1)]
    assert not is_working_day(D(2026, 2, 14))  # the old make-up Saturday is gone: the cache was cleared
    change = CalendarChange.objects.filter(year=2026).first()
    assert change is not None
    assert change.change_type == CalendarChangeType.YEAR_REPLACED
    assert change.reason == "测试整体替换"
    assert len(change.before["days"]) == 39 and change.before["source"].startswith("chinesecalendar")
    assert change.after["days"] == [{"date": "2026-01-01", "kind": "holiday", "name": "元旦"}]
    assert "删除38天" in selectors.change_summary(change)


def test_load_year_refuses_bad_days_and_saves_nothing(admin_user: Any) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as info:
        services.load_year(
            actor=admin_user,
            year=2027,
            days=[
                (D(2027, 1, 1), "holiday", "元旦"),
                (D(2027, 1, 6), "workday", "错误"),  # a Wednesday
                (D(2026, 1, 6), "holiday", "错年"),
                (D(2027, 1, 1), "holiday", "重复"),
            ],
            source="测试",
        )
    assert len(info.value.details["days"]) == 3
    assert (
        "周三" in info.value.message and "不属于2027年" in info.value.message and "重复" in info.value.message
    )
    assert counts() == before


def test_a_year_with_no_holidays_is_refused(admin_user: Any) -> None:
    with pytest.raises(InvalidInput, match="没有任何法定节假日"):
        services.load_year(actor=admin_user, year=2027, days=[], source="空")
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_a_weekday_make_up_day_is_refused(admin_user: Any) -> None:
    before = counts()
    with pytest.raises(InvalidInput, match="只能是周六或周日"):
        services.set_special_day(actor=admin_user, day=D(2026, 3, 4), kind="workday", name="x", reason="测试")
    assert counts() == before


def test_set_special_day_adds_changes_and_logs(admin_user: Any) -> None:
    assert is_working_day(D(2026, 3, 4))
    services.set_special_day(
        actor=admin_user, day=D(2026, 3, 4), kind="holiday", name="测试假日", reason="演练"
    )
    assert not is_working_day(D(2026, 3, 4))  # the next computation sees the edit
    assert add_working_days(D(2026, 3, 3), 1) == D(2026, 3, 5)

    # A weekend day may be a holiday too (inside a holiday span); Saturday 7 March becomes a make-up day.
    services.set_special_day(actor=admin_user, day=D(2026, 3, 7), kind="班", name="调休", reason="演练")
    assert is_working_day(D(2026, 3, 7))
    services.set_special_day(actor=admin_user, day=D(2026, 3, 7), kind="休", name="调休取消", reason="更正")
    assert not is_working_day(D(2026, 3, 7))

    changes = list(CalendarChange.objects.filter(year=2026, date=D(2026, 3, 7)).order_by("id"))
    assert [c.change_type for c in changes] == [CalendarChangeType.DAY_SET, CalendarChangeType.DAY_SET]
    assert changes[0].before is None
    assert changes[1].before == {"date": "2026-03-07", "kind": "workday", "name": "调休"}
    assert changes[1].after == {"date": "2026-03-07", "kind": "holiday", "name": "调休取消"}
    assert all(c.actor == admin_user and c.reason for c in changes)


def test_remove_special_day_restores_the_weekday_rule_and_logs(admin_user: Any) -> None:
    assert is_working_day(D(2026, 2, 28))
    services.remove_special_day(actor=admin_user, day=D(2026, 2, 28), reason="测试删除")
    assert not is_working_day(D(2026, 2, 28))
    change = CalendarChange.objects.get(date=D(2026, 2, 28))
    assert change.change_type == CalendarChangeType.DAY_REMOVED
    assert change.before == {"date": "2026-02-28", "kind": "workday", "name": "春节"}
    assert change.after is None


def test_edits_need_a_reason_and_a_loaded_year(admin_user: Any) -> None:
    before = counts()
    with pytest.raises(InvalidInput, match="请填写修改原因"):
        services.set_special_day(actor=admin_user, day=D(2026, 3, 4), kind="holiday", name="x", reason="  ")
    with pytest.raises(InvalidInput, match="请填写修改原因"):
        services.remove_special_day(actor=admin_user, day=D(2026, 2, 28), reason="")
    with pytest.raises(NotFound, match="2027年的工作日历尚未导入"):
        services.set_special_day(actor=admin_user, day=D(2027, 1, 1), kind="holiday", name="元旦", reason="x")
    with pytest.raises(NotFound, match="不是已登记的"):
        services.remove_special_day(actor=admin_user, day=D(2026, 3, 4), reason="x")
    with pytest.raises(InvalidInput, match="类型"):
        services.set_special_day(actor=admin_user, day=D(2026, 3, 4), kind="maybe", name="x", reason="x")
    assert counts() == before


def test_the_change_log_is_append_only(admin_user: Any) -> None:
    services.set_special_day(actor=admin_user, day=D(2026, 3, 4), kind="holiday", name="x", reason="x")
    change = CalendarChange.objects.filter(date=D(2026, 3, 4)).get()
    change.reason = "改写"
    with pytest.raises(ValueError, match="只能追加"):
        change.save()
    with pytest.raises(ValueError, match="只能追加"):
        change.delete()


def test_csv_file_loads_each_year_whole(admin_user: Any) -> None:
    loaded = services.load_calendar_file(
        actor=admin_user, content=("\ufeff" + CSV_2027).encode("utf-8"), filename="2027.csv"
    )
    assert [y.year for y in loaded] == [2027]
    days = {d.date: d.kind for d in SpecialDay.objects.filter(year_id=2027)}
    assert days[D(2027, 2, 5)] == DayKind.HOLIDAY
    assert days[D(2027, 2, 6)] == DayKind.WORKDAY
    assert days[D(2027, 10, 9)] == DayKind.WORKDAY
    assert len(days) == 6
    assert is_working_day(D(2027, 2, 6))  # a make-up Saturday
    change = CalendarChange.objects.get(year=2027)
    assert change.actor == admin_user and "2027.csv" in change.reason
    assert CalendarYear.objects.get(year=2027).source == "日历文件 2027.csv"


def test_csv_file_with_bad_rows_saves_nothing_and_lists_every_row(admin_user: Any) -> None:
    content = (
        "date,kind,name\n"
        "2027-01-01,holiday,元旦\n"
        "2027-13-01,holiday,坏日期\n"  # line 3
        "2027-02-03,workday,周三调休\n"  # line 4: a Wednesday
        "2027-02-06,放假,春节\n"  # line 5: unknown kind
        "2027-01-01,holiday,重复\n"  # line 6: duplicate of line 2
        "\n"
        "2026-10-01,holiday,国庆节\n"  # fine, but 2026 is loaded: never reached
    ).encode()
    before = counts()
    with pytest.raises(InvalidInput) as info:
        services.load_calendar_file(actor=admin_user, content=content, filename="bad.csv", replace=True)
    rows = {item["row"]: item["message"] for item in info.value.details}
    assert sorted(rows) == [3, 4, 5, 6]
    assert "无法识别" in rows[3]
    assert "周三" in rows[4] and "只能是周六或周日" in rows[4]
    assert "类型“放假”无效" in rows[5]
    assert "第2行重复" in rows[6]
    assert "4处错误" in info.value.message and "未导入任何数据" in info.value.message
    assert counts() == before
    assert is_working_day(D(2026, 2, 14))  # 2026 untouched


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("日期,类型,名称\n2027-01-01,休,元旦\n".encode(), "表头"),
        (b"", "表头"),
        (b"date,kind,name\n", "没有任何日期"),
        ("date,kind,name\n2027-01-01,休,元旦\n".encode("utf-16"), "UTF-8"),
        ("date,kind,name\n2027-01-02,班,只有调休\n".encode(), "没有任何法定节假日"),
    ],
)
def test_malformed_files_are_refused(admin_user: Any, content: bytes, message: str) -> None:
    before = counts()
    with pytest.raises(InvalidInput) as info:
        services.load_calendar_file(actor=admin_user, content=content, filename="x.csv")
    text = info.value.message + str(info.value.details)
    assert message in text
    assert counts() == before


def test_csv_file_refuses_a_loaded_year_without_replace_and_saves_nothing(admin_user: Any) -> None:
    content = (CSV_2027 + "2026-03-04,holiday,测试\n").encode()
    before = counts()
    with pytest.raises(Conflict, match="2026年的工作日历已经导入"):
        services.load_calendar_file(actor=admin_user, content=content, filename="two-years.csv")
    assert counts() == before  # 2027 (loaded first in the same file) was rolled back too


def test_export_round_trips_through_the_loader(admin_user: Any) -> None:
    exported = selectors.export_csv(2026)
    assert exported.splitlines()[0] == "date,kind,name"
    assert "2026-02-14,workday,春节" in exported.splitlines()
    services.load_calendar_file(
        actor=admin_user, content=exported.encode(), filename="2026.csv", replace=True
    )
    assert selectors.export_csv(2026) == exported
    with pytest.raises(CalendarYearMissing):
        selectors.export_csv(2027)


def test_seed_from_chinesecalendar(admin_user: Any) -> None:
    services.load_year(
        actor=admin_user, year=2026, days=[(D(2026, 1, 1), "holiday", "元旦")], source="x", replace=True
    )
    services.seed_year_from_chinesecalendar(actor=admin_user, year=2026, replace=True)
    assert SpecialDay.objects.filter(year_id=2026).count() == 39
    assert CalendarYear.objects.get(year=2026).source.startswith("chinesecalendar ")
    assert is_working_day(D(2026, 2, 14))


def test_seed_refuses_a_year_the_library_does_not_cover(admin_user: Any) -> None:
    before = counts()
    with pytest.raises(DomainError) as info:
        services.seed_year_from_chinesecalendar(actor=admin_user, year=2027)
    assert info.value.code == "calendar_source_missing"
    assert "没有2027年的节假日数据" in info.value.message and "导入日历文件" in info.value.message
    assert counts() == before


def test_other_processes_notice_a_change_within_the_recheck_interval(admin_user: Any, settings: Any) -> None:
    """Another process's write is seen once the newest CalendarChange id moves."""
    settings.ZHIFA_CALENDAR_RECHECK_SECONDS = 0
    assert is_working_day(D(2026, 3, 4))
    # Simulate a write by another process: change the rows and log, without clearing our cache.
    SpecialDay.objects.create(date=D(2026, 3, 4), year_id=2026, kind=DayKind.HOLIDAY, name="别处修改")
    CalendarChange.objects.create(
        change_type=CalendarChangeType.DAY_SET, year=2026, date=D(2026, 3, 4), reason="另一进程"
    )
    assert not is_working_day(D(2026, 3, 4))


def test_a_failed_write_leaves_no_stale_cache(admin_user: Any) -> None:
    assert is_working_day(D(2026, 3, 4))
    with pytest.raises(InvalidInput):
        services.load_calendar_file(
            actor=admin_user, content=b"date,kind,name\n2026-03-04,x,y\n", filename="x"
        )
    assert is_working_day(D(2026, 3, 4))
    assert calendar.loaded_years() == [2025, 2026]
