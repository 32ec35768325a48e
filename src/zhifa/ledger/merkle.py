"""Merkle tree hashing, proofs and proof verification in the style of RFC 9162 (Certificate
Transparency v2): leaf hashes are H(0x00 || data), interior nodes H(0x01 || left || right).

SM3 is the default hash (国密), SHA-256 the configured alternative; every function takes the
algorithm by name so that a checkpoint can say which one it used. The verifiers follow the
reference implementation of Go's transparency logs (transparency-dev/merkle) exactly, so they
give the same answer on its test vectors, including every corrupted proof.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

ALGORITHMS = ("sm3", "sha256")
LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"


class ProofError(ValueError):
    """A proof does not verify; the message says why."""


def _digest(algorithm: str, *parts: bytes) -> bytes:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"unknown hash algorithm {algorithm!r}; use one of {ALGORITHMS}")
    h = hashlib.new(algorithm)
    for part in parts:
        h.update(part)
    return h.digest()


def hash_size(algorithm: str) -> int:
    return 32  # both SM3 and SHA-256 give 256-bit digests


def empty_root(algorithm: str) -> bytes:
    """MTH({}) = HASH() (RFC 9162 §2.1.1)."""
    return _digest(algorithm)


def leaf_hash(data: bytes, algorithm: str = "sm3") -> bytes:
    return _digest(algorithm, LEAF_PREFIX, data)


def node_hash(left: bytes, right: bytes, algorithm: str = "sm3") -> bytes:
    return _digest(algorithm, NODE_PREFIX, left, right)


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes], algorithm: str = "sm3") -> bytes:
    """MTH over leaf *hashes* (RFC 9162 §2.1.1), computed bottom-up in O(n)."""
    if not leaves:
        return empty_root(algorithm)
    level = list(leaves)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1], algorithm) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])  # an unpaired right node is promoted unchanged
        level = paired
    return level[0]


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The leaf ranges [lo, hi) whose subtree roots make PATH(index, D[size]) (RFC 9162
    §2.1.3.1), deepest sibling first. Shared by the in-memory proof below and the ledger's
    proofs from stored subtrees."""
    ranges: list[tuple[int, int]] = []
    lo, hi, m = 0, size, index
    while hi - lo > 1:
        k = _split(hi - lo)
        if m < k:
            ranges.append((lo + k, hi))
            hi = lo + k
        else:
            ranges.append((lo, lo + k))
            lo, m = lo + k, m - k
    return list(reversed(ranges))


def consistency_ranges(size1: int, size2: int) -> list[tuple[int, int]]:
    """The leaf ranges of PROOF(size1, D[size2]) = SUBPROOF(size1, D[size2], true) (§2.1.4.1)."""
    parts: list[tuple[int, int]] = []
    lo, hi, m, complete = 0, size2, size1, True
    while True:
        n = hi - lo
        if m == n:
            if not complete:
                parts.append((lo, hi))
            break
        k = _split(n)
        if m <= k:
            parts.append((lo + k, hi))
            hi = lo + k
        else:
            parts.append((lo, lo + k))
            lo, m, complete = lo + k, m - k, False
    return list(reversed(parts))


def fold_right(parts: Sequence[bytes], algorithm: str = "sm3") -> bytes:
    """The root of a range from the roots of its perfect subtrees, largest first:
    node(p1, node(p2, … node(pk-1, pk)))."""
    result = parts[-1]
    for part in reversed(parts[:-1]):
        result = node_hash(part, result, algorithm)
    return result


def inclusion_proof(index: int, leaves: Sequence[bytes], algorithm: str = "sm3") -> list[bytes]:
    """PATH(m, D[n]) (RFC 9162 §2.1.3.1) over leaf hashes."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"index {index} is outside a tree of size {len(leaves)}")
    return [root(leaves[a:b], algorithm) for a, b in inclusion_ranges(index, len(leaves))]


def consistency_proof(size1: int, leaves: Sequence[bytes], algorithm: str = "sm3") -> list[bytes]:
    """PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 §2.1.4.1), for 0 < m < n."""
    size2 = len(leaves)
    if not 0 < size1 < size2:
        raise ValueError(f"a consistency proof needs 0 < size1 < size2, got {size1}, {size2}")
    return [root(leaves[a:b], algorithm) for a, b in consistency_ranges(size1, size2)]


# ---------------------------------------------------------------------------------------------
# Verification (transparency-dev/merkle proof/verify.go)


def _decomp_inclusion(index: int, size: int) -> tuple[int, int]:
    inner = (index ^ (size - 1)).bit_length()
    border = bin(index >> inner).count("1")
    return inner, border


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int, algorithm: str) -> bytes:
    for i, h in enumerate(proof):
        seed = node_hash(seed, h, algorithm) if (index >> i) & 1 == 0 else node_hash(h, seed, algorithm)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int, algorithm: str) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1 == 1:
            seed = node_hash(h, seed, algorithm)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes], algorithm: str) -> bytes:
    for h in proof:
        seed = node_hash(h, seed, algorithm)
    return seed


def root_from_inclusion_proof(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], algorithm: str = "sm3"
) -> bytes:
    if index < 0 or size < 0 or index >= size:
        raise ProofError(f"index {index} is beyond the tree size {size}")
    if len(leaf) != hash_size(algorithm):
        raise ProofError(f"leaf hash has {len(leaf)} bytes, want {hash_size(algorithm)}")
    inner, border = _decomp_inclusion(index, size)
    if len(proof) != inner + border:
        raise ProofError(f"proof has {len(proof)} hashes, want {inner + border}")
    result = _chain_inner(leaf, proof[:inner], index, algorithm)
    return _chain_border_right(result, proof[inner:], algorithm)


def verify_inclusion(
    index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes, algorithm: str = "sm3"
) -> None:
    """Raise ProofError unless ``proof`` shows leaf hash ``leaf`` at ``index`` of the tree of
    ``size`` leaves whose root is ``expected_root``."""
    calculated = root_from_inclusion_proof(index, size, leaf, proof, algorithm)
    if calculated != expected_root:
        raise ProofError("calculated root does not match the expected root")


def verify_consistency(
    size1: int, size2: int, proof: Sequence[bytes], root1: bytes, root2: bytes, algorithm: str = "sm3"
) -> None:
    """Raise ProofError unless ``proof`` shows the tree of ``size2`` leaves with root ``root2``
    extends the tree of ``size1`` leaves with root ``root1`` (RFC 9162 §2.1.4.2)."""
    if size1 < 0 or size2 < 0:
        raise ProofError("sizes must not be negative")
    if size2 < size1:
        raise ProofError(f"size2 ({size2}) < size1 ({size1})")
    if size1 == 0:
        # Every tree extends the empty one, so such a "proof" proves nothing; a checkpoint of
        # size 0 is never a trust anchor (the reference vectors require the refusal).
        raise ProofError("size1 is zero: a consistency proof from the empty tree proves nothing")
    if size1 == size2:
        if proof:
            raise ProofError("size1 = size2, but the proof is not empty")
        if root1 != root2:
            raise ProofError("size1 = size2, but the roots differ")
        return
    if not proof:
        raise ProofError("empty proof")
    inner, border = _decomp_inclusion(size1 - 1, size2)
    shift = ((size1 & -size1).bit_length()) - 1
    inner -= shift
    seed, start = proof[0], 1
    if size1 == 1 << shift:
        seed, start = root1, 0
    if len(proof) != start + inner + border:
        raise ProofError(f"proof has {len(proof)} hashes, want {start + inner + border}")
    rest = proof[start:]
    mask = (size1 - 1) >> shift
    hash1 = _chain_border_right(
        _chain_inner_right(seed, rest[:inner], mask, algorithm), rest[inner:], algorithm
    )
    if hash1 != root1:
        raise ProofError("the proof does not reproduce the first root")
    hash2 = _chain_border_right(_chain_inner(seed, rest[:inner], mask, algorithm), rest[inner:], algorithm)
    if hash2 != root2:
        raise ProofError("the proof does not reproduce the second root")
