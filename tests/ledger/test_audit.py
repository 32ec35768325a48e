"""``zhifa audit`` recomputes the log and names what diverges — even after a database superuser
drops the triggers and edits rows directly. Mutations are chosen at random; every one is caught."""

from __future__ import annotations

import datetime
import decimal
import random
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, models, transaction

from zhifa.ledger import checkpoints, log
from zhifa.ledger.audit import audit, run_audit
from zhifa.ledger.models import AuditRun, Checkpoint, Leaf, LogHead, Node
from zhifa.ledger.triggers import drop_triggers
from zhifa.records.models import EventType, RecordEvent
from zhifa.records.services import append_event


@pytest.fixture
def sealed(opened_case: Any, log_key: Any) -> Checkpoint:
    with transaction.atomic():
        for n in range(5):
            append_event(actor=None, event_type=EventType.FACTS_RECORDED, case=opened_case, after={"n": n})
    return checkpoints.make_checkpoint(actor=None)


def _codes() -> set[str]:
    return {finding.code for finding in audit()[0]}


def test_an_untouched_log_audits_clean(sealed: Checkpoint) -> None:
    findings, leaves, checked = audit()
    assert findings == []
    assert leaves == log.head().size and checked == 1


def _changed(value: Any, field: models.Field[Any, Any]) -> Any:
    if isinstance(field, models.BooleanField):
        return not value
    if isinstance(value, datetime.datetime):
        return value + datetime.timedelta(seconds=1)
    if isinstance(value, datetime.date):
        return value + datetime.timedelta(days=1)
    if isinstance(value, decimal.Decimal):
        return value + 1
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value[:-1] + ("改" if not value.endswith("改") else "动") if value else "改"
    if isinstance(value, dict):
        return {**value, "篡改": True}
    if isinstance(value, list):
        return [*value, "篡改"]
    if isinstance(value, bytes | memoryview):
        raw = bytes(value)
        return (raw[:-1] + bytes([raw[-1] ^ 1])) if raw else b"\x01"
    return None


def _mutate_one(rng: random.Random) -> tuple[str, str, str] | None:
    """Change one field of one random record row behind the application's back."""
    model = rng.choice([m for m in log.write_once_models() if m._base_manager.exists()])
    pk = rng.choice(list(model._base_manager.values_list("pk", flat=True)))
    fields = [f for f in model._meta.concrete_fields if not f.primary_key and not f.is_relation]
    rng.shuffle(fields)
    row = model._base_manager.filter(pk=pk).values(*[f.attname for f in fields]).get()
    for field in fields:
        new = _changed(row[field.attname], field)
        if new is None or new == row[field.attname]:
            continue
        try:
            with transaction.atomic():
                models.QuerySet(model).filter(pk=pk).update(**{field.attname: new})
        except (DatabaseError, ValueError, TypeError):
            continue  # e.g. a length or check constraint: try another field
        return log.kind_of(model), str(pk), field.attname
    return None


@pytest.mark.parametrize("seed", range(12))
def test_a_random_row_changed_with_triggers_dropped_is_named(sealed: Checkpoint, seed: int) -> None:
    drop_triggers()
    rng = random.Random(seed)
    mutated = _mutate_one(rng)
    assert mutated is not None
    kind, ref, field = mutated
    findings = audit()[0]
    named = [f for f in findings if f.kind == kind and f.ref == ref]
    assert named, (mutated, findings)
    assert named[0].code == "row_changed" and field in named[0].message
    assert any(f.code == "trigger_missing" for f in findings)


def test_a_deleted_row_is_named(sealed: Checkpoint) -> None:
    drop_triggers()
    event = RecordEvent.objects.order_by("-pk").first()
    assert event is not None
    models.QuerySet(RecordEvent).filter(pk=event.pk)._raw_delete(using="default")
    findings = audit()[0]
    assert [f.code for f in findings if f.ref == str(event.pk) and f.kind == "records.recordevent"] == [
        "row_deleted"
    ]


def test_a_row_inserted_around_the_log_is_named(sealed: Checkpoint, opened_case: Any) -> None:
    sneaked = RecordEvent(event_type=EventType.FACTS_RECORDED, case=opened_case, after={"sneaked": True})
    sneaked.digest = "0" * 64
    [created] = models.QuerySet(RecordEvent).bulk_create([sneaked])
    findings = audit()[0]
    assert [f.code for f in findings if f.ref == str(created.pk)] == ["row_unlogged"]


def test_rewriting_row_leaf_nodes_and_head_consistently_is_still_caught_by_the_checkpoint(
    sealed: Checkpoint,
) -> None:
    """The attacker recomputes everything the database holds; only the signed root remains."""
    drop_triggers()
    event = RecordEvent.objects.filter(after__n=2).get()
    models.QuerySet(RecordEvent).filter(pk=event.pk).update(reason="事后补写")
    leaf = log.leaf_for(event)
    assert leaf is not None
    stored = log.stored_rows(RecordEvent, [event.pk], "default")[str(event.pk)]
    data = log.leaf_bytes("records.recordevent", str(event.pk), stored)
    from zhifa.ledger import merkle

    models.QuerySet(Leaf).filter(index=leaf.index).update(data=data, hash=merkle.leaf_hash(data, "sm3"))
    # Rebuild every node and the head from the rewritten leaves.
    models.QuerySet(Node).all()._raw_delete(using="default")
    models.QuerySet(LogHead).all()._raw_delete(using="default")
    hashes = [bytes(h) for h in Leaf.objects.order_by("index").values_list("hash", flat=True)]
    entries = list(Leaf.objects.order_by("index").values_list("kind", "ref", "data"))
    models.QuerySet(Leaf).all()._raw_delete(using="default")
    with transaction.atomic():
        log._append([(k, r, bytes(d)) for k, r, d in entries], "default")
    assert [bytes(h) for h in Leaf.objects.order_by("index").values_list("hash", flat=True)] == hashes
    codes = _codes()
    assert "row_changed" not in codes and "leaf_hash" not in codes and "node_changed" not in codes
    assert "checkpoint_root" in codes


@pytest.mark.parametrize("target", ["leaf_data", "leaf_hash", "node", "checkpoint_root", "signature", "head"])
def test_tampering_with_the_log_itself_is_named(sealed: Checkpoint, target: str) -> None:
    drop_triggers()
    if target == "leaf_data":
        leaf = Leaf.objects.order_by("-index").first()
        assert leaf is not None
        models.QuerySet(Leaf).filter(index=leaf.index).update(
            data=bytes(leaf.data).replace(b'"n":4', b'"n":5')
        )
        assert {"leaf_hash", "row_changed"} <= _codes()
    elif target == "leaf_hash":
        models.QuerySet(Leaf).filter(index=3).update(hash=b"\x00" * 32)
        assert "leaf_hash" in _codes()
    elif target == "node":
        node = Node.objects.first()
        assert node is not None
        models.QuerySet(Node).filter(key=node.key).update(hash=b"\x01" * 32)
        assert "node_changed" in _codes()
    elif target == "checkpoint_root":
        models.QuerySet(Checkpoint).filter(pk=sealed.pk).update(root=b"\x02" * 32)
        assert "checkpoint_root" in _codes()
    elif target == "signature":
        signature = bytearray(bytes(sealed.signature))
        signature[-1] ^= 1
        models.QuerySet(Checkpoint).filter(pk=sealed.pk).update(signature=bytes(signature))
        assert "checkpoint_signature" in _codes()
    else:
        LogHead.objects.filter(pk=log.HEAD_ID).update(size=1)
        assert "head_changed" in _codes()


def test_a_divergence_is_kept_and_alerts_administrators_and_supervisors(
    sealed: Checkpoint, bureau: Any, mailoutbox: list[Any]
) -> None:
    bureau.supervisor.email = "supervisor@example.gov.cn"
    bureau.supervisor.save()
    bureau.officer.email = "officer@example.gov.cn"
    bureau.officer.save()
    assert run_audit().ok is True
    assert mailoutbox == []
    drop_triggers()
    models.QuerySet(Leaf).filter(index=2).update(hash=b"\x00" * 32)
    run = run_audit(trigger="schedule")
    assert run.ok is False and {"trigger_missing", "leaf_hash"} <= {f["code"] for f in run.findings}
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["supervisor@example.gov.cn"]
    assert "账本叶子 #2" in mailoutbox[0].body
    assert AuditRun.objects.count() == 2


def test_the_audit_command_exits_non_zero_and_names_the_divergence(sealed: Checkpoint, capsys: Any) -> None:
    call_command("audit")
    assert "一致" in capsys.readouterr().out
    drop_triggers()
    event = RecordEvent.objects.order_by("pk").first()
    assert event is not None
    models.QuerySet(RecordEvent).filter(pk=event.pk).update(reason="改过")
    with pytest.raises(SystemExit) as exit_info:
        call_command("audit")
    assert exit_info.value.code == 1
    out = capsys.readouterr().out
    assert f"全过程记录 #{event.pk}" in out and "reason" in out
