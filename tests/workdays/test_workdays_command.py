"""``zhifa calendar …`` (manage.py calendar)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from zhifa.workdays.models import CalendarChange, CalendarYear, SpecialDay

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("calendar", *args, stdout=out)
    return out.getvalue()


def test_due_prints_the_due_date() -> None:
    assert run("due", "2026-02-13", "1", "--unit", "working_days").strip() == "2026-02-14"
    assert run("due", "2026-09-30", "5").strip() == "2026-10-13"
    assert run("due", "2026-09-24", "7", "--unit", "calendar_days").strip() == "2026-10-08"


def test_due_into_an_unloaded_year_fails_in_chinese() -> None:
    with pytest.raises(CommandError, match="2027年的工作日历尚未导入"):
        run("due", "2026-12-30", "5")
    with pytest.raises(CommandError, match="无法识别"):
        run("due", "30/12/2026", "5")


def test_show_lists_the_special_days() -> None:
    output = run("show", "2026")
    assert "2026-02-14 周六 班 春节" in output
    assert "2026-10-01 周四 休 国庆节" in output
    with pytest.raises(CommandError, match="2027年的工作日历尚未导入"):
        run("show", "2027")


def test_export_then_load_round_trips(tmp_path: Path, admin_user: Any) -> None:
    target = tmp_path / "2026.csv"
    run("export", "2026", "-o", str(target))
    exported = target.read_text(encoding="utf-8")
    assert exported == run("export", "2026")
    with pytest.raises(CommandError, match="已经导入"):
        run("load", str(target))
    changes = CalendarChange.objects.count()
    assert "已导入：2026年" in run("--user", admin_user.username, "load", str(target), "--replace")
    assert CalendarChange.objects.count() == changes + 1
    assert CalendarChange.objects.filter(year=2026).first().actor == admin_user  # type: ignore[union-attr]
    assert run("export", "2026") == exported


def test_load_reports_every_bad_row(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("date,kind,name\n2027-01-01,休,元旦\n2027-01-06,班,周三\nxx,休,坏\n", encoding="utf-8")
    days = SpecialDay.objects.count()
    with pytest.raises(CommandError) as info:
        run("load", str(bad))
    assert "第3行" in str(info.value) and "第4行" in str(info.value)
    assert SpecialDay.objects.count() == days
    with pytest.raises(CommandError, match="无法读取文件"):
        run("load", str(tmp_path / "missing.csv"))


def test_seed(admin_user: Any) -> None:
    with pytest.raises(CommandError, match="已经导入"):
        run("seed", "2026")
    assert "已从 chinesecalendar" in run("seed", "2026", "--replace")
    with pytest.raises(CommandError, match="没有2027年的节假日数据"):
        run("seed", "2027")
    assert not CalendarYear.objects.filter(year=2027).exists()
