from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class LedgerConfig(AppConfig):
    name = "zhifa.ledger"
    verbose_name = "防篡改账本"

    def ready(self) -> None:
        from zhifa.core.models import on_write_once_insert
        from zhifa.ledger.log import append_rows

        on_write_once_insert(append_rows)
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="zhifa.ledger.after_migrate")


def _after_migrate(using: str = "default", **kwargs: Any) -> None:
    """Every migrate ends with the tables protected and every record row in the log: rows that
    migrations seed (statutes' rules, calendar history) are entered here, once per table."""
    from zhifa.ledger.backfill import enter_seeded_rows
    from zhifa.ledger.triggers import install_triggers

    enter_seeded_rows(using=using)
    install_triggers(using=using)
