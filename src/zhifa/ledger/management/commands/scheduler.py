"""``zhifa scheduler``: the ledger's periodic work — a checkpoint when the log has grown, and the
audit. ``zhifa serve`` starts it beside the web server; run it alone under systemd or cron
(``zhifa scheduler --once``) in other setups."""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from zhifa.core.errors import DomainError
from zhifa.ledger import checkpoints
from zhifa.ledger.audit import run_audit

logger = logging.getLogger("zhifa.ledger")


class Command(BaseCommand):
    help = "定时任务：账本增长时签署检查点（默认每10分钟），定期核验账本并检查绕过法制审核的决定（默认每天）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="各执行一次后退出（供 cron 使用）")
        parser.add_argument("--no-audit", action="store_true", help="只签署检查点")

    def handle(self, *args: Any, **options: Any) -> None:
        next_checkpoint = 0.0
        next_audit = float("inf") if options["no_audit"] else 0.0
        while True:
            now = time.monotonic()
            if now >= next_checkpoint:
                self.checkpoint()
                next_checkpoint = now + settings.ZHIFA_CHECKPOINT_EVERY_SECONDS
            if now >= next_audit:
                run = run_audit(trigger="schedule")
                logger.info("ledger audit: %s leaves, ok=%s", run.leaves, run.ok)
                self.daily_checks()
                next_audit = now + settings.ZHIFA_AUDIT_EVERY_SECONDS
            if options["once"]:
                return
            close_old_connections()  # a long-lived process: do not hold a stale connection
            time.sleep(max(1.0, min(next_checkpoint, next_audit) - time.monotonic()))

    def daily_checks(self) -> None:
        """Other apps' daily work, run with the audit: decisions that went around legal review;
        publications whose period (T6) has passed; publication due dates left open while a
        calendar year was missing."""
        from django.apps import apps
        from django.utils import timezone

        if apps.is_installed("zhifa.review"):
            from zhifa.review.services import record_bypasses

            for record in record_bypasses():
                logger.warning("decision around legal review: case %s", record.case_id)
        if apps.is_installed("zhifa.disclosure"):
            from zhifa.disclosure.services import expire_due, fill_missing_due_dates

            expired = expire_due(today=timezone.localdate())
            filled = fill_missing_due_dates()
            logger.info("publications: %d expired, %d due dates filled", len(expired), filled)

    def checkpoint(self) -> None:
        try:
            made = checkpoints.make_checkpoint(actor=None, trigger="schedule")
            logger.info("ledger checkpoint #%s size=%s", made.pk, made.size)
        except DomainError as exc:
            logger.warning("no checkpoint: %s", exc.message)
