"""Every write to the working-day calendar.

Each function runs in one transaction and appends ``CalendarChange`` rows saying who changed what
and why. Side effect: the per-process calendar cache is cleared at once and again on commit, so
the next deadline computation sees the new data (other processes within the recheck interval).
``actor`` is the acting user, or ``None`` for the console and data migrations.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa.core.errors import Conflict, DomainError, InvalidInput, NotFound
from zhifa.workdays import calendar
from zhifa.workdays.models import (
    MAX_YEAR,
    MIN_YEAR,
    CalendarChange,
    CalendarChangeType,
    CalendarYear,
    DayKind,
    SpecialDay,
    validate_special_day,
)
from zhifa.workdays.selectors import CSV_HEADER

DayRow = tuple[datetime.date, str, str]

# What the calendar file may say in the ``kind`` column.
KIND_ALIASES: dict[str, str] = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "法定节假日": DayKind.HOLIDAY,
    "节假日": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
    "上班": DayKind.WORKDAY,
}
# chinese_calendar names its holidays in English; these are the names the 国务院 notices use.
CHINESECALENDAR_NAMES: dict[str, str] = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@contextmanager
def _calendar_write() -> Iterator[None]:
    """One transaction; the calendar cache is cleared after the write and again on commit."""
    try:
        with transaction.atomic():
            yield
            calendar.clear_cache()
            transaction.on_commit(calendar.clear_cache)
    except BaseException:
        # A computation inside the failed transaction may have cached rows that never committed.
        calendar.clear_cache()
        raise


def _actor_or_none(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidInput(f"年度{year}超出可管理的范围（{MIN_YEAR}–{MAX_YEAR}年）。")


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("请填写修改原因。", details={"reason": ["请填写修改原因。"]})
    return reason


def _normalise_kind(kind: str) -> str:
    normalised = KIND_ALIASES.get((kind or "").strip().lower())
    if normalised is None:
        raise InvalidInput(
            f"类型“{kind}”无效，应为 holiday/休/法定节假日 或 workday/班/调休上班。",
            details={"kind": ["类型无效。"]},
        )
    return normalised


def _day_snapshot(day: SpecialDay | None) -> dict[str, Any] | None:
    return None if day is None else day.as_row()


def _year_snapshot(year: CalendarYear) -> dict[str, Any]:
    return {
        "source": year.source,
        "notes": year.notes,
        "days": [d.as_row() for d in year.days.order_by("date")],
    }


def _validate_days(year: int, days: Iterable[DayRow]) -> list[DayRow]:
    """Normalise and check a year's rows; every problem is reported at once."""
    rows: list[DayRow] = []
    errors: list[str] = []
    seen: set[datetime.date] = set()
    for day, kind, name in days:
        try:
            kind = _normalise_kind(kind)
            validate_special_day(day, kind)
        except (InvalidInput, ValidationError) as exc:
            errors.append(exc.message if isinstance(exc, InvalidInput) else "；".join(exc.messages))
            continue
        if day.year != year:
            errors.append(f"{day.isoformat()}不属于{year}年。")
        elif day in seen:
            errors.append(f"{day.isoformat()}重复出现。")
        else:
            seen.add(day)
            rows.append((day, kind, (name or "").strip()[:50]))
    if not errors and not any(kind == DayKind.HOLIDAY for _, kind, _ in rows):
        errors.append(f"{year}年的安排中没有任何法定节假日，请检查数据（不能把未知年度当作普通周一至周五）。")
    if errors:
        raise InvalidInput(f"{year}年的节假日安排有误：" + "；".join(errors), details={"days": errors})
    return sorted(rows)


def _write_year(
    *, actor: Any, year: int, rows: list[DayRow], source: str, notes: str, replace: bool, reason: str
) -> CalendarYear:
    """Create or swap one year; the caller holds the transaction (``_calendar_write``)."""
    existing = CalendarYear.objects.select_for_update().filter(year=year).first()
    if existing is not None and not replace:
        raise Conflict(
            f"{year}年的工作日历已经导入。如需整体替换，请选择“替换已有年度”（命令行加 --replace）。"
        )
    before = _year_snapshot(existing) if existing is not None else None
    if existing is not None:
        existing.days.all().delete()
    calendar_year, _ = CalendarYear.objects.update_or_create(
        year=year,
        defaults={"source": source, "notes": notes, "loaded_at": timezone.now(), "loaded_by": actor},
    )
    SpecialDay.objects.bulk_create(
        SpecialDay(date=day, year=calendar_year, kind=kind, name=name) for day, kind, name in rows
    )
    CalendarChange.objects.create(
        change_type=CalendarChangeType.YEAR_REPLACED if before else CalendarChangeType.YEAR_LOADED,
        actor=actor,
        year=year,
        before=before,
        after=_year_snapshot(calendar_year),
        reason=reason,
    )
    return calendar_year


def load_year(
    *,
    actor: Any,
    year: int,
    days: Iterable[DayRow],
    source: str,
    replace: bool = False,
    notes: str = "",
    reason: str = "",
) -> CalendarYear:
    """Load one year's holidays (休) and make-up working days (班), or swap it whole with ``replace``.

    ``days`` are (date, kind, name) exceptions to Monday–Friday; ``kind`` is ``holiday``/``workday``
    or a Chinese alias. Refuses a year that is already loaded unless ``replace``. Logs one
    ``CalendarChange`` with the full before/after day lists.
    """
    _check_year(year)
    source = (source or "").strip()
    if not source:
        raise InvalidInput("请填写来源（如国务院办公厅的通知名称）。", details={"source": ["请填写来源。"]})
    rows = _validate_days(year, days)
    actor = _actor_or_none(actor)
    with _calendar_write():
        return _write_year(
            actor=actor,
            year=year,
            rows=rows,
            source=source[:300],
            notes=notes,
            replace=replace,
            reason=reason.strip() or f"导入{year}年节假日安排",
        )


def chinesecalendar_days(year: int) -> tuple[list[DayRow], str]:
    """The year's exceptions according to the ``chinese_calendar`` package, and a source string."""
    import chinese_calendar

    if not any(d.year == year for d in chinese_calendar.holidays):
        covered = sorted({d.year for d in chinese_calendar.holidays})
        raise DomainError(
            f"chinesecalendar {chinese_calendar.__version__} 没有{year}年的节假日数据"
            f"（仅含{covered[0]}–{covered[-1]}年）。请管理员按国务院办公厅公布的安排导入日历文件。",
            code="calendar_source_missing",
        )
    rows: list[DayRow] = []
    for kind, table in (
        (DayKind.HOLIDAY, chinese_calendar.holidays),
        (DayKind.WORKDAY, chinese_calendar.workdays),
    ):
        for day, label in table.items():
            if day.year == year:
                rows.append((day, kind, CHINESECALENDAR_NAMES.get(str(label), str(label))))
    return sorted(rows), f"chinesecalendar {chinese_calendar.__version__}"


def seed_year_from_chinesecalendar(*, actor: Any, year: int, replace: bool = False) -> CalendarYear:
    """Load ``year`` from the bundled ``chinese_calendar`` data (covers up to its last release year)."""
    _check_year(year)
    rows, source = chinesecalendar_days(year)
    return load_year(
        actor=actor,
        year=year,
        days=rows,
        source=source,
        replace=replace,
        reason=f"从 {source} 导入{year}年节假日安排",
    )


def set_special_day(*, actor: Any, day: datetime.date, kind: str, name: str, reason: str) -> SpecialDay:
    """Add or change one exception in a loaded year; logs the before/after."""
    reason = _require_reason(reason)
    kind = _normalise_kind(kind)
    try:
        validate_special_day(day, kind)
    except ValidationError as exc:
        raise InvalidInput("；".join(exc.messages), details={"date": exc.messages}) from exc
    name = (name or "").strip()
    if len(name) > 50:
        raise InvalidInput("名称不能超过50个字。", details={"name": ["名称不能超过50个字。"]})
    actor = _actor_or_none(actor)
    with _calendar_write():
        calendar_year = CalendarYear.objects.select_for_update().filter(year=day.year).first()
        if calendar_year is None:
            raise NotFound(f"{day.year}年的工作日历尚未导入，请先导入该年度的节假日安排，再逐日调整。")
        existing = SpecialDay.objects.filter(date=day).first()
        before = _day_snapshot(existing)
        special = existing or SpecialDay(date=day, year=calendar_year)
        special.kind, special.name = kind, name
        special.save()
        CalendarChange.objects.create(
            change_type=CalendarChangeType.DAY_SET,
            actor=actor,
            year=day.year,
            date=day,
            before=before,
            after=special.as_row(),
            reason=reason,
        )
        return special


def remove_special_day(*, actor: Any, day: datetime.date, reason: str) -> None:
    """Remove one exception, so the day follows the plain Monday–Friday rule again; logs it."""
    reason = _require_reason(reason)
    actor = _actor_or_none(actor)
    with _calendar_write():
        existing = SpecialDay.objects.select_for_update().filter(date=day).first()
        if existing is None:
            raise NotFound(f"{day.isoformat()}不是已登记的节假日或调休上班日。")
        before = existing.as_row()
        existing.delete()
        CalendarChange.objects.create(
            change_type=CalendarChangeType.DAY_REMOVED,
            actor=actor,
            year=day.year,
            date=day,
            before=before,
            after=None,
            reason=reason,
        )


@dataclass(frozen=True)
class ParsedFile:
    years: dict[int, list[DayRow]]


def parse_calendar_file(content: bytes) -> ParsedFile:
    """Read a ``date,kind,name`` CSV (UTF-8, with or without BOM). Every bad row is reported."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput("文件不是 UTF-8 编码的 CSV，请另存为“CSV UTF-8”后重新上传。") from exc
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header[:3]) != CSV_HEADER:
        raise InvalidInput(
            "文件第1行应为表头：date,kind,name", details=[{"row": 1, "message": "表头应为 date,kind,name"}]
        )
    errors: list[dict[str, Any]] = []
    years: dict[int, list[DayRow]] = {}
    seen: dict[datetime.date, int] = {}
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        problem, parsed = _parse_row(row)
        if problem is None and parsed is not None and parsed[0] in seen:
            problem = f"日期{parsed[0].isoformat()}与第{seen[parsed[0]]}行重复"
        if problem is not None or parsed is None:
            errors.append({"row": line_no, "message": problem})
            continue
        seen[parsed[0]] = line_no
        years.setdefault(parsed[0].year, []).append(parsed)
    if not errors and not years:
        errors.append({"row": 2, "message": "文件中没有任何日期"})
    for year, rows in sorted(years.items()):
        if not any(kind == DayKind.HOLIDAY for _, kind, _ in rows):
            errors.append({"row": None, "message": f"{year}年没有任何法定节假日，该年度不能只含调休上班日"})
    if errors:
        raise InvalidInput(f"日历文件有{len(errors)}处错误，未导入任何数据。", details=errors)
    return ParsedFile(years=years)


def _parse_row(row: list[str]) -> tuple[str | None, DayRow | None]:
    cells = [c.strip() for c in row] + ["", "", ""]
    raw_date, raw_kind, name = cells[0], cells[1], cells[2]
    try:
        day = datetime.date.fromisoformat(raw_date)
    except ValueError:
        return f"日期“{raw_date}”无法识别，应为 YYYY-MM-DD", None
    kind = KIND_ALIASES.get(raw_kind.lower())
    if kind is None:
        return f"类型“{raw_kind}”无效，应为 holiday/休/法定节假日 或 workday/班/调休上班", None
    try:
        validate_special_day(day, kind)
    except ValidationError as exc:
        return "；".join(exc.messages), None
    if len(name) > 50:
        return "名称不能超过50个字", None
    return None, (day, kind, name)


def load_calendar_file(
    *, actor: Any, content: bytes, filename: str, replace: bool = False, source: str = ""
) -> list[CalendarYear]:
    """Load every year in a calendar CSV, each year whole; all or nothing.

    A file with any bad row saves nothing and raises ``InvalidInput`` whose ``details`` lists
    ``{"row": n, "message": ...}`` for each problem.
    """
    parsed = parse_calendar_file(content)
    name = (filename or "日历文件").strip()[:150]
    source = (source or "").strip() or f"日历文件 {name}"
    actor = _actor_or_none(actor)
    loaded: list[CalendarYear] = []
    with _calendar_write():
        for year, rows in sorted(parsed.years.items()):
            _check_year(year)
            loaded.append(
                _write_year(
                    actor=actor,
                    year=year,
                    rows=sorted(rows),
                    source=source[:300],
                    notes="",
                    replace=replace,
                    reason=f"上传日历文件“{name}”",
                )
            )
    return loaded
