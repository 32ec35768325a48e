"""The working-day calendar (工作日历): one row per loaded year, the exceptions to Mon–Fri, and a log.

Only the exceptions are stored: statutory holidays (法定节假日, including the weekend days inside a
holiday span, so the calendar can show their names) and weekend make-up working days (调休上班).
A year counts as loaded only when its ``CalendarYear`` row exists; a year without a row is never
treated as plain Monday–Friday. Writes go through ``zhifa.workdays.services``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from zhifa.core.models import WriteOnceModel

MIN_YEAR = 2000
MAX_YEAR = 2100


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日（休）"
    WORKDAY = "workday", "调休上班"


WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def is_weekend(day: datetime.date) -> bool:
    return day.weekday() >= 5


def validate_special_day(day: datetime.date, kind: str) -> None:
    """The rule every stored exception must satisfy; raises ``ValidationError`` in Chinese."""
    if kind not in DayKind.values:
        raise ValidationError(f"类型“{kind}”无效，应为“法定节假日”或“调休上班”。")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValidationError(f"日期{day.isoformat()}超出可管理的年度范围（{MIN_YEAR}–{MAX_YEAR}年）。")
    if kind == DayKind.WORKDAY and not is_weekend(day):
        raise ValidationError(
            f"{day.isoformat()}是{WEEKDAY_NAMES[day.weekday()]}，本来就是工作日，"
            "不能设为调休上班日；调休上班日只能是周六或周日。"
        )


class CalendarYear(models.Model):
    """A loaded year (已导入年度) of the national holiday schedule."""

    year = models.PositiveSmallIntegerField("年度", primary_key=True)
    source = models.CharField(
        "来源",
        max_length=300,
        help_text="如“国务院办公厅关于2027年部分节假日安排的通知”或“chinesecalendar 1.11.0”",
    )
    loaded_at = models.DateTimeField("导入时间", default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="导入人",
    )
    notes = models.TextField("备注", blank=True)

    class Meta:
        verbose_name = "日历年度"
        verbose_name_plural = "日历年度"
        ordering = ("year",)

    def __str__(self) -> str:
        return f"{self.year}年"


class SpecialDay(models.Model):
    """An exception to the Monday–Friday rule: a holiday (休) or a weekend make-up working day (班)."""

    date = models.DateField("日期", unique=True)
    year = models.ForeignKey(CalendarYear, on_delete=models.CASCADE, related_name="days", verbose_name="年度")
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("名称", max_length=50, blank=True, help_text="如“春节”“国庆节”")

    class Meta:
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        ordering = ("date",)
        constraints = (
            models.CheckConstraint(
                condition=models.Q(kind__in=DayKind.values), name="workdays_specialday_kind"
            ),
        )

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()

    def clean(self) -> None:
        if self.date is None:
            return
        validate_special_day(self.date, self.kind)
        if self.year_id is not None and self.date.year != self.year_id:
            raise ValidationError(f"日期{self.date.isoformat()}不属于{self.year_id}年。")

    def as_row(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "kind": self.kind, "name": self.name}


class CalendarChangeType(models.TextChoices):
    YEAR_LOADED = "year_loaded", "导入年度"
    YEAR_REPLACED = "year_replaced", "替换年度"
    DAY_SET = "day_set", "设置节假日/调休日"
    DAY_REMOVED = "day_removed", "删除节假日/调休日"


class CalendarChange(WriteOnceModel):
    write_once_verb = "追加"

    """Append-only log of calendar edits: who, when, which year/day, before/after, and why."""

    change_type = models.CharField("操作", max_length=20, choices=CalendarChangeType.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="操作人",
        help_text="为空表示由系统（数据迁移或命令行）操作",
    )
    occurred_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    year = models.PositiveSmallIntegerField("年度", db_index=True)
    date = models.DateField("日期", null=True, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    reason = models.TextField("原因")

    class Meta:
        verbose_name = "日历变更记录"
        verbose_name_plural = "日历变更记录"
        ordering = ("-occurred_at", "-id")

    def __str__(self) -> str:
        return f"{self.get_change_type_display()} {self.year} {self.occurred_at:%Y-%m-%d %H:%M}"
