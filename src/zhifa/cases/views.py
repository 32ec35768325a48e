"""Staff pages for cases: lists, opening a case from a catalogue item, the case page and its steps."""

from __future__ import annotations

import tempfile
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhifa.cases import sealing, selectors, services, timeline
from zhifa.cases.documents_catalog import DOCUMENTS
from zhifa.cases.forms import OpenCaseForm, TransitionForm
from zhifa.cases.models import Case
from zhifa.catalog import selectors as catalog_selectors
from zhifa.catalog.models import ActType, EnforcementItem
from zhifa.core.errors import DomainError
from zhifa.core.forms import apply_domain_error
from zhifa.org import permissions
from zhifa.org.models import Person, Role
from zhifa.records.services import correct_event


def case_list(request: HttpRequest) -> HttpResponse:
    scope = request.GET.get("scope", "mine")
    base = selectors.my_cases(request.user) if scope == "mine" else selectors.visible_cases(request.user)
    act_type = request.GET.get("type", "")
    cases = selectors.search(
        base,
        query=request.GET.get("q", "").strip(),
        act_type=act_type if act_type in ActType.values else "",
        open_only=request.GET.get("open") == "1",
    )
    rows = [(case, selectors.state_label(case)) for case in cases[:300]]
    context = {
        "rows": rows,
        "total": cases.count(),
        "scope": scope,
        "query": request.GET.get("q", ""),
        "act_type": act_type,
        "act_types": ActType.choices,
        "active_nav": "cases",
        "can_open": permissions.has_role(request.user, {Role.OFFICER, Role.UNIT_HEAD}),
        "open_only": request.GET.get("open") == "1",
    }
    template = "cases/_case_rows.html" if request.headers.get("HX-Request") else "cases/case_list.html"
    return render(request, template, context)


def _openable_items(user: Any) -> Any:
    """Items whose implementing unit the user works for (officer or head)."""
    items = catalog_selectors.items()
    allowed = [item.pk for item in items if _may_open(user, item)]
    return EnforcementItem.objects.filter(pk__in=allowed).order_by("act_type", "code")


def _may_open(user: Any, item: Any) -> bool:
    version = catalog_selectors.current_version(item)
    return version is not None and permissions.has_role(
        user, {Role.OFFICER, Role.UNIT_HEAD, Role.LEADER}, version.implementing_unit
    )


def case_create(request: HttpRequest) -> HttpResponse:
    person = permissions.person_of(request.user)
    if person is None or not permissions.has_role(request.user, {Role.OFFICER, Role.UNIT_HEAD, Role.LEADER}):
        raise PermissionDenied("只有执法人员或负责人可以立案、受理。")
    items = _openable_items(request.user)
    initial = {"item": request.GET.get("item"), "officers": [person.pk]}
    form = OpenCaseForm(request.POST or None, items=items, body=person.body, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        officers = sorted(d["officers"], key=lambda p: p.pk != person.pk)  # the opener leads by default
        try:
            case = services.open_case(
                actor=request.user,
                item=d["item"],
                procedure=d["procedure"],
                title=d["title"],
                party_kind=d["party_kind"],
                party_name=d["party_name"],
                party_id_number=d["party_id_number"],
                party_representative=d["party_representative"],
                party_address=d["party_address"],
                party_phone=d["party_phone"],
                location=d["location"],
                facts=d["facts"],
                contract_price=d["contract_price"],
                amount=d["amount"],
                officers=officers or None,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记案件 {case.number}。")
            return redirect("cases:case_detail", case.pk)
    return render(request, "cases/case_form.html", {"form": form, "active_nav": "cases"})


def _case_for(request: HttpRequest, pk: int) -> Case:
    case = selectors.visible_cases(request.user).filter(pk=pk).first()
    if case is None:
        if Case.objects.filter(pk=pk).exists():
            raise PermissionDenied("您无权查看该案件。")
        raise Http404("案件不存在")
    return case


def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    workflow = selectors.workflow_of(case)
    actions = [
        (
            step,
            TransitionForm(initial={"version": case.version}, prefix=step.code),
            [DOCUMENTS[d].title for d in step.documents],
        )
        for step in selectors.actions_for(case, request.user)
    ]
    context: dict[str, Any] = {
        "case": case,
        "workflow": workflow,
        "state_label": selectors.state_label(case),
        "events": selectors.timeline(case),
        "timeline_rows": timeline.rows(case),
        "actions": actions,
        "officers": case.officers.select_related("person", "person__unit"),
        "active_nav": "cases",
        "today": timezone.localdate(),
        "can_manage_officers": permissions.has_role(request.user, {Role.UNIT_HEAD, Role.LEADER}, case.unit),
        "can_correct": selectors.is_on_case(case, request.user)
        or permissions.has_role(request.user, {Role.UNIT_HEAD, Role.LEADER}, case.unit),
        "running_clocks": case.clocks.filter(stopped_on__isnull=True, extended_by=0),
        "candidates": Person.objects.filter(body=case.body, roles__role=Role.OFFICER, is_active=True)
        .exclude(case_assignments__case=case)
        .distinct(),
    }
    context.update(_panels(case, request.user))
    if apps.is_installed("zhifa.review"):
        from zhifa.review.views import case_panel

        context["review_panel"] = case_panel(case, request.user)
    return render(request, "cases/case_detail.html", context)


def _panels(case: Case, user: Any) -> dict[str, Any]:
    """Context from the apps that hang off a case (documents, evidence, clocks, flowchart)."""
    from zhifa.cases.panels import case_panels

    return case_panels(case, user)


@require_POST
def case_transition(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    case = _case_for(request, pk)
    form = TransitionForm(request.POST, prefix=code)
    if not form.is_valid():
        messages.error(
            request,
            "提交的内容不完整或格式不正确："
            + "；".join(str(e) for errors in form.errors.values() for e in errors),
        )
        return redirect("cases:case_detail", case.pk)
    d = form.cleaned_data
    try:
        services.perform_transition(
            actor=request.user,
            case=case,
            transition=code,
            expected_version=d["version"],
            data={"amount": d["amount"]} if d.get("amount") is not None else {},
            reason=d["reason"],
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        details = exc.details if isinstance(exc.details, list) else []
        messages.error(request, exc.message if not details else "未能办理：" + "；".join(details))
    else:
        messages.success(request, "已办理。")
    return redirect("cases:case_detail", case.pk)


def case_file_zip(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The sealed electronic case file: a BagIt archive with the ledger proofs and the signed
    checkpoint, checkable offline with ``zhifa verify``."""
    case = _case_for(request, pk)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the response, which closes it
    try:
        sealing.write_sealed(case, spool, actor=request.user)
    except DomainError as exc:  # a stored file no longer matches its hash, or no signing key
        spool.close()
        messages.error(request, f"案卷导出失败：{exc.message}")
        return redirect("cases:case_detail", case.pk)
    spool.seek(0)
    name = f"{case.number}-封存电子案卷.zip"
    return FileResponse(spool, content_type="application/zip", as_attachment=True, filename=name)


@require_POST
def clock_extend(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    code, _, variant = request.POST.get("clock", "").partition("/")
    try:
        clock = services.extend_clock(
            actor=request.user, case=case, code=code, variant=variant, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已延长{clock.label}，届满日为{clock.due_on:%Y-%m-%d}。")
    return redirect("cases:case_detail", case.pk)


@require_POST
def event_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A correction is a new record event pointing at the one it corrects; nothing is rewritten."""
    case = _case_for(request, pk)
    raw_event = request.POST.get("event", "")
    event = case.events.filter(pk=int(raw_event)).first() if raw_event.isdigit() else None
    if event is None:
        messages.error(request, "请选择要更正的记录。")
        return redirect("cases:case_detail", case.pk)
    if not (
        selectors.is_on_case(case, request.user)
        or permissions.has_role(request.user, {Role.UNIT_HEAD, Role.LEADER}, case.unit)
    ):
        raise PermissionDenied("只有承办人员或负责人可以更正记录。")
    text = request.POST.get("correction", "").strip()
    try:
        correct_event(
            actor=request.user,
            event=event,
            correction={"更正内容": text} if text else {},
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已对记录 #{event.pk} 追加更正；原记录保持不变。")
    return redirect("cases:case_detail", case.pk)


@require_POST
def officer_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    raw_person = request.POST.get("person", "")
    person = get_object_or_404(Person, pk=int(raw_person) if raw_person.isdigit() else 0)
    try:
        services.assign_officer(actor=request.user, case=case, person=person)
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已指派{person.name}。")
    return redirect("cases:case_detail", case.pk)


@require_POST
def officer_recuse(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    case = _case_for(request, pk)
    person = get_object_or_404(Person, pk=person_pk)
    try:
        services.recuse_officer(
            actor=request.user, case=case, person=person, reason=request.POST.get("reason", "")
        )
    except DomainError as exc:
        if exc.status == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{person.name}已回避。")
    return redirect("cases:case_detail", case.pk)
