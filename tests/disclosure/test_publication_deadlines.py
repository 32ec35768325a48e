"""T2: 双公示 within 7 working days of the decision; staff see what is due soon and overdue. A
missing calendar year never blocks the decision."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from tests.review.conftest import DAY, case_at_decision

from zhifa.cases.models import Case
from zhifa.disclosure import selectors, services
from zhifa.disclosure.models import Publication


def test_t2_is_seven_working_days_from_the_decision(publication: Publication) -> None:
    # DAY is Monday 2026-03-02; no holiday in the next two weeks.
    assert publication.due_rule == "T2"
    assert publication.due_on == datetime.date(2026, 3, 11)
    assert not publication.due_on_missing


def test_due_soon_and_overdue_list_pending_publications(publication: Publication, bureau: Any) -> None:
    assert list(selectors.due_soon(datetime.date(2026, 3, 9))) == [publication]
    assert list(selectors.due_soon(datetime.date(2026, 3, 11))) == [publication]
    assert not selectors.due_soon(DAY).exists()
    assert not selectors.overdue(datetime.date(2026, 3, 11)).exists()
    assert list(selectors.overdue(datetime.date(2026, 3, 12))) == [publication]
    services.publish(actor=bureau.officer, publication=publication, today=datetime.date(2026, 3, 12))
    assert not selectors.overdue(datetime.date(2026, 3, 12)).exists()
    assert not selectors.due_soon(datetime.date(2026, 3, 9)).exists()


def test_a_missing_calendar_year_leaves_the_limit_open_and_flagged(bureau: Any) -> None:
    # Called directly: the case's own T12 clock needs the same calendar year at "decide".
    late = datetime.date(2026, 12, 28)  # seven working days later is in 2027, not loaded
    case: Case = case_at_decision(bureau, amount="5000")
    with transaction.atomic():
        publication = services.record_decision_for_publication(
            case=case, step="decide", actor=bureau.head, today=late
        )
    assert publication is not None
    assert publication.due_on is None and publication.due_on_missing
    assert list(selectors.without_due_date()) == [publication]
    assert services.fill_missing_due_dates() == 0  # still no 2027 calendar
    assert publication.versions.get().fields["decision_date"] == "2026-12-28"


def test_the_open_limit_is_computed_once_the_year_is_loaded(bureau: Any) -> None:
    from zhifa.workdays import services as workdays

    case: Case = case_at_decision(bureau, amount="5000")
    with transaction.atomic():
        publication = services.record_decision_for_publication(
            case=case, step="decide", actor=bureau.head, today=datetime.date(2026, 12, 28)
        )
    assert publication is not None and publication.due_on is None
    workdays.load_year(
        actor=bureau.admin,
        year=2027,
        days=[(datetime.date(2027, 1, 1), "holiday", "元旦")],
        source="测试用日历",
    )
    assert services.fill_missing_due_dates() == 1
    publication.refresh_from_db()
    # 29, 30, 31 Dec, then 4–7 Jan (1 Jan is a holiday, 2–3 Jan a weekend).
    assert publication.due_on == datetime.date(2027, 1, 7) and not publication.due_on_missing
    assert not selectors.without_due_date().exists()
