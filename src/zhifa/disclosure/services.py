"""Every write of 事后公开: recording a decision for publication (from the case workflow, in the
decision's own transaction), publishing, correcting, withdrawing (T4), expiring (T6), and the
public's correction requests. Each runs in one transaction, writes write-once versions and events
(ledger leaves) and appends a record event on the case.

Side effects: none outside the database. The public side reads only ``selectors.public_publications``.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.db import transaction
from django.utils import timezone

from zhifa.cases.models import Case, PartyKind
from zhifa.catalog.selectors import rule_in_force
from zhifa.core.errors import Conflict, InvalidInput, NotFound, NotPermitted
from zhifa.disclosure import selectors
from zhifa.disclosure.masking import mask_fields, unmasked_numbers
from zhifa.disclosure.models import (
    FIELD_LABELS,
    KIND_FIELDS,
    RECORD_EVENT_TYPE,
    CorrectionRequest,
    Publication,
    PublicationAction,
    PublicationEvent,
    PublicationStatus,
    PublicationVersion,
    RequestOutcome,
)
from zhifa.disclosure.sources import PUBLISHED_STEPS, document_number, draw_fields
from zhifa.org import permissions
from zhifa.org.models import Role
from zhifa.records.services import _actor_name, append_event
from zhifa.workdays.calendar import CalendarYearMissing, add_months, add_working_days

PUBLISHER_UNIT_ROLES = (Role.OFFICER, Role.UNIT_HEAD)
PUBLISHER_BODY_ROLES = (Role.LEADER, Role.PILOT_OFFICE)


def _require_publisher(actor: Any, case: Case) -> None:
    """Officers and heads of the case's unit, the body's leaders and 试点办 — of this body only."""
    me = permissions.person_of(actor)
    allowed = (
        me is not None
        and me.body_id == case.body_id
        and (
            permissions.has_role(actor, PUBLISHER_UNIT_ROLES, case.unit)
            or permissions.has_role(actor, PUBLISHER_BODY_ROLES)
        )
    )
    if not allowed:
        raise NotPermitted("只有承办单位的执法人员、负责人，局领导或试点办可以办理公示。")


def _locked(publication: Publication) -> Publication:
    return (
        Publication.objects.select_for_update(of=("self",))
        .select_related("case", "case__unit")
        .get(pk=publication.pk)
    )


def _digest(fields: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    ).hexdigest()


def _due(rule_code: str, decided_on: datetime.date) -> datetime.date | None:
    rule = rule_in_force(rule_code, "", decided_on)
    if rule is None:
        return None
    try:
        return add_working_days(decided_on, int(rule.quantity))
    except CalendarYearMissing:
        return None


def _public_text(publication: Publication, text: str) -> str:
    """Reasons of corrections and withdrawals are shown publicly: masked like the fields."""
    return str(mask_fields(publication.case, {"text": text}, publication.redactions)["text"])


def _new_version(
    *, publication: Publication, fields: dict[str, Any], actor: Any, reason: str = ""
) -> PublicationVersion:
    """Mask and write the next version. Refuses (nothing written) if a long number survives."""
    case = publication.case
    masked = mask_fields(case, fields, publication.redactions)
    allowed = case.party_id_number if case.party_kind == PartyKind.ORGANISATION else ""
    if unmasked_numbers(masked, allowed=allowed):
        raise Conflict("公示内容中仍有未隐去的证件号码或电话号码，请检查后再提交。", code="unmasked")
    latest = publication.versions.order_by("-number").first()
    return PublicationVersion.objects.create(
        publication=publication,
        number=(latest.number if latest else 0) + 1,
        fields=masked,
        digest=_digest(masked),
        reason=_public_text(publication, reason),
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def _event(
    *,
    publication: Publication,
    action: str,
    actor: Any,
    day: datetime.date,
    reason: str = "",
    version: PublicationVersion | None = None,
) -> PublicationEvent:
    version = version or publication.versions.order_by("-number").first()
    reason = _public_text(publication, reason)
    event = PublicationEvent.objects.create(
        publication=publication,
        action=action,
        version=version,
        reason=reason,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=_actor_name(actor),
        occurred_on=day,
    )
    label = PublicationAction(action).label
    append_event(
        actor=actor,
        event_type=RECORD_EVENT_TYPE,
        case=publication.case,
        after={
            "title": f"{publication.get_kind_display()}信息公示（{label}）",
            "publication": publication.pk,
            "action": action,
            "number": version.fields.get("document_number", "") if version else "",
            "version": version.number if version else 0,
            "sha256": version.digest if version else "",
        },
        reason=reason,
    )
    return event


def record_decision_for_publication(
    *, case: Case, step: str, actor: Any, today: datetime.date | None = None
) -> Publication | None:
    """Called by the case workflow inside the decision's transaction: a decision that must be
    published gets its publication, pending, with the masked 双公示 fields drawn from the case.
    Idempotent per case and step; a step that publishes nothing (e.g. 不予许可) returns None.
    A missing calendar year never blocks the decision: the time limit is left open and flagged."""
    spec = PUBLISHED_STEPS.get((case.act_type, step))
    if spec is None:
        return None
    kind, rule_code, template = spec
    existing = Publication.objects.filter(case=case, step=step).first()
    if existing is not None:
        return existing
    day = today or timezone.localdate()
    due_on = _due(rule_code, day)
    publication = Publication.objects.create(
        case=case, kind=kind, step=step, decided_on=day, due_rule=rule_code, due_on=due_on,
        due_on_missing=due_on is None,
    )  # fmt: skip
    fields = draw_fields(case, kind=kind, template=template, decided_on=day)
    version = _new_version(publication=publication, fields=fields, actor=actor, reason="决定作出时自动生成")
    append_event(
        actor=actor,
        event_type=RECORD_EVENT_TYPE,
        case=case,
        after={
            "title": f"{publication.get_kind_display()}信息公示（待公开）",
            "publication": publication.pk,
            "action": "recorded",
            "version": version.number,
            "sha256": version.digest,
            "due_on": due_on.isoformat() if due_on else None,
            "due_rule": rule_code,
        },
    )
    return publication


def _spans(notes: str) -> list[str]:
    return [line.strip() for line in notes.splitlines() if line.strip()]


@transaction.atomic
def publish(
    *, actor: Any, publication: Publication, trade_secret_notes: str = "", today: datetime.date | None = None
) -> PublicationVersion:
    """Staff confirm the masked fields and publish. ``trade_secret_notes``: text spans (one a
    line) to hide as ＊＊. The decision document's number, if issued since, is filled in. A new
    version is written when anything changed."""
    publication = _locked(publication)
    _require_publisher(actor, publication.case)
    status = selectors.status_of(publication)
    if status != PublicationStatus.PENDING:
        raise Conflict(f"该公示信息{PublicationStatus(status).label}，不能再公开。", code="not_pending")
    spans = _spans(trade_secret_notes)
    if spans:
        publication.redactions = sorted({*publication.redactions, *spans}, key=len, reverse=True)
        publication.save(update_fields=["redactions"])
    latest = publication.versions.order_by("-number").first()
    assert latest is not None  # written with the publication
    fields = dict(latest.fields)
    if not fields.get("document_number"):
        fields["document_number"] = document_number(
            publication.case, PUBLISHED_STEPS[(publication.case.act_type, publication.step)][2]
        )
    version = latest
    if spans or fields != latest.fields:
        version = _new_version(publication=publication, fields=fields, actor=actor, reason="公开前核对")
    _event(
        publication=publication,
        action=PublicationAction.PUBLISH,
        actor=actor,
        day=today or timezone.localdate(),
        version=version,
    )
    return version


@transaction.atomic
def correct(
    *,
    actor: Any,
    publication: Publication,
    fields: dict[str, Any],
    reason: str,
    today: datetime.date | None = None,
) -> PublicationVersion:
    """更正: a new version with the changed fields; the reason is kept and shown. Earlier versions
    stay as they were."""
    if not reason.strip():
        raise InvalidInput("更正须说明理由。", details={"reason": ["请填写更正理由。"]})
    publication = _locked(publication)
    _require_publisher(actor, publication.case)
    status = selectors.status_of(publication)
    if status in (PublicationStatus.WITHDRAWN, PublicationStatus.EXPIRED):
        raise Conflict(f"该公示信息{PublicationStatus(status).label}，不能更正。", code="not_correctable")
    allowed = KIND_FIELDS[publication.kind]
    unknown = [name for name in fields if name not in allowed]
    if unknown or not fields:
        raise InvalidInput(
            "请填写需要更正的公示内容。",
            details={"fields": [f"不能更正“{FIELD_LABELS.get(n, n)}”。" for n in unknown] or ["请填写。"]},
        )
    latest = publication.versions.order_by("-number").first()
    assert latest is not None
    merged = {**latest.fields, **{k: str(v) for k, v in fields.items()}}
    if mask_fields(publication.case, merged, publication.redactions) == latest.fields:
        raise InvalidInput("更正后的内容与原内容相同。", details={"fields": ["内容没有变化。"]})
    version = _new_version(publication=publication, fields=merged, actor=actor, reason=reason)
    _event(
        publication=publication,
        action=PublicationAction.CORRECT,
        actor=actor,
        day=today or timezone.localdate(),
        reason=reason,
        version=version,
    )
    return version


@transaction.atomic
def withdraw(
    *, actor: Any, publication: Publication, reason: str, today: datetime.date | None = None
) -> PublicationEvent:
    """撤回 (T4, 行政处罚法 Art. 48): the decision was changed, revoked or held unlawful. The item
    leaves the public listings; its versions, events and ledger leaves stay; the reason is public."""
    if not reason.strip():
        raise InvalidInput("撤回须说明理由。", details={"reason": ["请填写撤回理由。"]})
    publication = _locked(publication)
    _require_publisher(actor, publication.case)
    status = selectors.status_of(publication)
    if status in (PublicationStatus.WITHDRAWN, PublicationStatus.EXPIRED):
        raise Conflict(f"该公示信息{PublicationStatus(status).label}，不能撤回。", code="not_withdrawable")
    return _event(
        publication=publication,
        action=PublicationAction.WITHDRAW,
        actor=actor,
        day=today or timezone.localdate(),
        reason=reason,
    )


def expiry_date(publication: Publication, published_on: datetime.date) -> datetime.date | None:
    """The last day the item stays up (T6: years by party kind, the rule in force when published)."""
    variant = "individual" if publication.case.party_kind == PartyKind.PERSON else "organisation"
    rule = rule_in_force("T6", variant, published_on)
    if rule is None:
        return None
    return add_months(published_on, 12 * int(rule.quantity), roll_forward=False)


@transaction.atomic
def expire_due(*, today: datetime.date) -> list[Publication]:
    """T6: take out of the listings every published item whose period has passed. Run daily by
    the system; the ledger keeps the fact that each was published."""
    expired: list[Publication] = []
    for publication, published_on in selectors.live_with_publish_date():
        until = expiry_date(publication, published_on)
        if until is None or until >= today:
            continue
        publication = _locked(publication)
        if selectors.status_of(publication) != PublicationStatus.PUBLISHED:
            continue
        _event(
            publication=publication,
            action=PublicationAction.EXPIRE,
            actor=None,
            day=today,
            reason=f"公开期限已于{until:%Y年%m月%d日}届满（T6）",
        )
        expired.append(publication)
    return expired


@transaction.atomic
def request_correction(*, publication: Publication, name: str, contact: str, text: str) -> CorrectionRequest:
    """A member of the public asks for a correction of a published item."""
    given = {"name": name, "contact": contact, "text": text}
    errors = {key: ["必填。"] for key, value in given.items() if not value.strip()}
    if errors:
        raise InvalidInput("请填写姓名、联系方式和更正请求。", details=errors)
    publication = _locked(publication)
    if selectors.status_of(publication) != PublicationStatus.PUBLISHED:
        raise NotFound("该公示信息不存在或已下线。", code="publication_not_found")
    request = CorrectionRequest.objects.create(
        publication=publication, name=name.strip()[:100], contact=contact.strip()[:100], text=text.strip()
    )
    append_event(
        actor=None,
        event_type=RECORD_EVENT_TYPE,
        case=publication.case,
        after={
            "title": f"{publication.get_kind_display()}信息公示（收到更正申请）",
            "publication": publication.pk,
            "action": "correction_requested",
            "request": request.pk,
        },
    )
    return request


@transaction.atomic
def resolve_correction_request(
    *,
    actor: Any,
    request: CorrectionRequest,
    accept: bool,
    reason: str,
    fields: dict[str, Any] | None = None,
    today: datetime.date | None = None,
) -> CorrectionRequest:
    """Staff answer a correction request: accept (with the corrected fields) or refuse, with a reason."""
    if not reason.strip():
        raise InvalidInput("处理更正申请须说明理由。", details={"reason": ["请填写理由。"]})
    request = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
    if request.outcome != RequestOutcome.OPEN:
        raise Conflict("该更正申请已处理。", code="already_resolved")
    publication = _locked(request.publication)
    _require_publisher(actor, publication.case)
    if accept:
        if not fields:
            raise InvalidInput("同意更正的，请填写更正后的内容。", details={"fields": ["请填写。"]})
        correct(actor=actor, publication=publication, fields=fields, reason=reason, today=today)
    request.outcome = RequestOutcome.ACCEPTED if accept else RequestOutcome.REJECTED
    request.resolution = reason
    request.resolved_by = actor
    request.resolved_at = timezone.now()
    request.save(update_fields=["outcome", "resolution", "resolved_by", "resolved_at"])
    _event(
        publication=publication,
        action=PublicationAction.REQUEST_RESOLVED,
        actor=actor,
        day=today or timezone.localdate(),
        reason=f"{request.get_outcome_display()}：{reason}",
    )
    return request


@transaction.atomic
def fill_missing_due_dates() -> int:
    """Once a missing calendar year is loaded, compute the time limits left open."""
    filled = 0
    for publication in Publication.objects.select_for_update().filter(due_on_missing=True):
        due_on = _due(publication.due_rule, publication.decided_on)
        if due_on is not None:
            publication.due_on, publication.due_on_missing = due_on, False
            publication.save(update_fields=["due_on", "due_on_missing"])
            filled += 1
    return filled
