"""The Merkle log's hashing, proofs and verifiers.

With SHA-256 the verifiers must give exactly the expected answer on every vector of Go's
transparency logs (../shared/testdata/merkle-vectors: happy paths and ~180 corruptions), and the
roots and proofs must agree with an independent RFC 9162 implementation written here.
"""

from __future__ import annotations

import base64
import hashlib
import json
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.ledger import merkle

VECTORS = Path(__file__).resolve().parents[2].parent / "shared" / "testdata" / "merkle-vectors"


def _vectors(kind: str) -> list[Path]:
    files = sorted((VECTORS / kind).rglob("*.json"))
    assert files, f"no {kind} vectors under {VECTORS}: the shared test data must sit beside the repository"
    return files


def _b64(values: list[str] | None) -> list[bytes]:
    return [base64.b64decode(v) for v in values or []]


def _b(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


@pytest.mark.parametrize("path", _vectors("inclusion"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_inclusion_vectors(path: Path) -> None:
    v: dict[str, Any] = json.loads(path.read_text())
    try:
        merkle.verify_inclusion(
            v["leafIdx"], v["treeSize"], _b(v["leafHash"]), _b64(v["proof"]), _b(v["root"]), "sha256"
        )
        failed = False
    except merkle.ProofError:
        failed = True
    assert failed == v["wantErr"], v.get("desc")


@pytest.mark.parametrize("path", _vectors("consistency"), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_consistency_vectors(path: Path) -> None:
    v: dict[str, Any] = json.loads(path.read_text())
    try:
        merkle.verify_consistency(
            v["size1"], v["size2"], _b64(v["proof"]), _b(v["root1"]), _b(v["root2"]), "sha256"
        )
        failed = False
    except merkle.ProofError:
        failed = True
    assert failed == v["wantErr"], v.get("desc")


def test_the_vector_set_has_happy_paths_and_corruptions() -> None:
    files = _vectors("inclusion") + _vectors("consistency")
    wanted = [json.loads(p.read_text())["wantErr"] for p in files]
    assert wanted.count(False) >= 10 and wanted.count(True) >= 150


# ---- an independent implementation, straight from the RFC's recursive definitions -------------


def _h(*parts: bytes) -> bytes:
    return hashlib.sha256(b"".join(parts)).digest()


def _mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return _h()
    if n == 1:
        return _h(b"\x00", d[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return _h(b"\x01", _mth(d[:k]), _mth(d[k:]))


def _path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    return [*_path(m, d[:k]), _mth(d[k:])] if m < k else [*_path(m - k, d[k:]), _mth(d[:k])]


def _subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [_mth(d)]
    k = 1
    while k * 2 < n:
        k *= 2
    return (
        [*_subproof(m, d[:k], b), _mth(d[k:])] if m <= k else [*_subproof(m - k, d[k:], False), _mth(d[:k])]
    )


def _data(n: int) -> list[bytes]:
    return [f"事件-{i}".encode() for i in range(n)]


def test_roots_agree_with_the_rfc_definition_for_every_size_up_to_1000() -> None:
    data = _data(1000)
    leaves = [merkle.leaf_hash(x, "sha256") for x in data]
    rng = random.Random(9162)
    for n in range(0, 1001):
        assert merkle.root(leaves[:n], "sha256") == _mth(data[:n]), n
        if n:
            m = rng.randrange(n)
            proof = merkle.inclusion_proof(m, leaves[:n], "sha256")
            assert proof == _path(m, data[:n]), (m, n)
            merkle.verify_inclusion(m, n, leaves[m], proof, _mth(data[:n]), "sha256")
        if n > 1:
            size1 = rng.randrange(1, n)
            proof = merkle.consistency_proof(size1, leaves[:n], "sha256")
            assert proof == _subproof(size1, data[:n], True), (size1, n)
            merkle.verify_consistency(size1, n, proof, _mth(data[:size1]), _mth(data[:n]), "sha256")


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=1, max_value=5000), seed=st.integers(min_value=0, max_value=2**32))
def test_random_larger_trees_prove_and_verify_and_tampering_is_caught(n: int, seed: int) -> None:
    rng = random.Random(seed)
    leaves = [merkle.leaf_hash(rng.randbytes(8), "sm3") for _ in range(n)]
    top = merkle.root(leaves, "sm3")
    m = rng.randrange(n)
    proof = merkle.inclusion_proof(m, leaves, "sm3")
    assert len(proof) <= n.bit_length()
    merkle.verify_inclusion(m, n, leaves[m], proof, top, "sm3")
    if proof:
        bad = list(proof)
        bad[rng.randrange(len(bad))] = bytes(32)
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion(m, n, leaves[m], bad, top, "sm3")
    if n > 1:
        size1 = rng.randrange(1, n)
        cproof = merkle.consistency_proof(size1, leaves, "sm3")
        merkle.verify_consistency(size1, n, cproof, merkle.root(leaves[:size1], "sm3"), top, "sm3")
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency(size1, n, cproof, merkle.root(leaves[:size1], "sm3"), bytes(32), "sm3")


def test_sm3_is_the_default_and_differs_from_sha256() -> None:
    assert merkle.leaf_hash(b"x") == merkle.leaf_hash(b"x", "sm3") != merkle.leaf_hash(b"x", "sha256")
    with pytest.raises(ValueError, match="unknown hash"):
        merkle.leaf_hash(b"x", "md5")
