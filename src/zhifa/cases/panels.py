"""What the case page shows from the apps around a case. Each panel is optional so that the case
page keeps working while an app is being added."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from zhifa.cases.guards import missing_for_case_file
from zhifa.cases.models import Case
from zhifa.cases.selectors import workflow_of


def case_panels(case: Case, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "clocks": case.clocks.order_by("stopped_on", "due_on"),
        "missing": missing_for_case_file(case, workflow_of(case)),
    }
    return context
