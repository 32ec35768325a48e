"""Telling administrators and supervisors that the audit found a divergence.

The failed run is kept (``AuditRun``) and every page shows a banner to those roles until a later
run passes; an e-mail goes to those of them with an address, and the log gets an error line for
whoever watches the server's logs.
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from zhifa.ledger.models import AuditRun
from zhifa.org.models import Role

logger = logging.getLogger("zhifa.ledger")

ALERTED_ROLES = (Role.ADMIN, Role.SUPERVISOR)


def recipients() -> list[str]:
    users = (
        get_user_model()
        .objects.filter(person__roles__role__in=ALERTED_ROLES, is_active=True)
        .exclude(email="")
    )
    return sorted(set(users.values_list("email", flat=True)))


def alert_divergence(run: AuditRun) -> None:
    lines = [f"- {finding['message']}" for finding in run.findings[:50]]
    more = len(run.findings) - len(lines)
    body = (
        f"账本核验（{run.started_at:%Y-%m-%d %H:%M}）发现 {len(run.findings)} 处不一致：\n"
        + "\n".join(lines)
        + (f"\n……另有 {more} 处，见平台“防篡改账本”页面。" if more > 0 else "")
    )
    logger.error("ledger audit found %d divergence(s): %s", len(run.findings), run.findings[:5])
    to = recipients()
    if to:
        try:
            send_mail("【执法平台】账本核验发现不一致", body, None, to)
        except OSError:
            logger.exception("could not e-mail the ledger audit alert")


def latest_failed_run() -> AuditRun | None:
    latest = AuditRun.objects.exclude(ok=None).order_by("-started_at").first()
    return latest if latest is not None and latest.ok is False else None
