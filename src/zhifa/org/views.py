"""Staff pages for the organisation. Each view: check permission, call one service, show errors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from zhifa.core.errors import DomainError
from zhifa.core.forms import apply_domain_error
from zhifa.core.identifiers import mask_phone, mask_resident_id
from zhifa.org import permissions, selectors, services
from zhifa.org.forms import (
    BodyForm,
    CredentialForm,
    CredentialStatusForm,
    PersonForm,
    RoleGrantForm,
    UnitForm,
)
from zhifa.org.history import with_descriptions
from zhifa.org.models import Credential, CredentialStatus, EnforcementBody, Person, Role, RoleAssignment, Unit
from zhifa.org.privacy import mask_personal


def _form_page(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    crumbs: list[tuple[str, str]],
    cancel_url: str,
    nav: str = "org",
    intro: str = "",
    submit_label: str = "保存",
) -> HttpResponse:
    return render(
        request,
        "core/form_page.html",
        {
            "form": form,
            "title": title,
            "crumbs": crumbs,
            "cancel_url": cancel_url,
            "active_nav": nav,
            "intro": intro,
            "submit_label": submit_label,
        },
    )


def _crumbs_org() -> list[tuple[str, str]]:
    return [("组织机构", reverse("org:unit_list"))]


def _visible_history(events: Any, show_personal: bool) -> list[Any]:
    """Events with their readable changes; personal data masked unless the viewer may see it."""
    events = list(events)
    if not show_personal:
        for event in events:  # in memory only: OrgEvent rows are never saved again
            event.before, event.after = mask_personal(event.before), mask_personal(event.after)
    return with_descriptions(events)


def unit_list(request: HttpRequest) -> HttpResponse:
    bodies = [(body, selectors.unit_tree(body)) for body in selectors.bodies()]
    return render(
        request,
        "org/unit_list.html",
        {
            "bodies": bodies,
            "active_nav": "org",
            "can_manage": permissions.can_manage_org(request.user),
        },
    )


def body_create(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_org(request.user))
    form = BodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_body(actor=request.user, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已创建执法主体。")
            return redirect("org:unit_list")
    return _form_page(
        request, form, title="新建执法主体", crumbs=_crumbs_org(), cancel_url=reverse("org:unit_list")
    )


def body_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_org(request.user))
    body = get_object_or_404(EnforcementBody, pk=pk)
    form = BodyForm(request.POST or None, instance=EnforcementBody.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_body(actor=request.user, body=body, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存执法主体信息。")
            return redirect("org:unit_list")
    return _form_page(
        request,
        form,
        title=f"修改执法主体：{body.name}",
        crumbs=_crumbs_org(),
        cancel_url=reverse("org:unit_list"),
    )


def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(Unit.objects.select_related("body", "parent", "counterpart"), pk=pk)
    from zhifa.catalog import selectors as catalog_selectors

    return render(
        request,
        "org/unit_detail.html",
        {
            "unit": unit,
            "people": selectors.people(unit=unit),
            "subordinates": unit.supervised_units.all(),
            "children": unit.children.all(),
            "items": catalog_selectors.items(unit_id=unit.pk),
            "active_nav": "org",
            "can_manage": permissions.can_manage_org(request.user),
        },
    )


def unit_create(request: HttpRequest, body_pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_org(request.user))
    body = get_object_or_404(EnforcementBody, pk=body_pk)
    form = UnitForm(request.POST or None, body=body, instance=Unit(body=body))
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.create_unit(actor=request.user, body=body, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已创建单位“{unit.name}”。")
            return redirect("org:unit_detail", unit.pk)
    return _form_page(
        request,
        form,
        title=f"新建单位（{body.name}）",
        crumbs=_crumbs_org(),
        cancel_url=reverse("org:unit_list"),
    )


def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_org(request.user))
    unit = get_object_or_404(Unit, pk=pk)
    form = UnitForm(request.POST or None, body=unit.body, instance=Unit.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_unit(actor=request.user, unit=unit, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存单位信息。")
            return redirect("org:unit_detail", unit.pk)
    return _form_page(
        request,
        form,
        title=f"修改单位：{unit.name}",
        crumbs=_crumbs_org(),
        cancel_url=reverse("org:unit_detail", args=[unit.pk]),
    )


def person_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    unit_id = request.GET.get("unit", "")
    role = request.GET.get("role", "")
    unit = Unit.objects.filter(pk=unit_id).first() if unit_id.isdigit() else None
    people = selectors.people(query=query, unit=unit, role=role if role in Role.values else "")
    context = {
        "people": people[:500],
        "total": people.count(),
        "query": query,
        "unit_id": unit_id,
        "role": role,
        "units": Unit.objects.filter(is_active=True),
        "roles": Role.choices,
        "active_nav": "people",
        "can_manage": permissions.can_manage_org(request.user),
        "can_import": permissions.can_manage_credentials(request.user),
    }
    if request.headers.get("HX-Request"):
        return render(request, "org/_person_rows.html", context)
    return render(request, "org/person_list.html", context)


def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(Person.objects.select_related("unit", "body", "user"), pk=pk)
    show_personal = permissions.can_view_personal_data(request.user, person)
    return render(
        request,
        "org/person_detail.html",
        {
            "person": person,
            "resident_id": person.resident_id if show_personal else mask_resident_id(person.resident_id),
            "phone": person.phone if show_personal else mask_phone(person.phone),
            "roles": person.roles.select_related("unit"),
            "credentials": person.credentials.all(),
            "history": _visible_history(selectors.person_history(person)[:50], show_personal),
            "grant_form": RoleGrantForm(body=person.body),
            "active_nav": "people",
            "can_manage": permissions.can_manage_org(request.user),
            "can_manage_credentials": permissions.can_manage_credentials(request.user),
        },
    )


def person_create(request: HttpRequest) -> HttpResponse:
    permissions.require(permissions.can_manage_org(request.user))
    body = selectors.bodies().first()
    if body is None:
        messages.error(request, "请先创建执法主体。")
        return redirect("org:unit_list")
    form = PersonForm(request.POST or None, body=body, creating=True, instance=Person(body=body))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            person = services.register_person(actor=request.user, **data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记{person.name}。")
            return redirect("org:person_detail", person.pk)
    return _form_page(
        request,
        form,
        title="登记人员",
        crumbs=[("执法人员", reverse("org:person_list"))],
        cancel_url=reverse("org:person_list"),
        nav="people",
    )


def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_org(request.user))
    person = get_object_or_404(Person, pk=pk)
    form = PersonForm(
        request.POST or None, body=person.body, creating=False, instance=Person.objects.get(pk=pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(actor=request.user, person=person, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存人员信息。")
            return redirect("org:person_detail", person.pk)
    return _form_page(
        request,
        form,
        title=f"修改人员：{person.name}",
        crumbs=[
            ("执法人员", reverse("org:person_list")),
            (person.name, reverse("org:person_detail", args=[person.pk])),
        ],
        cancel_url=reverse("org:person_detail", args=[person.pk]),
        nav="people",
    )


@require_POST
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_org(request.user))
    person = get_object_or_404(Person, pk=pk)
    form = RoleGrantForm(request.POST, body=person.body)
    if not form.is_valid():
        messages.error(request, "请选择有效的角色和单位。")
    else:
        try:
            services.grant_role(
                actor=request.user,
                person=person,
                role=form.cleaned_data["role"],
                unit=form.cleaned_data["unit"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已授予角色。")
    return redirect("org:person_detail", person.pk)


@require_POST
def role_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_org(request.user))
    assignment = get_object_or_404(RoleAssignment.objects.select_related("person"), pk=pk)
    person_pk = assignment.person_id
    try:
        services.revoke_role(actor=request.user, assignment=assignment, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已撤销角色。")
    return redirect("org:person_detail", person_pk)


def credential_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    status = request.GET.get("status", "")
    expiring = request.GET.get("expiring", "")
    qs = selectors.credentials(
        query=query,
        status=status if status in {"valid", "expired", *CredentialStatus.values} else "",
        expiring_within_days=int(expiring) if expiring.isdigit() else None,
    )
    return render(
        request,
        "org/credential_list.html",
        {
            "credentials": qs[:500],
            "total": qs.count(),
            "query": query,
            "status": status,
            "expiring": expiring,
            "active_nav": "credentials",
        },
    )


def credential_detail(request: HttpRequest, pk: int) -> HttpResponse:
    credential = get_object_or_404(Credential.objects.select_related("person", "person__unit"), pk=pk)
    return render(
        request,
        "org/credential_detail.html",
        {
            "credential": credential,
            "history": with_descriptions(list(selectors.credential_history(credential))),
            "status_form": CredentialStatusForm(),
            "active_nav": "credentials",
            "can_manage": permissions.can_manage_credentials(request.user),
        },
    )


def credential_create(request: HttpRequest, person_pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_credentials(request.user))
    person = get_object_or_404(Person, pk=person_pk)
    form = CredentialForm(
        request.POST or None, request.FILES or None, creating=True, instance=Credential(person=person)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            credential = services.issue_credential(actor=request.user, person=person, **data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, f"已登记执法证 {credential.number}。")
            return redirect("org:credential_detail", credential.pk)
    return _form_page(
        request,
        form,
        title=f"为{person.name}登记执法证",
        crumbs=[
            ("执法人员", reverse("org:person_list")),
            (person.name, reverse("org:person_detail", args=[person.pk])),
        ],
        cancel_url=reverse("org:person_detail", args=[person.pk]),
        nav="credentials",
    )


def credential_edit(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_credentials(request.user))
    credential = get_object_or_404(Credential.objects.select_related("person"), pk=pk)
    form = CredentialForm(
        request.POST or None, request.FILES or None, creating=False, instance=Credential.objects.get(pk=pk)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        photo = data.pop("photo", None)
        try:
            services.update_credential(
                actor=request.user, credential=credential, reason=reason, photo=photo, **data
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, "已保存执法证信息。")
            return redirect("org:credential_detail", credential.pk)
    return _form_page(
        request,
        form,
        title=f"修改执法证 {credential.number}",
        crumbs=[("执法证", reverse("org:credential_list"))],
        cancel_url=reverse("org:credential_detail", args=[credential.pk]),
        nav="credentials",
        intro="延长有效期即为换发/延期；证件状态请在详情页通过暂扣、恢复或吊销办理。",
    )


@require_POST
def credential_status(request: HttpRequest, pk: int) -> HttpResponse:
    permissions.require(permissions.can_manage_credentials(request.user))
    credential = get_object_or_404(Credential, pk=pk)
    form = CredentialStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请选择状态并填写原因。")
    else:
        try:
            services.change_credential_status(
                actor=request.user,
                credential=credential,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已变更执法证状态。")
    return redirect("org:credential_detail", credential.pk)


def credential_photo(request: HttpRequest, pk: int) -> FileResponse:
    """Photos are served to signed-in staff only, never from a public media URL."""
    credential = get_object_or_404(Credential, pk=pk)
    if not credential.photo:
        raise Http404("没有照片")
    if not request.user.is_authenticated:
        raise PermissionDenied
    handle = credential.photo.open("rb")
    head = handle.read(8)
    handle.seek(0)
    # The type comes from the bytes (uploads are checked to be JPEG or PNG), not from the name.
    content_type = "image/png" if head.startswith(b"\x89PNG") else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "private, max-age=300"
    return response
