"""Load (or reload) the demo bureau. Idempotent: what exists is kept, what is missing is added,
and the demo accounts get the chosen password again."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from zhifa.catalog import services as catalog
from zhifa.catalog.models import EnforcementItem
from zhifa.catalog.services import BasisSpec, BracketSpec, ItemContent
from zhifa.core.identifiers import uscc_check_character
from zhifa.demo import content as demo
from zhifa.demo.cases import load_cases
from zhifa.org import services as org
from zhifa.org.models import Credential, CredentialStatus, EnforcementBody, Person, RoleAssignment, Unit

User = get_user_model()


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    accounts: list[tuple[str, str, str, str]] = field(default_factory=list)  # username, name, unit, roles


def demo_accounts() -> list[tuple[str, str, str, str]]:
    rows = []
    for username, name, _g, unit, _t, roles, *_ in demo.PEOPLE:
        if username:
            labels = "、".join(_role_label(role) for role, _ in roles)
            rows.append((username, name, unit, labels))
    return rows


def _role_label(role: str) -> str:
    from zhifa.org.models import Role

    return str(Role(role).label)


@transaction.atomic
def load_demo(*, password: str) -> DemoReport:
    report = DemoReport()
    body = _body(report)
    units = _units(body, report)
    # Hash once for every demo account: PBKDF2 is deliberately slow, and a reload must be quick.
    _people(body, units, make_password(password), report)
    _items(body, units, report)
    created = load_cases(body)
    if created:
        report.created.append(f"演示案件 {created} 件")
    from zhifa.demo.ledger import load_ledger

    report.created.extend(load_ledger())
    report.accounts = demo_accounts()
    return report


def _body(report: DemoReport) -> EnforcementBody:
    existing = EnforcementBody.objects.filter(name=demo.BODY["name"]).first()
    if existing:
        return existing
    data = {k: v for k, v in demo.BODY.items() if k != "credit_code17"}
    code17 = str(demo.BODY["credit_code17"])
    body = org.create_body(actor=None, credit_code=code17 + uscc_check_character(code17), **data)
    report.created.append(f"执法主体 {body.name}")
    return body


def _units(body: EnforcementBody, report: DemoReport) -> dict[str, Unit]:
    units = {u.name: u for u in Unit.objects.filter(body=body)}
    for order, (name, kind, counterpart, enforces, duties) in enumerate(demo.UNITS, start=1):
        if name in units:
            continue
        units[name] = org.create_unit(
            actor=None,
            body=body,
            name=name,
            kind=kind,
            counterpart=units[counterpart] if counterpart else None,
            enforces=enforces,
            duties=duties,
            sort_order=order * 10,
        )
        report.created.append(f"单位 {name}")
    return units


def _people(body: EnforcementBody, units: dict[str, Unit], password_hash: str, report: DemoReport) -> None:
    for username, name, gender, unit_name, title, roles, qualification, credential, rid17 in demo.PEOPLE:
        from zhifa.core.identifiers import resident_id_check_digit

        resident_id = rid17 + resident_id_check_digit(rid17)
        person = Person.objects.filter(resident_id=resident_id).first()
        if person is None:
            person = org.register_person(
                actor=None,
                unit=units[unit_name],
                name=name,
                gender=gender,
                title=title,
                resident_id=resident_id,
                phone=f"1390734{rid17[-4:]}",
                legal_qualification_no=qualification,
                username=username,
                password=None,
            )
            report.created.append(f"人员 {name}")
        if username and person.user is not None:
            person.user.password = password_hash
            person.user.is_active = True
            person.user.save(update_fields=["password", "is_active"])
        for role, scope in roles:
            unit = units[scope] if scope else None
            if not RoleAssignment.objects.filter(person=person, role=role, unit=unit).exists():
                org.grant_role(actor=None, person=person, role=role, unit=unit, reason="演示数据")
        if credential and not Credential.objects.filter(number=credential[0]).exists():
            number, issued, expires, status = credential
            issued_on = datetime.date.fromisoformat(issued)
            expires_on = datetime.date.fromisoformat(expires)
            cred = org.issue_credential(
                actor=None,
                person=person,
                number=number,
                category=demo.CREDENTIAL_CATEGORY,
                area=demo.CREDENTIAL_AREA,
                issuing_authority=demo.CREDENTIAL_AUTHORITY,
                issued_on=issued_on,
                expires_on=expires_on,
            )
            if status == CredentialStatus.SUSPENDED:
                org.change_credential_status(
                    actor=None, credential=cred, status=status, reason="演示：年度考核不合格，暂扣执法证"
                )
            elif status == CredentialStatus.REVOKED:
                org.change_credential_status(
                    actor=None, credential=cred, status=status, reason="演示：调离执法岗位，注销执法证"
                )


def _items(body: EnforcementBody, units: dict[str, Unit], report: DemoReport) -> None:
    for (
        code,
        act_type,
        unit_name,
        name,
        bases,
        other_basis,
        time_limit,
        note,
        fees,
        random_inspection,
        av,
        brackets,
        conditions,
        materials,
        procedure,
    ) in demo.ITEMS:
        if EnforcementItem.objects.filter(body=body, code=code).exists():
            continue
        content = ItemContent(
            name=name,
            implementing_unit=units[unit_name],
            other_basis=other_basis,
            time_limit_code=time_limit,
            time_limit_note=note,
            fees=fees,
            remedies=demo.REMEDIES,
            supervision_channels=demo.SUPERVISION,
            random_inspection=random_inspection,
            conditions=conditions,
            materials=materials,
            procedure_summary=procedure,
            bases=tuple(
                BasisSpec(catalog.find_provision(law, number), purpose) for law, number, purpose in bases
            ),
            av_requirements=tuple(sorted(av.items())),
            brackets=tuple(
                BracketSpec(c, b, lo, hi, desc, measures) for c, b, lo, hi, measures, desc in brackets
            ),
        )
        item = catalog.create_item(
            actor=None,
            body=body,
            code=code,
            act_type=act_type,
            content=content,
            effective_from=demo.ITEM_EFFECTIVE,
            reason="依据《实施方案》首次编制权责清单",
        )
        report.created.append(f"执法事项 {code}")
        if code == "ZJ-CF-001":
            # One adjusted item, so the history and diff pages have something to show.
            catalog.revise_item(
                actor=None,
                item=item,
                effective_from=datetime.date(2026, 3, 1),
                reason="依据2026年度裁量基准修订：细化“轻微”情形，增加询问环节音像记录要求",
                content=content.replace(
                    av_requirements=(*content.av_requirements, ("inquiry", "as_needed")),
                    procedure_summary=(
                        "线索核查 → 立案 → 调查取证（2名以上持证执法人员） → 法制审核（重大案件） → "
                        "告知 → 陈述申辩/听证 → 决定 → 送达 → 执行 → 结案归档"
                    ),
                ),
            )
