"""The database itself refuses UPDATE, DELETE and TRUNCATE on every write-once table.

Parametrized over ``protected_models()``, so a new record table is covered without editing this
file. A row trigger fires only for a row that matches, so each table gets a row first: the real
ones a bureau, a catalogue item, a case and a device produce, and for the rest (documents,
evidence, ledger keys and checkpoints …) a row made up from the field types.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import DatabaseError, connection, models, transaction
from django.utils import timezone
from tests.cases.conftest import make_item
from tests.cases.helpers import org_code

from zhifa.cases import services
from zhifa.evidence.devices import register_device
from zhifa.ledger.triggers import drop_triggers, install_triggers, missing_triggers, protected_models

PROTECTED = protected_models()
ALL_PAIRS = [
    f"{m._meta.db_table} {op}"
    for m in PROTECTED
    for op in ("UPDATE", "DELETE", *(("TRUNCATE",) if connection.vendor == "postgresql" else ()))
]


def _value(model: type[models.Model], field: Any) -> Any:
    """Something each field type accepts; foreign keys point at an existing (or made-up) row."""
    if field.is_relation:
        related = field.related_model._base_manager
        taken = model._base_manager.values(field.attname) if field.one_to_one else []
        return related.exclude(pk__in=taken).first() or _made_up_row(field.related_model)
    if field.choices:
        return field.choices[0][0]
    if isinstance(field, models.IntegerField | models.DecimalField | models.FloatField):
        unique = field.unique or field.primary_key
        return 10**6 + model._base_manager.count() if unique else 1
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DateTimeField):
        return timezone.now()
    if isinstance(field, models.DateField):
        return datetime.date(2025, 1, 1)
    if isinstance(field, models.BinaryField):
        return b"\x00" * 32
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.JSONField):
        return {}
    return uuid.uuid4().hex[: field.max_length or 32]


def _made_up_row(model: type[models.Model]) -> models.Model:
    values = {
        f.name: _value(model, f)
        for f in model._meta.concrete_fields
        if not (f.null or f.has_default() or f.auto_created or f is model._meta.auto_field)
        and not (getattr(f, "auto_now_add", False) or getattr(f, "generated", False))
    }
    # The plain manager: no ledger entry, no write-once checks — only the row is wanted here.
    return model._base_manager.bulk_create([model(**values)])[0]


@pytest.fixture
def rows(bureau: Any) -> None:
    """Real rows wherever the services make them, then made-up rows in the tables still empty."""
    item = make_item(bureau, code="ZJ-QZ-9", act_type="coercion", av=(("seal_or_seize", "required"),))
    services.open_case(
        actor=bureau.officer,
        item=item,
        party_kind="organisation",
        party_name="某公司",
        party_id_number=org_code(),
        officers=[bureau.people["officer"], bureau.people["officer2"]],
    )
    register_device(
        actor=bureau.admin,
        serial_number="DSJ-001",
        model="DSJ-V7",
        unit=bureau.units["稽查支队"],
        assignee=bureau.people["officer"],
    )
    for model in PROTECTED:
        if not model._base_manager.exists():
            _made_up_row(model)


def _refusal(sql: str) -> str:
    """Run one statement, expecting the database to refuse it; the savepoint keeps the test
    transaction usable on PostgreSQL after the failed statement."""
    with pytest.raises(DatabaseError) as raised, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(raised.value)


@pytest.mark.parametrize("model", PROTECTED, ids=lambda m: m._meta.db_table)
def test_update_and_delete_refused_by_the_database(db: None, rows: None, model: type[models.Model]) -> None:
    table, qn = model._meta.db_table, connection.ops.quote_name
    column = qn(model._meta.pk.column)
    before = model._base_manager.count()
    assert before, f"{table} has no row: a row trigger would not fire"

    message = _refusal(f"UPDATE {qn(table)} SET {column} = {column}")  # noqa: S608
    assert table in message and "只能追加" in message and "UPDATE" in message
    message = _refusal(f"DELETE FROM {qn(table)}")  # noqa: S608
    assert table in message and "DELETE" in message
    assert model._base_manager.count() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
@pytest.mark.parametrize("model", PROTECTED, ids=lambda m: m._meta.db_table)
def test_truncate_refused_on_postgresql(db: None, model: type[models.Model]) -> None:
    # CASCADE: otherwise a table that others reference fails on the foreign key before the trigger.
    message = _refusal(f"TRUNCATE {connection.ops.quote_name(model._meta.db_table)} CASCADE")
    assert "只能追加" in message and "TRUNCATE" in message


def test_the_protected_tables_include_the_records_and_the_ledger() -> None:
    tables = {m._meta.db_table for m in PROTECTED}
    assert {"records_recordevent", "ledger_leaf", "ledger_node", "ledger_checkpoint"} <= tables
    assert "ledger_loghead" not in tables and "ledger_auditrun" not in tables


def test_missing_triggers_after_drop_and_reinstall(db: None) -> None:
    assert missing_triggers() == []
    drop_triggers()
    assert missing_triggers() == ALL_PAIRS
    with transaction.atomic(), connection.cursor() as cursor:  # nothing stops a change now
        cursor.execute("UPDATE records_recordevent SET id = id")
    install_triggers()
    install_triggers()
    assert missing_triggers() == []
    _refusal("DELETE FROM ledger_leaf")


def test_an_altered_or_disabled_trigger_counts_as_missing_and_is_repaired(db: None) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE ledger_node DISABLE TRIGGER zhifa_refuse_change")
            expected = ["ledger_node UPDATE", "ledger_node DELETE"]
        else:
            cursor.execute("DROP TRIGGER zhifa_refuse_delete_ledger_node")
            cursor.execute(
                "CREATE TRIGGER zhifa_refuse_delete_ledger_node BEFORE DELETE ON ledger_node"
                " BEGIN SELECT 1; END"
            )
            expected = ["ledger_node DELETE"]
    assert missing_triggers() == expected
    install_triggers()
    assert missing_triggers() == []


@pytest.mark.usefixtures("restore_reference_data")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_suites_flush_passes_the_triggers_and_leaves_them_installed(bureau: Any) -> None:
    from django.core.management import call_command

    from zhifa.ledger.models import Leaf
    from zhifa.org.models import OrgEvent

    assert OrgEvent.objects.exists() and Leaf.objects.exists()
    # As TransactionTestCase does: without resetting sequences, or the serialized data that later
    # tests restore (with its ids) would collide with the restarted sequences on PostgreSQL.
    call_command("flush", interactive=False, inhibit_post_migrate=True, reset_sequences=False)
    assert not OrgEvent.objects.exists() and not Leaf.objects.exists()
    assert missing_triggers() == []
