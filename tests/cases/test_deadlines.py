"""Deadlines: status around the 2026 Labour Day holiday (5.1–5.5 off, Saturday 5.9 worked), pauses,
per-officer and per-unit lists, and the pages with their permissions."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, URLPattern, URLResolver, include, path, reverse
from tests.cases.conftest import make_item
from tests.conftest import PASSWORD, make_resident_id

from zhifa import urls as root_urls
from zhifa.cases import services, urls_deadlines
from zhifa.cases.deadlines import case_clocks, classify, running_clocks, unit_scope
from zhifa.cases.models import Case, Clock
from zhifa.core.identifiers import uscc_check_character
from zhifa.org import services as org
from zhifa.org.models import Role

D = datetime.date


def _deadline_urls() -> list[URLPattern | URLResolver]:
    """The project's URLs; until the cases app includes the deadline pages, they are mounted here
    where it will (``cases:`` namespace, ``/cases/deadlines/``), next to the other case pages."""
    try:
        reverse("cases:deadlines_mine", urlconf="zhifa.urls")
    except NoReverseMatch:
        pass
    else:
        return list(root_urls.urlpatterns)
    mine: list[URLPattern | URLResolver] = list(urls_deadlines.urlpatterns)
    out: list[URLPattern | URLResolver] = []
    for pattern in root_urls.urlpatterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "cases":
            out.append(path("cases/", include(([*mine, *pattern.url_patterns], "cases"))))
            mine = []
        else:
            out.append(pattern)
    if mine:
        out.insert(0, path("cases/", include((mine, "cases"))))
    return out


urlpatterns = _deadline_urls()
pages = pytest.mark.urls(__name__)


def _uscc(n: int) -> str:
    body = f"914304007{n:08d}"
    return body + uscc_check_character(body)


def _open(bureau: Any, item: Any, *, actor: Any, officers: list[Any], day: D, n: int = 1) -> Case:
    return services.open_case(
        actor=actor,
        item=item,
        party_kind="organisation",
        party_name=f"衡阳某建设公司{n}",
        party_id_number=_uscc(n),
        officers=officers,
        today=day,
    )


def _clock(case: Case, code: str) -> Clock:
    return Clock.objects.get(case=case, code=code, stopped_on__isnull=True)


@pytest.fixture
def labour_day_case(bureau: Any, penalty_item: Any) -> Case:
    """Opened 2026-04-20; T9 from 4.20; T8 from 4.21; T10 (5 working days) from 4.28."""
    officers = [bureau.people["officer"], bureau.people["officer2"]]
    case = _open(bureau, penalty_item, actor=bureau.officer, officers=officers, day=D(2026, 4, 20))
    services.perform_transition(
        actor=bureau.officer, case=case, transition="check_lead", today=D(2026, 4, 20)
    )
    return case


def _to_notified(bureau: Any, case: Case) -> Case:
    steps = [
        (bureau.head, "approve_opening", D(2026, 4, 21), {}),
        (bureau.officer, "finish_investigation", D(2026, 4, 27), {}),
        (bureau.officer, "notify_party", D(2026, 4, 28), {"amount": Decimal("50000")}),
    ]
    for actor, step, day, data in steps:
        case = services.perform_transition(actor=actor, case=case, transition=step, today=day, data=data)
    return case


def test_a_rest_day_end_rolls_forward_and_the_holiday_makes_it_due_soon(
    bureau: Any, labour_day_case: Case
) -> None:
    t9 = _clock(labour_day_case, "T9")
    assert t9.due_on == D(2026, 5, 6)  # 15 days end on 5.5, a holiday: the next working day
    assert classify(t9, D(2026, 4, 27)) == "ok"  # 4.28, 4.29, 4.30, 5.6: four working days
    # Six calendar days left but only 4.30 is a working day before 5.6 → two working days
    assert classify(t9, D(2026, 4, 29)) == "due_soon"
    assert classify(t9, D(2026, 5, 6)) == "due_soon"  # due today: still on time
    assert classify(t9, D(2026, 5, 7)) == "overdue"


def test_working_day_clock_around_labour_day(bureau: Any, labour_day_case: Case) -> None:
    case = _to_notified(bureau, labour_day_case)
    t10 = _clock(case, "T10")
    assert t10.due_on == D(2026, 5, 8)  # 4.29, 4.30, 5.6, 5.7, 5.8
    assert classify(t10, D(2026, 4, 29)) == "ok"  # four working days left
    assert classify(t10, D(2026, 4, 30)) == "due_soon"  # eight calendar days, three working days
    assert classify(t10, D(2026, 5, 8)) == "due_soon"
    assert classify(t10, D(2026, 5, 9)) == "overdue"  # the make-up Saturday is already too late
    row = next(r for r in case_clocks(case, D(2026, 4, 30)) if r.code == "T10")
    assert (row.days_left, row.working_days_left, row.status) == (8, 3, "due_soon")
    assert row.basis == "行政处罚法第六十四条" and row.kind_label == "5个工作日"
    assert row.remaining_text == "8日（3个工作日）"


def test_due_soon_threshold_comes_from_settings(bureau: Any, labour_day_case: Case, settings: Any) -> None:
    t10 = _clock(_to_notified(bureau, labour_day_case), "T10")
    assert classify(t10, D(2026, 4, 29)) == "ok"
    settings.ZHIFA_DUE_SOON_WORKING_DAYS = 4
    assert classify(t10, D(2026, 4, 29)) == "due_soon"


def test_a_paused_clock_is_not_overdue(bureau: Any, labour_day_case: Case) -> None:
    case = _to_notified(bureau, labour_day_case)
    case = services.perform_transition(
        actor=bureau.officer, case=case, transition="request_hearing", today=D(2026, 5, 6)
    )
    t8 = _clock(case, "T8")
    assert t8.paused_on == D(2026, 5, 6) and t8.due_on == D(2026, 7, 20)
    assert classify(t8, D(2026, 8, 1)) == "paused"  # past the due date, but the clock is stopped
    [row] = case_clocks(case, D(2026, 8, 1))  # T10 stopped when the hearing was requested
    assert (row.code, row.status, row.status_label) == ("T8", "paused", "中止")
    assert row.remaining_text == "中止中，剩余75日"
    assert list(running_clocks(today=D(2026, 8, 1), unit=bureau.units["稽查支队"])) == [t8]
    # the hearing is held two weeks later: the due date moves by the paused time and counts again
    case = services.perform_transition(
        actor=bureau.officer, case=case, transition="hold_hearing", today=D(2026, 5, 20)
    )
    t8 = _clock(case, "T8")
    assert t8.due_on == D(2026, 8, 3)
    assert classify(t8, D(2026, 8, 1)) == "due_soon"
    assert classify(t8, D(2026, 8, 4)) == "overdue"


def test_case_clocks_lists_running_clocks_with_their_legal_source(bureau: Any, labour_day_case: Case) -> None:
    case = _to_notified(bureau, labour_day_case)
    rows = case_clocks(case, D(2026, 5, 7))
    assert [(r.code, r.status) for r in rows] == [("T10", "due_soon"), ("T8", "ok")]
    t8 = rows[1]
    assert t8.label == "立案至作出处罚决定期限" and t8.basis == "行政处罚法第六十条"
    assert (t8.started_on, t8.due_on, t8.days_left, t8.working_days_left) == (
        D(2026, 4, 21),
        D(2026, 7, 20),
        74,
        None,  # a calendar-day clock: no working-day count
    )
    html = render_to_string("cases/deadlines/_case_clocks.html", {"clocks": case_clocks(case, D(2026, 5, 9))})
    for heading in ("期限", "法律依据", "起算日", "届满日", "剩余", "状态"):
        assert f"<th>{heading}</th>" in html
    assert 'data-status="overdue">超期</span>' in html and "行政处罚法第六十四条" in html
    assert 'data-status="ok">正常</span>' in html and "超期1日" in html


def test_per_officer_list_has_only_their_cases(bureau: Any, penalty_item: Any) -> None:
    day = D(2026, 3, 2)
    mine = _open(bureau, penalty_item, actor=bureau.officer, officers=[bureau.people["officer"]], day=day)
    shared = _open(
        bureau,
        penalty_item,
        actor=bureau.officer,
        officers=[bureau.people["officer"], bureau.people["officer2"]],
        day=day,
        n=2,
    )
    theirs = _open(
        bureau, penalty_item, actor=bureau.officer2, officers=[bureau.people["officer2"]], day=day, n=3
    )
    for case, actor in ((mine, bureau.officer), (shared, bureau.officer), (theirs, bureau.officer2)):
        services.perform_transition(actor=actor, case=case, transition="check_lead", today=day)

    def cases_of(key: str) -> list[int]:
        clocks = running_clocks(today=D(2026, 3, 10), person=bureau.people[key])
        return sorted(c.case_id for c in clocks)

    assert cases_of("officer") == sorted([mine.pk, shared.pk])
    assert cases_of("officer2") == sorted([shared.pk, theirs.pk])
    services.recuse_officer(actor=bureau.head, case=shared, person=bureau.people["officer2"], reason="近亲属")
    assert cases_of("officer2") == [theirs.pk]  # a recused officer no longer carries the case
    assert (
        running_clocks(today=D(2026, 3, 1), person=bureau.people["officer"]).count() == 0
    )  # not yet started


@pytest.fixture
def two_units(bureau: Any, penalty_item: Any) -> tuple[Case, Case]:
    """A 稽查支队 case and a 审批一科 case, each with T9 running from 2026-03-02."""
    unit = bureau.units["审批一科"]
    person = org.register_person(
        actor=None,
        unit=unit,
        name="孙审批",
        username="approver",
        password=PASSWORD,
        resident_id=make_resident_id("43040019900101771"),
    )
    org.grant_role(actor=None, person=person, role=Role.OFFICER, unit=unit)
    other_item = make_item(bureau, code="SP-CF-001", unit="审批一科")
    day = D(2026, 3, 2)
    ours = _open(bureau, penalty_item, actor=bureau.officer, officers=[bureau.people["officer"]], day=day)
    other = _open(bureau, other_item, actor=person.user, officers=[person], day=day, n=2)
    services.perform_transition(actor=bureau.officer, case=ours, transition="check_lead", today=day)
    services.perform_transition(actor=person.user, case=other, transition="check_lead", today=day)
    return ours, other


def test_a_section_sees_the_subordinate_unit_it_manages(bureau: Any, two_units: tuple[Case, Case]) -> None:
    ours, other = two_units
    section, squad = bureau.units["工程管理科"], bureau.units["稽查支队"]
    assert unit_scope(section) == {section.pk, squad.pk}
    day = D(2026, 3, 10)
    assert [c.case_id for c in running_clocks(today=day, unit=section)] == [ours.pk]
    assert [c.case_id for c in running_clocks(today=day, unit=bureau.units["审批一科"])] == [other.pk]
    assert sorted(c.case_id for c in running_clocks(today=day)) == sorted([ours.pk, other.pk])


@pages
def test_head_of_the_counterpart_section_sees_the_squads_cases(
    client_as: Any, bureau: Any, two_units: tuple[Case, Case]
) -> None:
    ours, other = two_units
    response = client_as("head").get(reverse("cases:deadlines_unit"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "本单位期限" in html and ours.number in html and other.number not in html
    assert f'<option value="{bureau.units["工程管理科"].pk}" selected>' in html  # defaults to their unit
    assert "按承办人员" in html and "李执法" in html
    squad = client_as("head").get(reverse("cases:deadlines_unit"), {"unit": bureau.units["稽查支队"].pk})
    assert squad.status_code == 200 and ours.number in squad.content.decode()
    refused = client_as("head").get(reverse("cases:deadlines_unit"), {"unit": bureau.units["审批一科"].pk})
    assert refused.status_code == 403


@pages
def test_leaders_supervisors_and_the_pilot_office_see_every_unit(
    client_as: Any, two_units: tuple[Case, Case]
) -> None:
    ours, other = two_units
    for persona in ("leader", "supervisor", "pilot"):
        response = client_as(persona).get(reverse("cases:deadlines_unit"))
        assert response.status_code == 200, persona
        html = response.content.decode()
        assert ours.number in html and other.number in html and "全部单位" in html


@pages
def test_an_officer_may_not_open_the_unit_page(client_as: Any, two_units: tuple[Case, Case]) -> None:
    response = client_as("officer").get(reverse("cases:deadlines_unit"))
    assert response.status_code == 403
    assert "本单位期限仅向科室负责人" in response.content.decode()


@pages
def test_my_deadlines_page(client_as: Any, bureau: Any, two_units: tuple[Case, Case]) -> None:
    ours, other = two_units
    response = client_as("officer").get(reverse("cases:deadlines_mine"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "我的期限" in html and "法律依据" in html and "届满日" in html
    assert "线索核查至立案决定期限" in html and "住房和城乡建设行政处罚程序规定" in html
    assert ours.number in html and other.number not in html
    assert f'href="/cases/{ours.pk}/"' in html
    assert 'class="dl-badge dl-' in html
    empty = client_as("officer2").get(reverse("cases:deadlines_mine"))
    assert empty.status_code == 200 and "您承办的案件目前没有正在计算的法定期限" in empty.content.decode()
