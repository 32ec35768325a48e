"""Two officers acting on the same case at the same time: exactly one transition wins."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code

from zhifa.cases import services
from zhifa.cases.models import Case
from zhifa.core.errors import Conflict
from zhifa.records.models import RecordEvent


@pytest.mark.usefixtures("restore_reference_data")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks across connections: PostgreSQL pass only"
)
def test_two_officers_at_the_same_time_exactly_one_wins(bureau: Any) -> None:
    case = services.open_case(
        actor=bureau.officer,
        item=make_item(bureau),
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
    )
    version = case.version
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def act(user: Any) -> None:
        try:
            barrier.wait()
            services.perform_transition(
                actor=user, case=case, transition="check_lead", expected_version=version
            )
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=act, args=(u,)) for u in (bureau.officer, bureau.officer2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["stale_case", "won"]
    assert Case.objects.get(pk=case.pk).state == "checking"
    assert RecordEvent.objects.filter(case=case, event_type="transition").count() == 1
