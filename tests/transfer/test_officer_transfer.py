"""The officer list: export with masking, import all-or-nothing through the org services."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from zhifa.core.errors import InvalidInput, NotPermitted
from zhifa.core.identifiers import resident_id_check_digit
from zhifa.core.tabular import write_csv, write_xlsx
from zhifa.org import services as org
from zhifa.org.models import Credential, OrgEvent, OrgEventType, Person, Role, RoleAssignment
from zhifa.org.transfer import HEADERS, export_officers, import_officers


def rid(serial: int) -> str:
    first17 = f"43040019900101{serial:03d}"
    return first17 + resident_id_check_digit(first17)


def wrong_check_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def officer_row(serial: int, **overrides: str) -> dict[str, str]:
    row = {
        "姓名": f"新人员{serial}",
        "性别": "女",
        "身份证号": rid(serial),
        "手机号": "13800000000",
        "所属单位": "稽查支队",
        "职务": "科员",
        "角色": "执法人员",
        "执法证号": f"4304009{serial:05d}",
        "执法类别": "城乡建设",
        "执法区域": "衡阳市",
        "发证机关": "衡阳市人民政府",
        "发证日期": "2024-03-01",
        "有效期至": "2029-02-28",
        "用户名": "",
    }
    row.update(overrides)
    return row


def csv_of(rows: list[dict[str, str]], headers: list[str] = HEADERS) -> bytes:
    return write_csv(headers, [[row.get(h, "") for h in headers] for row in rows])


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Credential.objects.count(),
        RoleAssignment.objects.count(),
        OrgEvent.objects.count(),
    )


def details(exc: InvalidInput) -> list[tuple[int, str, str]]:
    return [tuple(d) for d in exc.details]


# -- export -------------------------------------------------------------------------------------


def test_export_has_one_row_per_person_with_roles_and_current_credential(bureau: Any) -> None:
    headers, rows = export_officers(user=bureau.pilot)
    assert headers == HEADERS
    by_name = {row[0]: dict(zip(headers, row, strict=True)) for row in rows}
    assert len(rows) == Person.objects.filter(is_active=True).count()
    li = by_name["李执法"]
    assert li["身份证号"] == bureau.people["officer"].resident_id  # 试点办 sees personal data
    assert li["角色"] == "执法人员"
    assert (li["执法证号"], li["发证日期"], li["有效期至"]) == ("430400100001", "2024-01-01", "2029-12-31")
    assert li["用户名"] == "officer"


def test_export_masks_personal_data_the_user_may_not_see(bureau: Any) -> None:
    org.update_person(actor=None, person=bureau.people["officer2"], phone="13912345678")
    _, rows = export_officers(user=bureau.officer)
    by_name = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows}
    assert by_name["王执法"]["身份证号"] == "430400********" + bureau.people["officer2"].resident_id[-4:]
    assert by_name["王执法"]["手机号"] == "139****5678"
    assert (
        by_name["李执法"]["身份证号"] == bureau.people["officer"].resident_id
    )  # one's own data stays visible


# -- round trips --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_export_changes_nothing(bureau: Any, fmt: str) -> None:
    headers, rows = export_officers(user=bureau.admin)
    content = write_csv(headers, rows) if fmt == "csv" else write_xlsx(headers, rows, "执法人员")
    before = counts()
    report = import_officers(actor=bureau.admin, body=bureau.body, content=content, filename=f"名单.{fmt}")
    assert (report.created, report.updated, report.unchanged) == (0, 0, len(rows))
    assert counts() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_creates_people_through_services_and_exports_them_back(bureau: Any, fmt: str) -> None:
    rows = [
        officer_row(1, 角色="执法人员、科室负责人", 用户名="xinren1"),
        officer_row(2, 执法证号="", 执法类别="", 执法区域="", 发证机关="", 发证日期="", 有效期至=""),
    ]
    data = [[r[h] for h in HEADERS] for r in rows]
    content = write_csv(HEADERS, data) if fmt == "csv" else write_xlsx(HEADERS, data, "执法人员")
    report = import_officers(actor=bureau.pilot, body=bureau.body, content=content, filename=f"名单.{fmt}")
    assert (report.created, report.updated, report.unchanged) == (2, 0, 0)
    first = Person.objects.get(resident_id=rid(1))
    assert first.user is not None
    assert (first.name, first.gender, first.unit.name, first.user.username) == (
        "新人员1",
        "F",
        "稽查支队",
        "xinren1",
    )
    assert set(first.roles.values_list("role", flat=True)) == {Role.OFFICER, Role.UNIT_HEAD}
    credential = first.credentials.get()
    assert (credential.number, credential.issued_on) == ("430400900001", datetime.date(2024, 3, 1))
    assert not Person.objects.get(resident_id=rid(2)).credentials.exists()
    events = set(OrgEvent.objects.filter(person=first).values_list("event_type", "actor"))
    assert {
        (OrgEventType.PERSON_CREATED, bureau.pilot.pk),
        (OrgEventType.ROLE_GRANTED, bureau.pilot.pk),
        (OrgEventType.CREDENTIAL_ISSUED, bureau.pilot.pk),
    } <= events
    _, exported = export_officers(user=bureau.pilot)
    assert data[0] in exported  # the import and the export speak the same format


def test_import_updates_matched_person_and_credential_and_only_adds_roles(bureau: Any) -> None:
    _, rows = export_officers(user=bureau.pilot)
    row = dict(zip(HEADERS, next(r for r in rows if r[0] == "李执法"), strict=True))
    row.update(
        {"手机号": "13700000001", "所属单位": "工程管理科", "角色": "科室负责人", "有效期至": "2030-12-31"}
    )
    report = import_officers(actor=bureau.pilot, body=bureau.body, content=csv_of([row]), filename="a.csv")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    person = Person.objects.get(pk=bureau.people["officer"].pk)
    assert (person.phone, person.unit.name) == ("13700000001", "工程管理科")
    assert set(person.roles.values_list("role", flat=True)) == {Role.OFFICER, Role.UNIT_HEAD}  # none revoked
    assert person.credentials.get().expires_on == datetime.date(2030, 12, 31)
    update = OrgEvent.objects.get(person=person, event_type=OrgEventType.PERSON_UPDATED)
    assert update.reason == "批量导入：a.csv"
    assert update.before["phone"] == "" and update.after["phone"] == "13700000001"
    assert OrgEvent.objects.filter(person=person, event_type=OrgEventType.CREDENTIAL_RENEWED).exists()


def test_person_without_resident_id_is_matched_by_credential_number(bureau: Any) -> None:
    person = org.register_person(actor=None, unit=bureau.units["稽查支队"], name="老执法")
    org.issue_credential(
        actor=None,
        person=person,
        number="430400999999",
        category="城乡建设",
        area="衡阳市",
        issuing_authority="衡阳市人民政府",
        issued_on=datetime.date(2020, 1, 1),
        expires_on=datetime.date(2025, 12, 31),
    )
    row = officer_row(7, 姓名="老执法", 执法证号="430400999999", 发证日期="2020-01-01", 有效期至="2025-12-31")
    report = import_officers(actor=bureau.pilot, body=bureau.body, content=csv_of([row]), filename="a.csv")
    assert (report.created, report.updated) == (0, 1)
    assert Person.objects.get(pk=person.pk).resident_id == rid(7)


# -- refusals: all rows checked, nothing saved ---------------------------------------------------


def test_one_bad_row_among_good_ones_saves_nothing_and_names_the_rule(bureau: Any) -> None:
    rows = [officer_row(1), officer_row(2, 身份证号=wrong_check_digit(rid(2))), officer_row(3)]
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        import_officers(actor=bureau.pilot, body=bureau.body, content=csv_of(rows), filename="a.csv")
    assert counts() == before
    [(row, column, message)] = details(refused.value)
    assert (row, column) == (3, "身份证号")
    assert "校验码" in message
    assert "未导入任何数据" in refused.value.message


def test_every_problem_of_every_row_is_reported(bureau: Any) -> None:
    rows = [
        officer_row(1, 所属单位="不存在科", 角色="执法人员、局长"),
        officer_row(2, 发证日期="2024-13-01", 有效期至="2023-01-01"),
        officer_row(3, 发证日期="2024-06-01", 有效期至="2024-01-01"),
        officer_row(4, 身份证号=rid(1), 执法证号="430400100002"),  # 王执法's credential, and 1's id again
        officer_row(5, 姓名="", 性别="未知", 身份证号="43040019900101"),
        officer_row(6, 执法证号="", 发证机关="衡阳市人民政府"),
    ]
    with pytest.raises(InvalidInput) as refused:
        import_officers(actor=bureau.pilot, body=bureau.body, content=csv_of(rows), filename="a.csv")
    found = {(row, column) for row, column, _ in details(refused.value)}
    assert {
        (2, "所属单位"),
        (2, "角色"),
        (3, "发证日期"),
        (4, "有效期至"),
        (5, "身份证号"),
        (6, "姓名"),
        (6, "性别"),
        (6, "身份证号"),
        (7, "执法证号"),
    } <= found
    messages = {(row, column): message for row, column, message in details(refused.value)}
    assert "不存在科" in messages[(2, "所属单位")]
    assert "局长" in messages[(2, "角色")]
    assert "与第2行重复" in messages[(5, "身份证号")]
    assert "应为18位" in messages[(6, "身份证号")]


def test_credential_number_of_another_person_in_the_database_is_refused(bureau: Any) -> None:
    row = officer_row(1, 执法证号="430400100002")  # 王执法's
    with pytest.raises(InvalidInput) as refused:
        import_officers(actor=bureau.pilot, body=bureau.body, content=csv_of([row]), filename="a.csv")
    [(row_number, column, message)] = details(refused.value)
    assert (row_number, column) == (2, "执法证号") and "王执法" in message


def test_duplicate_credential_number_within_the_file_is_refused(bureau: Any) -> None:
    rows = [officer_row(1, 执法证号="430400777777"), officer_row(2, 执法证号="430400777777")]
    with pytest.raises(InvalidInput) as refused:
        import_officers(actor=bureau.pilot, body=bureau.body, content=csv_of(rows), filename="a.csv")
    assert details(refused.value) == [(3, "执法证号", "执法证号“430400777777”与第2行重复。")]


def test_missing_required_columns_are_named_in_one_error(bureau: Any) -> None:
    headers = [h for h in HEADERS if h not in {"身份证号", "所属单位"}]
    with pytest.raises(InvalidInput) as refused:
        import_officers(
            actor=bureau.pilot, body=bureau.body, content=csv_of([officer_row(1)], headers), filename="a.csv"
        )
    assert refused.value.code == "missing_columns"
    [(row, column, message)] = details(refused.value)
    assert row == 1 and column == "身份证号、所属单位"
    assert "缺少必填列" in message


def test_gb18030_csv_is_accepted(bureau: Any) -> None:
    row = officer_row(1)
    text = ",".join(HEADERS) + "\r\n" + ",".join(row[h] for h in HEADERS) + "\r\n"
    report = import_officers(
        actor=bureau.pilot, body=bureau.body, content=text.encode("gb18030"), filename="a.csv"
    )
    assert report.created == 1
    assert Person.objects.get(resident_id=rid(1)).name == "新人员1"


def test_masked_export_cannot_be_imported(bureau: Any) -> None:
    headers, rows = export_officers(user=bureau.officer)
    with pytest.raises(InvalidInput) as refused:
        import_officers(
            actor=bureau.pilot, body=bureau.body, content=write_csv(headers, rows), filename="a.csv"
        )
    assert any("脱敏" in message for _, _, message in details(refused.value))


def test_only_an_administrator_grants_administrator_by_import(bureau: Any) -> None:
    row = officer_row(1, 角色="系统管理员")
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        import_officers(actor=bureau.pilot, body=bureau.body, content=csv_of([row]), filename="a.csv")
    assert counts() == before
    assert details(refused.value)[0][1] == "角色"
    report = import_officers(actor=bureau.admin, body=bureau.body, content=csv_of([row]), filename="a.csv")
    assert report.created == 1


def test_review_role_without_legal_qualification_is_refused_before_saving(bureau: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        import_officers(
            actor=bureau.pilot,
            body=bureau.body,
            content=csv_of([officer_row(1, 角色="法制审核人员")]),
            filename="a.csv",
        )
    assert "法律职业资格" in details(refused.value)[0][2]


def test_taken_username_is_refused(bureau: Any) -> None:
    with pytest.raises(InvalidInput) as refused:
        import_officers(
            actor=bureau.pilot,
            body=bureau.body,
            content=csv_of([officer_row(1, 用户名="officer")]),
            filename="a.csv",
        )
    assert details(refused.value) == [(2, "用户名", "用户名“officer”已被使用。")]


@pytest.mark.parametrize("persona", ["officer", "head", "reviewer", "outsider"])
def test_only_programme_office_or_admin_may_import(bureau: Any, persona: str) -> None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=persona)
    with pytest.raises(NotPermitted):
        import_officers(actor=user, body=bureau.body, content=csv_of([officer_row(1)]), filename="a.csv")


def test_resident_id_turned_into_a_number_by_excel_gets_a_hint(bureau: Any) -> None:
    import io

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADERS)
    row = officer_row(1)
    sheet.append([430400199001010020.0 if h == "身份证号" else row[h] for h in HEADERS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(InvalidInput) as refused:
        import_officers(actor=bureau.pilot, body=bureau.body, content=buffer.getvalue(), filename="a.xlsx")
    [(_, column, message)] = details(refused.value)
    assert column == "身份证号" and "科学计数法" in message


def test_a_refusal_during_saving_rolls_back_the_rows_already_written(bureau: Any, monkeypatch: Any) -> None:
    # Simulates a rule only the service knows: the third row's credential is refused after the
    # first two rows have been written inside the same transaction.
    from zhifa.core.errors import Conflict
    from zhifa.org import transfer

    real_issue = transfer.services.issue_credential

    def issue(**kwargs: Any) -> Any:
        if kwargs["number"] == officer_row(3)["执法证号"]:
            raise Conflict("证号已被占用。")
        return real_issue(**kwargs)

    monkeypatch.setattr(transfer.services, "issue_credential", issue)
    before = counts()
    with pytest.raises(InvalidInput) as refused:
        import_officers(
            actor=bureau.pilot,
            body=bureau.body,
            content=csv_of([officer_row(n) for n in (1, 2, 3)]),
            filename="a.csv",
        )
    assert details(refused.value) == [(4, "", "证号已被占用。")]
    assert counts() == before
