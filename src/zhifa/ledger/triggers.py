"""Database triggers refusing UPDATE, DELETE (and on PostgreSQL TRUNCATE) on write-once tables.

``WriteOnceModel`` refuses changes in Python, but anyone holding the database credentials can
still run SQL. The triggers make the database itself refuse, so a change needs a deliberate
``DROP TRIGGER`` first — which ``missing_triggers()`` (and ``zhifa audit``) then reports. The
ledger's hashes show *that* a row changed; the triggers stop it changing by accident or in
passing. ``install_triggers`` runs after every migrate (``zhifa.ledger.apps``). There is no
switch to turn them off in production: only the test suite wraps its flushes (tests/conftest.py).
"""

from __future__ import annotations

import logging

from django.apps import apps
from django.db import connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

logger = logging.getLogger(__name__)

FUNCTION = "zhifa_refuse_change"
ROW_OPERATIONS = ("UPDATE", "DELETE")
# SQLSTATE 55000 object_not_in_prerequisite_state: the row is not in a state that allows a change.
# Neither an IntegrityError (code catching duplicates must not mistake it) nor a lock error.
PG_BODY = """
BEGIN
    RAISE EXCEPTION 'zhifa: 记录表 % 只能追加，拒绝 %', TG_TABLE_NAME, TG_OP
        USING ERRCODE = '55000', HINT = '更正请新增一条记录；记录表由数据库触发器保护。';
END;
"""
# pg_trigger.tgtype bits (src/include/catalog/pg_trigger.h).
_ROW, _BEFORE = 1, 2
_PG_BITS = {"DELETE": 8, "UPDATE": 16, "TRUNCATE": 32}


def protected_models() -> list[type[Model]]:
    """Every concrete write-once model, so a new record table is protected without a list to keep."""
    from zhifa.core.models import WriteOnceModel

    found = [
        model
        for model in apps.get_models()
        if issubclass(model, WriteOnceModel) and not model._meta.abstract and not model._meta.proxy
    ]
    return sorted(found, key=lambda model: model._meta.label)


def _tables(connection: BaseDatabaseWrapper) -> list[str]:
    return [
        model._meta.db_table
        for model in protected_models()
        if router.allow_migrate_model(connection.alias, model)
    ]


def _operations(connection: BaseDatabaseWrapper) -> tuple[str, ...]:
    return (*ROW_OPERATIONS, "TRUNCATE") if connection.vendor == "postgresql" else ROW_OPERATIONS


def _sqlite_name(table: str, operation: str) -> str:
    return f"zhifa_refuse_{operation.lower()}_{table}"


def _sqlite_trigger(connection: BaseDatabaseWrapper, table: str, operation: str) -> str:
    """The statement as SQLite stores it in sqlite_master (it drops ``IF NOT EXISTS``)."""
    message = f"zhifa: 记录表 {table} 只能追加，拒绝 {operation}".replace("'", "''")
    name, quoted = connection.ops.quote_name(_sqlite_name(table, operation)), connection.ops.quote_name(table)
    return f"CREATE TRIGGER {name} BEFORE {operation} ON {quoted} BEGIN SELECT RAISE(ABORT, '{message}'); END"


def install_sql(connection: BaseDatabaseWrapper) -> list[str]:
    """The statements creating every trigger; each is idempotent. Empty on other backends.
    Tables not created yet (a partial ``migrate app 0001``) are left for the next migrate."""
    existing = set(connection.introspection.table_names())
    tables = [table for table in _tables(connection) if table in existing]
    if connection.vendor == "sqlite":
        return [
            _sqlite_trigger(connection, table, op).replace(
                "CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS", 1
            )
            for table in tables
            for op in ROW_OPERATIONS
        ]
    if connection.vendor != "postgresql":
        return []
    sql = [
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $zhifa${PG_BODY}$zhifa$"
    ]
    for table in map(connection.ops.quote_name, tables):
        sql += [
            f"CREATE OR REPLACE TRIGGER {FUNCTION} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()",
            f"CREATE OR REPLACE TRIGGER zhifa_refuse_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()",
            # ALWAYS: they fire even under ``session_replication_role = replica``, which would
            # otherwise skip them silently, and re-enable a trigger someone disabled.
            f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {FUNCTION}",
            f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER zhifa_refuse_truncate",
        ]
    return sql


def drop_sql(connection: BaseDatabaseWrapper) -> list[str]:
    if connection.vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {connection.ops.quote_name(_sqlite_name(table, op))}"
            for table in _tables(connection)
            for op in ROW_OPERATIONS
        ]
    if connection.vendor == "postgresql":
        return [f"DROP FUNCTION IF EXISTS {FUNCTION}() CASCADE"]  # and with it every trigger calling it
    return []


def install_triggers(*, using: str = "default") -> None:
    """Create the triggers, and repair any that were dropped, disabled or altered. Idempotent."""
    connection = connections[using]
    if connection.vendor not in ("sqlite", "postgresql"):
        logger.warning("zhifa: %s 数据库不支持记录表触发器，记录表只受应用层保护。", connection.vendor)
        return
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if connection.vendor == "sqlite":  # IF NOT EXISTS would keep an altered trigger
            for pair in missing_triggers(using=using):
                cursor.execute(
                    f"DROP TRIGGER IF EXISTS {connection.ops.quote_name(_sqlite_name(*pair.split()))}"
                )
        for statement in install_sql(connection):
            cursor.execute(statement)


def drop_triggers(*, using: str = "default") -> None:
    """What a superuser could do: for tests, and for a deliberate, audited repair."""
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for statement in drop_sql(connection):
            cursor.execute(statement)


def missing_triggers(*, using: str = "default") -> list[str]:
    """``"<table> <OPERATION>"`` for every protection that is absent, disabled or altered."""
    connection = connections[using]
    present: set[tuple[str, str]] = set()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
            stored = dict(cursor.fetchall())
            present = {
                (table, op)
                for table in _tables(connection)
                for op in ROW_OPERATIONS
                if stored.get(_sqlite_name(table, op)) == _sqlite_trigger(connection, table, op)
            }
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname, t.tgtype FROM pg_trigger t"
                " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid"
                " WHERE NOT t.tgisinternal AND t.tgenabled IN ('O', 'A') AND pg_table_is_visible(c.oid)"
                " AND p.proname = %s AND pg_function_is_visible(p.oid) AND p.prosrc = %s",
                [FUNCTION, PG_BODY],
            )
            for table, tgtype in cursor.fetchall():
                for op, bit in _PG_BITS.items():
                    row_level = op != "TRUNCATE"
                    if tgtype & bit and tgtype & _BEFORE and bool(tgtype & _ROW) == row_level:
                        present.add((table, op))
        else:
            return []
    return [
        f"{table} {op}"
        for table in _tables(connection)
        for op in _operations(connection)
        if (table, op) not in present
    ]
