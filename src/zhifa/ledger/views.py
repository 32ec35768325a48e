"""Ledger pages: the staff overview (checkpoints, keys, audits, actions), a leaf's proof page,
and the public page where anyone reads the latest signed checkpoint and the public keys."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhifa.core.errors import DomainError
from zhifa.ledger import checkpoints, log, selectors, signing
from zhifa.ledger.alerts import latest_failed_run
from zhifa.ledger.audit import run_audit
from zhifa.ledger.models import AuditRun
from zhifa.org import permissions
from zhifa.org.models import Role


def _can_audit(user: Any) -> bool:
    return permissions.has_role(user, (Role.ADMIN, Role.SUPERVISOR))


def overview(request: HttpRequest) -> HttpResponse:
    head = log.head()
    return render(
        request,
        "ledger/overview.html",
        {
            "active_nav": "ledger",
            "head": head,
            "checkpoints": selectors.recent_checkpoints(10),
            "keys": selectors.key_rows(),
            "audits": AuditRun.objects.order_by("-started_at")[:10] if _can_audit(request.user) else None,
            "can_checkpoint": permissions.is_admin(request.user),
            "can_audit": _can_audit(request.user),
            "every_minutes": settings.ZHIFA_CHECKPOINT_EVERY_SECONDS // 60,
        },
    )


@require_POST
def checkpoint_now(request: HttpRequest) -> HttpResponse:
    if not permissions.is_admin(request.user):
        raise PermissionDenied("只有管理员可以签署检查点。")
    try:
        made = checkpoints.make_checkpoint(actor=request.user, trigger="manual")
        messages.success(request, f"检查点 #{made.pk} 已签署：{made.size} 个叶子。")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("ledger:overview")


@require_POST
def audit_now(request: HttpRequest) -> HttpResponse:
    if not _can_audit(request.user):
        raise PermissionDenied("只有管理员和监督人员可以核验账本。")
    run = run_audit(trigger="manual")
    if run.ok:
        messages.success(request, f"账本核验一致：{run.leaves} 个叶子，{run.checkpoints} 个检查点。")
    else:
        messages.error(request, f"账本核验发现 {len(run.findings)} 处不一致，详见下表。")
    return redirect("ledger:overview")


def leaf(request: HttpRequest, index: int) -> HttpResponse:
    try:
        document = selectors.leaf_row(index)
    except DomainError as exc:
        raise Http404(exc.message) from exc
    case_id = document.get("row", {}).get("case_id")
    refusal = selectors.may_read_leaf(request.user, document)
    if refusal:
        raise PermissionDenied(refusal)
    bundle: dict[str, Any] | None = None
    problems: list[str] = []
    waiting = ""
    try:
        bundle = selectors.inclusion_bundle(index)
        problems = selectors.check_bundle(bundle)
    except DomainError as exc:
        waiting = exc.message
    return render(
        request,
        "ledger/leaf.html",
        {
            "active_nav": "ledger",
            "index": index,
            "document": document,
            "kind_label": _kind_label(document.get("kind", "")),
            "row_json": json.dumps(document.get("row", {}), ensure_ascii=False, indent=1, sort_keys=True),
            "bundle": bundle,
            "problems": problems,
            "waiting": waiting,
            "case_id": case_id,
        },
    )


def _kind_label(kind: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(kind)._meta.verbose_name)
    except (LookupError, ValueError):
        return kind


@login_not_required
def public(request: HttpRequest) -> HttpResponse:
    latest = checkpoints.latest_checkpoint()
    return render(
        request,
        "ledger/public.html",
        {
            "head": log.head(),
            "latest": selectors.checkpoint_row(latest) if latest else None,
            "keys": selectors.key_rows(),
            "verify_sm2": signing.openssl_verify_command(
                "sm2", "log-key.pem", "checkpoint.txt", "checkpoint.sig"
            ),
            "verify_ed25519": signing.openssl_verify_command(
                "ed25519", "log-key.pem", "checkpoint.txt", "checkpoint.sig"
            ),
        },
    )


@login_not_required
def public_key_pem(request: HttpRequest, key_id: str) -> HttpResponse:
    key = selectors.key_by_id(key_id)
    if key is None:
        raise Http404("没有该公钥。")
    response = HttpResponse(key.public_pem, content_type="application/x-pem-file")
    response["Content-Disposition"] = f'attachment; filename="{key.key_id}.pem"'
    return response


@login_not_required
def public_checkpoint(request: HttpRequest) -> HttpResponse:
    latest = checkpoints.latest_checkpoint()
    if latest is None:
        raise Http404("尚无检查点。")
    return HttpResponse(checkpoints.signed_note(latest), content_type="text/plain; charset=utf-8")


def failed_audit_banner(request: HttpRequest) -> dict[str, Any]:
    """Context processor: administrators and supervisors see a failed audit on every page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not _can_audit(user):
        return {}
    return {"ledger_failed_audit": latest_failed_run()}
