"""What the case page shows from the apps around a case: documents, evidence, clocks, flowchart."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.utils import timezone

from zhifa.cases.deadlines import case_clocks
from zhifa.cases.flowchart import flowchart_for_case
from zhifa.cases.guards import missing_for_case_file
from zhifa.cases.models import Case
from zhifa.cases.selectors import workflow_of


def case_panels(case: Case, user: Any) -> dict[str, Any]:
    today = timezone.localdate()
    context: dict[str, Any] = {
        "clock_rows": case_clocks(case, today),
        "flowchart_svg": flowchart_for_case(case),
        "missing": missing_for_case_file(case, workflow_of(case)),
    }
    if apps.is_installed("zhifa.documents"):
        from zhifa.documents.selectors import case_documents_context

        context["documents_panel"] = case_documents_context(case, user)
    if apps.is_installed("zhifa.evidence"):
        from zhifa.evidence.selectors import case_evidence_context

        context.update(case_evidence_context(case, user))
    return context
