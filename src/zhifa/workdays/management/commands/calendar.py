"""``zhifa calendar …``: show, load, seed and export the working-day calendar; compute a due date."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.errors import DomainError
from zhifa.workdays import calendar, selectors, services
from zhifa.workdays.models import WEEKDAY_NAMES, DayKind


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”无法识别，应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = "工作日历：show 查看 / load 导入文件 / seed 从 chinesecalendar 导入 / export 导出 / due 计算到期日"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", help="记为操作人的用户名（默认记为系统）")
        sub = parser.add_subparsers(dest="action", required=True, metavar="{show,load,seed,export,due}")
        show = sub.add_parser("show", help="列出某年度的节假日和调休上班日")
        show.add_argument("year", type=int)
        load = sub.add_parser("load", help="导入 CSV 日历文件（date,kind,name），文件中的每个年度整体导入")
        load.add_argument("file")
        load.add_argument("--replace", action="store_true", help="替换已导入的年度")
        load.add_argument("--source", default="", help="来源，如国务院办公厅通知的名称")
        seed = sub.add_parser("seed", help="从 chinesecalendar 数据包导入某年度")
        seed.add_argument("year", type=int)
        seed.add_argument("--replace", action="store_true", help="替换已导入的年度")
        export = sub.add_parser("export", help="导出某年度为 CSV（与导入格式相同）")
        export.add_argument("year", type=int)
        export.add_argument("-o", "--output", help="输出文件（默认输出到屏幕）")
        due = sub.add_parser("due", help="计算到期日（自 START 次日起算）")
        due.add_argument("start")
        due.add_argument("quantity", type=int)
        due.add_argument("--unit", default=calendar.UNIT_WORKING_DAYS, choices=list(calendar.DUE_UNITS))

    def handle(self, *args: Any, **options: Any) -> None:
        actor = self._actor(options.get("user"))
        action = options["action"]
        try:
            getattr(self, f"do_{action}")(actor, options)
        except DomainError as exc:
            raise CommandError(self._describe(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def _actor(self, username: str | None) -> Any:
        if not username:
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在。")
        return user

    @staticmethod
    def _describe(exc: DomainError) -> str:
        lines = [exc.message]
        if isinstance(exc.details, list):
            for item in exc.details:
                if isinstance(item, dict):
                    row = item.get("row")
                    lines.append(f"  第{row}行：{item.get('message')}" if row else f"  {item.get('message')}")
        return "\n".join(lines)

    def do_show(self, actor: Any, options: dict[str, Any]) -> None:
        year = options["year"]
        calendar_year = selectors.year_or_none(year)
        if calendar_year is None:
            raise calendar.CalendarYearMissing(year)
        self.stdout.write(
            f"{year}年 来源：{calendar_year.source}；"
            f"法定节假日{getattr(calendar_year, 'holiday_count', 0)}天，"
            f"调休上班{getattr(calendar_year, 'workday_count', 0)}天"
        )
        for day in selectors.special_days(year):
            mark = "休" if day.kind == DayKind.HOLIDAY else "班"
            self.stdout.write(f"{day.date.isoformat()} {WEEKDAY_NAMES[day.date.weekday()]} {mark} {day.name}")

    def do_load(self, actor: Any, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{path}”：{exc.strerror}") from exc
        loaded = services.load_calendar_file(
            actor=actor,
            content=content,
            filename=path.name,
            replace=options["replace"],
            source=options["source"],
        )
        self.stdout.write(self.style.SUCCESS("已导入：" + "、".join(f"{y.year}年" for y in loaded)))

    def do_seed(self, actor: Any, options: dict[str, Any]) -> None:
        year = services.seed_year_from_chinesecalendar(
            actor=actor, year=options["year"], replace=options["replace"]
        )
        self.stdout.write(self.style.SUCCESS(f"已从 {year.source} 导入{year.year}年。"))

    def do_export(self, actor: Any, options: dict[str, Any]) -> None:
        content = selectors.export_csv(options["year"])
        if options.get("output"):
            Path(options["output"]).write_text(content, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"已导出到 {options['output']}"))
        else:
            self.stdout.write(content, ending="")

    def do_due(self, actor: Any, options: dict[str, Any]) -> None:
        start = _date(options["start"])
        due = calendar.due_date(start, quantity=options["quantity"], unit=options["unit"])
        self.stdout.write(due.isoformat())
