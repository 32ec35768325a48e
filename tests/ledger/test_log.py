"""The log under the record: every write-once row has its leaf, and stored-subtree proofs agree
with the reference Merkle functions at every size."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction

from zhifa.core.models import WriteOnceModel
from zhifa.ledger import log, merkle
from zhifa.ledger.models import Leaf
from zhifa.records.models import EventType, RecordEvent
from zhifa.records.services import append_event


def _all_leaf_hashes() -> list[bytes]:
    return [bytes(h) for h in Leaf.objects.order_by("index").values_list("hash", flat=True)]


def test_every_record_row_is_a_leaf_with_its_stored_form(opened_case: Any) -> None:
    for model in log.write_once_models():
        assert issubclass(model, WriteOnceModel)
        pks = {str(pk) for pk in model._base_manager.values_list("pk", flat=True)}
        leafed = set(Leaf.objects.filter(kind=log.kind_of(model)).values_list("ref", flat=True))
        assert pks == leafed, model
    event = RecordEvent.objects.filter(case=opened_case).last()
    assert event is not None
    leaf = log.leaf_for(event)
    assert leaf is not None
    document = json.loads(bytes(leaf.data))
    assert document["kind"] == "records.recordevent" and document["ref"] == str(event.pk)
    assert document["row"]["digest"] == event.digest
    assert bytes(leaf.hash) == merkle.leaf_hash(bytes(leaf.data), "sm3")


def test_positions_are_gap_free_and_the_head_matches_the_leaves(opened_case: Any) -> None:
    head = log.head()
    indexes = list(Leaf.objects.order_by("index").values_list("index", flat=True))
    assert indexes == list(range(head.size))
    assert log.root_at(head.size) == merkle.root(_all_leaf_hashes(), "sm3")


def test_the_leaf_is_written_in_the_same_transaction_as_the_row(opened_case: Any) -> None:
    before = Leaf.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        append_event(actor=None, event_type=EventType.FACTS_RECORDED, case=opened_case, after={"x": 1})
        assert Leaf.objects.count() == before + 1
        raise RuntimeError("roll back")
    assert Leaf.objects.count() == before
    assert log.head().size == before


def test_proofs_from_stored_subtrees_match_the_reference_at_every_size(opened_case: Any) -> None:
    with transaction.atomic():
        for n in range(40):
            append_event(actor=None, event_type=EventType.FACTS_RECORDED, case=opened_case, after={"n": n})
    leaves = _all_leaf_hashes()
    total = len(leaves)
    for size in range(1, total + 1):
        expected_root = merkle.root(leaves[:size], "sm3")
        assert log.root_at(size) == expected_root
        for index in {0, size // 2, size - 1}:
            proof = log.inclusion_proof(index, size)
            assert proof == merkle.inclusion_proof(index, leaves[:size], "sm3")
            merkle.verify_inclusion(index, size, leaves[index], proof, expected_root, "sm3")
        if size > 1:
            for size1 in {1, size // 2 or 1, size - 1}:
                proof = log.consistency_proof(size1, size)
                assert proof == merkle.consistency_proof(size1, leaves[:size], "sm3")


def test_a_size_beyond_the_log_is_refused(opened_case: Any) -> None:
    from zhifa.core.errors import InvalidInput

    with pytest.raises(InvalidInput, match="树的大小"):
        log.inclusion_proof(0, log.head().size + 1)
    with pytest.raises(InvalidInput):
        log.inclusion_proof(log.head().size, log.head().size)
