"""Entering rows that migrations seed (they use historical models, which have no insert hook).

Only a table with no leaf at all is entered, in primary-key order: a row slipped into a table
that is already in the log stays out of it, and ``zhifa audit`` names it.
"""

from __future__ import annotations

from django.db import transaction

from zhifa.ledger.log import _append, kind_of, leaf_bytes, stored_rows, write_once_models
from zhifa.ledger.models import Leaf


def enter_seeded_rows(*, using: str = "default") -> int:
    entered = 0
    for model in write_once_models():
        kind = kind_of(model)
        with transaction.atomic(using=using):
            if Leaf.objects.using(using).filter(kind=kind).exists():
                continue
            pks = list(model._base_manager.using(using).order_by("pk").values_list("pk", flat=True))
            for start in range(0, len(pks), 2000):
                chunk = pks[start : start + 2000]
                stored = stored_rows(model, chunk, using)
                _append([(kind, str(pk), leaf_bytes(kind, str(pk), stored[str(pk)])) for pk in chunk], using)
            entered += len(pks)
    return entered
