"""Shared personas: one small bureau built through the services, so its history exists.

Use the ``bureau`` fixture: ``bureau.body``, ``bureau.units["稽查支队"]``, and users
``bureau.admin``, ``bureau.officer``, ``bureau.officer2``, ``bureau.head`` (科室负责人 of 工程管理科,
the counterpart of 稽查支队), ``bureau.reviewer``, ``bureau.supervisor``, ``bureau.pilot``
(试点办), ``bureau.leader`` and ``bureau.outsider`` (a login with no role). The password of every
persona is ``PASSWORD``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from zhifa.core.identifiers import resident_id_check_digit, uscc_check_character
from zhifa.org import services as org
from zhifa.org.models import EnforcementBody, Person, Role, Unit, UnitKind

PASSWORD = "Zhifa-test-2026"


def make_uscc(body17: str = "11430400MB1234567") -> str:
    return body17 + uscc_check_character(body17)


def make_resident_id(first17: str) -> str:
    return first17 + resident_id_check_digit(first17)


@dataclass
class Bureau:
    body: EnforcementBody
    units: dict[str, Unit]
    people: dict[str, Person] = field(default_factory=dict)

    def user(self, key: str) -> Any:
        return self.people[key].user

    def __getattr__(self, key: str) -> Any:
        people = self.__dict__.get("people", {})
        if key in people:
            return people[key].user
        raise AttributeError(key)


def build_bureau() -> Bureau:
    body = org.create_body(
        actor=None,
        name="衡阳市住房和城乡建设局",
        short_name="衡住建",
        credit_code=make_uscc(),
        legal_status="organ",
        jurisdiction="衡阳市",
    )
    units: dict[str, Unit] = {}
    for name in ["政策法规科", "工程管理科", "审批一科"]:
        units[name] = org.create_unit(actor=None, body=body, name=name, kind=UnitKind.SECTION)
    units["稽查支队"] = org.create_unit(
        actor=None, body=body, name="稽查支队", kind=UnitKind.SUBORDINATE, counterpart=units["工程管理科"]
    )
    bureau = Bureau(body=body, units=units)
    specs: list[tuple[str, str, str, list[tuple[str, str | None]], dict[str, Any]]] = [
        ("admin", "管理员", "政策法规科", [(Role.ADMIN, None)], {}),
        ("officer", "李执法", "稽查支队", [(Role.OFFICER, "稽查支队")], {}),
        ("officer2", "王执法", "稽查支队", [(Role.OFFICER, "稽查支队")], {}),
        ("head", "赵科长", "工程管理科", [(Role.UNIT_HEAD, "工程管理科")], {}),
        (
            "reviewer",
            "陈审核",
            "政策法规科",
            [(Role.REVIEWER, "政策法规科")],
            {"legal_qualification_no": "A20154301000123"},
        ),
        ("supervisor", "周监督", "政策法规科", [(Role.SUPERVISOR, None)], {}),
        ("pilot", "吴试点", "政策法规科", [(Role.PILOT_OFFICE, None)], {}),
        ("leader", "郑局长", "政策法规科", [(Role.LEADER, None)], {}),
    ]
    for i, (key, name, unit_name, roles, extra) in enumerate(specs):
        person = org.register_person(
            actor=None,
            unit=units[unit_name],
            name=name,
            username=key,
            password=PASSWORD,
            resident_id=make_resident_id(f"43040019850101{i:02d}1"),
            **extra,
        )
        for role, scope in roles:
            org.grant_role(actor=None, person=person, role=role, unit=units[scope] if scope else None)
        bureau.people[key] = person
    for n, key in enumerate(["officer", "officer2"], start=1):
        org.issue_credential(
            actor=None,
            person=bureau.people[key],
            number=f"43040010{n:04d}",
            category="城乡建设",
            area="衡阳市",
            issuing_authority="衡阳市人民政府",
            issued_on=datetime.date(2024, 1, 1),
            expires_on=datetime.date(2029, 12, 31),
        )
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="outsider", password=PASSWORD)
    return bureau


@pytest.fixture(autouse=True)
def _fresh_rule_cache() -> Any:
    """Rule rows are cached per process; a test's rolled-back rows must not reach the next test."""
    from zhifa.catalog.selectors import clear_rule_cache

    clear_rule_cache()
    yield
    clear_rule_cache()


@pytest.fixture(scope="session", autouse=True)
def _test_machinery_past_the_record_triggers() -> Iterator[None]:
    """The database refuses UPDATE, DELETE and TRUNCATE on record tables (``zhifa.ledger.triggers``),
    but the test machinery must rewrite them: the flush that ends every transactional and browser
    test, and the reload of the migrated data (``serialized_rollback``), which UPDATEs the rows
    that ``restore_reference_data`` already put back. In the test suite only, both drop the
    triggers first and create them again last, in the same transaction — also when the flush
    inhibits post_migrate (whose handler reinstalls them). Patched on the backend *classes*, so
    every connection (xdist worker, live-server thread, Playwright greenlet) gets it. Production
    code has no such path."""
    from django.db import connections, transaction

    from zhifa.ledger.triggers import drop_sql, install_sql

    patch = pytest.MonkeyPatch()
    for ops_class in {type(connections[alias].ops) for alias in connections}:

        def sql_flush(self: Any, *args: Any, _original: Any = ops_class.sql_flush, **kw: Any) -> Any:
            sql = _original(self, *args, **kw)
            return [*drop_sql(self.connection), *sql, *install_sql(self.connection)] if sql else sql

        patch.setattr(ops_class, "sql_flush", sql_flush)
    for creation_class in {type(connections[alias].creation) for alias in connections}:

        def deserialize(
            self: Any, data: str, _original: Any = creation_class.deserialize_db_from_string
        ) -> None:
            with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
                for statement in drop_sql(self.connection):
                    cursor.execute(statement)
                _original(self, data)
                for statement in install_sql(self.connection):
                    cursor.execute(statement)

        patch.setattr(creation_class, "deserialize_db_from_string", deserialize)
    yield
    patch.undo()


@pytest.fixture(scope="session")
def _serialized_database(django_db_setup: None, django_db_blocker: Any) -> str | None:
    """The reference data (laws, rules, calendar) serialized when the test database was made."""
    from django.db import connection

    return getattr(connection, "_test_serialized_contents", None)


@pytest.fixture
def _carry_serialized_database(_serialized_database: str | None) -> None:
    """Playwright runs its loop in a greenlet with its own context, and Django keeps one connection
    object per context: the one a browser test uses may not carry the serialized data that the
    transactional tests restore after each flush. Hand it over explicitly."""
    from django.db import connection

    if _serialized_database is not None and not hasattr(connection, "_test_serialized_contents"):
        connection._test_serialized_contents = _serialized_database  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def restore_reference_data(_serialized_database: str | None, django_db_blocker: Any) -> Iterator[None]:
    """For modules of transactional tests: their last test flushes the database, and Django only
    restores the migrated data when the *next transactional* test starts. Put it back at the end
    of the module so the ordinary tests that follow in this worker find their laws and rules."""
    yield
    from django.db import connection

    if _serialized_database is None:
        return
    with django_db_blocker.unblock():
        from zhifa.catalog.models import Law

        if not Law.objects.exists():
            connection.creation.deserialize_db_from_string(_serialized_database)


@pytest.fixture
def bureau(db: None) -> Bureau:
    return build_bureau()


@pytest.fixture
def log_key(db: None) -> Any:
    """The ledger's signing key, as ``zhifa setup`` creates it (checkpoints and sealed exports)."""
    from zhifa.ledger import keys

    key, _ = keys.ensure_log_key(actor=None)
    return key


def login(client: Client, username: str) -> Client:
    assert client.login(username=username, password=PASSWORD), f"login failed for {username}"
    return client


@pytest.fixture
def client_as(client: Client, bureau: Bureau) -> Any:
    """``client_as("officer")`` returns the test client logged in as that persona."""

    def _as(username: str) -> Client:
        client.logout()
        return login(client, username)

    return _as


@pytest.fixture
def api_token(client: Client, bureau: Bureau) -> Any:
    """``api_token("officer")`` returns the bearer header dict for that persona."""

    def _token(username: str) -> dict[str, str]:
        response = client.post(
            "/api/v1/auth/token",
            {"username": username, "password": PASSWORD},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}

    return _token
