"""Pages to export and import the enforcement catalogue (权责清单) as CSV or XLSX."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from zhifa.catalog import transfer
from zhifa.core.tabular import spreadsheet_response
from zhifa.org import permissions
from zhifa.org.views_transfer import import_page


def _day(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@require_GET
def item_export(request: HttpRequest) -> HttpResponse:
    """``?format=csv|xlsx``; ``?on=YYYY-MM-DD`` for the versions in force that day; ``?template=1``."""
    permissions.require(permissions.is_staff_member(request.user))
    template = request.GET.get("template") == "1"
    on = _day(request.GET.get("on")) or timezone.localdate()
    person = permissions.person_of(request.user)
    headers, rows = (
        ([], []) if template else transfer.export_catalog(on=on, body=person.body if person else None)
    )
    stamp = on.strftime("%Y%m%d")
    return spreadsheet_response(
        transfer.HEADERS if template else headers,
        rows,
        fmt=request.GET.get("format", "xlsx"),
        filename="执法事项清单-导入模板" if template else f"执法事项清单-{stamp}",
        ascii_name="catalog-template" if template else f"catalog-{stamp}",
        sheet_title="执法事项清单",
    )


@require_http_methods(["GET", "POST"])
def item_import(request: HttpRequest) -> HttpResponse:
    permissions.require(
        permissions.can_edit_catalog(request.user), "只有试点办、系统管理员或科室负责人可以导入执法事项清单。"
    )
    return import_page(
        request,
        importer=transfer.import_catalog,
        success_url="catalog:item_import",
        template="catalog/transfer/item_import.html",
        context={
            "columns": transfer.COLUMNS,
            "active_nav": "catalog",
            "purposes": transfer.PURPOSE_LABELS,
            "amount_bases": transfer.AMOUNT_BASIS_LABELS,
            "steps": transfer.STEP_LABELS,
        },
    )
