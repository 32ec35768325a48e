"""Seed the 2025 and 2026 holiday schedules from the ``chinese_calendar`` package.

Self-contained on purpose (historical models, no service imports) so that later code changes
cannot break it. Checked against the 国务院办公厅 notices for 2025 and 2026 (see the tests);
each year leaves a ``CalendarChange`` row so the log says where it came from.
"""

from django.db import migrations
from django.utils import timezone

YEARS = (2025, 2026)
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}


def seed(apps, schema_editor):
    import chinese_calendar

    CalendarYear = apps.get_model("workdays", "CalendarYear")
    SpecialDay = apps.get_model("workdays", "SpecialDay")
    CalendarChange = apps.get_model("workdays", "CalendarChange")
    source = f"chinesecalendar {chinese_calendar.__version__}"
    for year in YEARS:
        if CalendarYear.objects.filter(year=year).exists():
            continue
        rows = sorted(
            [(d, "holiday", NAMES.get(str(n), str(n))) for d, n in chinese_calendar.holidays.items() if d.year == year]
            + [(d, "workday", NAMES.get(str(n), str(n))) for d, n in chinese_calendar.workdays.items() if d.year == year]
        )
        if not rows:
            raise RuntimeError(f"{source} 没有{year}年的节假日数据")
        for day, kind, _ in rows:
            if kind == "workday" and day.weekday() < 5:
                raise RuntimeError(f"{source} 把工作日{day}列为调休上班日")
        calendar_year = CalendarYear.objects.create(
            year=year, source=source, loaded_at=timezone.now(), notes="初始数据（数据迁移）"
        )
        SpecialDay.objects.bulk_create(
            SpecialDay(date=day, year=calendar_year, kind=kind, name=name) for day, kind, name in rows
        )
        CalendarChange.objects.create(
            change_type="year_loaded",
            year=year,
            after={
                "source": source,
                "notes": calendar_year.notes,
                "days": [{"date": d.isoformat(), "kind": k, "name": n} for d, k, n in rows],
            },
            reason=f"数据迁移：从 {source} 导入{year}年节假日安排",
        )


def unseed(apps, schema_editor):
    CalendarYear = apps.get_model("workdays", "CalendarYear")
    CalendarChange = apps.get_model("workdays", "CalendarChange")
    CalendarYear.objects.filter(year__in=YEARS, loaded_by__isnull=True, notes="初始数据（数据迁移）").delete()
    CalendarChange.objects.filter(year__in=YEARS, actor__isnull=True, reason__startswith="数据迁移").delete()



class Migration(migrations.Migration):
    dependencies = [("workdays", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
