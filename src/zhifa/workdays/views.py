"""Staff pages for the working-day calendar (工作日历). Thin: permission, one service, message."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.core.errors import DomainError
from zhifa.org.permissions import can_edit_calendar
from zhifa.workdays import calendar, selectors, services
from zhifa.workdays.forms import CalculatorForm, RemoveDayForm, SeedForm, SpecialDayForm, UploadForm
from zhifa.workdays.models import MAX_YEAR, MIN_YEAR, DayKind

ACTIVE_NAV = "calendar"
NOT_ADMIN = "只有系统管理员可以修改工作日历。"


def _require_admin(request: HttpRequest) -> None:
    if not can_edit_calendar(request.user):
        raise PermissionDenied(NOT_ADMIN)


def _add_domain_error(form: Any, exc: DomainError) -> None:
    """Show a refusal on the form: row errors of a file one by one, field errors by field."""
    details = exc.details
    if isinstance(details, list) and details and isinstance(details[0], dict):
        form.add_error(None, exc.message)
        for item in details:
            row = item.get("row")
            form.add_error(None, f"第{row}行：{item.get('message')}" if row else str(item.get("message")))
    elif isinstance(details, dict) and any(k in form.fields for k in details):
        for field, errors in details.items():
            for error in errors if isinstance(errors, list) else [errors]:
                form.add_error(field if field in form.fields else None, str(error))
    else:
        form.add_error(None, exc.message)


def _calculate(params: QueryDict) -> dict[str, Any]:
    form = CalculatorForm(params)
    result: dict[str, Any] = {"calc_form": form, "calc_due": None, "calc_error": ""}
    if form.is_valid():
        start, quantity, unit = (form.cleaned_data[k] for k in ("start", "quantity", "unit"))
        try:
            due = calendar.due_date(start, quantity=quantity, unit=unit)
        except DomainError as exc:
            result["calc_error"] = exc.message
        else:
            special = selectors.special_day(due)
            unrolled = (
                calendar.add_months(start, quantity, roll_forward=False)
                if unit == calendar.UNIT_MONTHS
                else calendar.add_calendar_days(start, quantity, roll_forward=False)
            )
            result.update(
                calc_rolled_from=selectors.describe_day(unrolled)
                if unit != calendar.UNIT_WORKING_DAYS and unrolled != due
                else "",
                calc_due=due,
                calc_due_text=selectors.describe_day(due),
                calc_due_note=special.get_kind_display() + (f"（{special.name}）" if special.name else "")
                if special
                else "",
                calc_start_text=selectors.describe_day(start),
                calc_quantity=quantity,
                calc_unit_label=calendar.DUE_UNITS[unit],
            )
    return result


@require_GET
def year_list(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.years())
    today = timezone.localdate()
    context: dict[str, Any] = {
        "active_nav": ACTIVE_NAV,
        "years": rows,
        "missing_year": selectors.missing_year_warning(today, {r.year for r in rows}),
        "can_edit": can_edit_calendar(request.user),
        "calc_form": CalculatorForm(
            initial={"start": today, "quantity": 5, "unit": calendar.UNIT_WORKING_DAYS}
        ),
    }
    if "start" in request.GET:
        context.update(_calculate(request.GET))
    return render(request, "workdays/year_list.html", context)


@require_GET
def calculate(request: HttpRequest) -> HttpResponse:
    """The calculator's answer as a fragment (htmx); the full page for a plain browser."""
    if request.headers.get("HX-Request") != "true":
        return year_list(request)
    return render(request, "workdays/_calc_result.html", {**_calculate(request.GET), "calc_fragment": True})


@require_GET
def year_detail(request: HttpRequest, year: int) -> HttpResponse:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("年度超出范围")
    calendar_year = selectors.year_or_none(year)
    context: dict[str, Any] = {
        "active_nav": ACTIVE_NAV,
        "year": year,
        "calendar_year": calendar_year,
        "can_edit": can_edit_calendar(request.user),
        "changes": [(c, selectors.change_summary(c)) for c in selectors.changes(year)],
        "DayKind": DayKind,
    }
    if calendar_year is None:
        context["missing_message"] = calendar.CalendarYearMissing(year).message
    else:
        context["months"] = selectors.month_grids(year, today=timezone.localdate())
        context["days"] = selectors.special_days(year)
    return render(request, "workdays/year_detail.html", context)


def _form_page(
    request: HttpRequest, form: Any, *, title: str, intro: str, submit_label: str, cancel_url: str
) -> HttpResponse:
    return render(
        request,
        "core/form_page.html",
        {
            "active_nav": ACTIVE_NAV,
            "form": form,
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
            "cancel_url": cancel_url,
            "crumbs": [("工作日历", reverse("workdays:year_list"))],
        },
    )


def _day_param(request: HttpRequest) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def day_set(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    if request.method == "POST":
        form = SpecialDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.set_special_day(
                    actor=request.user,
                    day=data["date"],
                    kind=data["kind"],
                    name=data["name"],
                    reason=data["reason"],
                )
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                messages.success(request, f"已保存{selectors.describe_day(data['date'])}的安排。")
                return redirect("workdays:year_detail", year=data["date"].year)
    else:
        day = _day_param(request)
        existing = selectors.special_day(day) if day else None
        initial: dict[str, Any] = {"date": day}
        if existing is not None:
            initial.update(kind=existing.kind, name=existing.name)
        elif day is not None:
            initial["kind"] = DayKind.WORKDAY if day.weekday() >= 5 else DayKind.HOLIDAY
        form = SpecialDayForm(initial=initial)
    return _form_page(
        request,
        form,
        title="设置节假日或调休上班日",
        intro="法定节假日（休）可以是任何一天；调休上班日只能是周六或周日。修改只影响已导入的年度，并记入变更记录。",
        submit_label="保存",
        cancel_url=_cancel_url(form),
    )


@require_http_methods(["GET", "POST"])
def day_remove(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    if request.method == "POST":
        form = RemoveDayForm(request.POST)
        if form.is_valid():
            day = form.cleaned_data["date"]
            try:
                services.remove_special_day(actor=request.user, day=day, reason=form.cleaned_data["reason"])
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                messages.success(
                    request, f"已删除{selectors.describe_day(day)}的安排，该日恢复按周一至周五规则计算。"
                )
                return redirect("workdays:year_detail", year=day.year)
    else:
        form = RemoveDayForm(initial={"date": _day_param(request)})
    return _form_page(
        request,
        form,
        title="删除节假日或调休上班日",
        intro="删除后该日按普通周一至周五规则计算。",
        submit_label="删除",
        cancel_url=_cancel_url(form),
    )


def _cancel_url(form: Any) -> str:
    """Back to the year of the form's date, else to the year list."""
    day = getattr(form, "cleaned_data", {}).get("date") if form.is_bound else form.initial.get("date")
    if isinstance(day, datetime.date):
        return reverse("workdays:year_detail", kwargs={"year": day.year})
    return reverse("workdays:year_list")


@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload_file = form.cleaned_data["file"]
            try:
                loaded = services.load_calendar_file(
                    actor=request.user,
                    content=upload_file.read(),
                    filename=upload_file.name,
                    replace=form.cleaned_data["replace"],
                    source=form.cleaned_data["source"],
                )
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                years = "、".join(f"{y.year}年" for y in loaded)
                messages.success(request, f"已导入{years}的工作日历。")
                return redirect("workdays:year_detail", year=loaded[0].year)
    else:
        form = UploadForm()
    return _form_page(
        request,
        form,
        title="上传日历文件",
        intro="每行一个例外日期：法定节假日（休）或调休上班日（班）；未列出的日期按周一至周五计算。"
        "文件有任何错误时不会导入任何数据。",
        submit_label="上传并导入",
        cancel_url=reverse("workdays:year_list"),
    )


@require_http_methods(["GET", "POST"])
def seed(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    if request.method == "POST":
        form = SeedForm(request.POST)
        if form.is_valid():
            year = form.cleaned_data["year"]
            try:
                services.seed_year_from_chinesecalendar(
                    actor=request.user, year=year, replace=form.cleaned_data["replace"]
                )
            except DomainError as exc:
                _add_domain_error(form, exc)
            else:
                messages.success(request, f"已从 chinesecalendar 导入{year}年的工作日历。")
                return redirect("workdays:year_detail", year=year)
    else:
        form = SeedForm(initial={"year": request.GET.get("year") or timezone.localdate().year + 1})
    return _form_page(
        request,
        form,
        title="从 chinesecalendar 导入",
        intro="使用随系统安装的 chinesecalendar 数据包；它只含已公布的年度，其他年度请上传日历文件。",
        submit_label="导入",
        cancel_url=reverse("workdays:year_list"),
    )


@require_GET
def export(request: HttpRequest, year: int) -> HttpResponse:
    _require_admin(request)
    try:
        content = selectors.export_csv(year)
    except calendar.CalendarYearMissing as exc:
        messages.error(request, exc.message)
        return redirect("workdays:year_list")
    # The byte-order mark lets Excel open the file as UTF-8; the loader accepts it.
    response = HttpResponse("\ufeff" + content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="workdays-{year}.csv"'
    return response
