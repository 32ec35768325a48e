"""The ledger: record events appended with their leaf in the same transaction, and inclusion
proofs served from stored subtree hashes at 10k, 100k and 1M leaves (should grow with log n)."""

from __future__ import annotations

import random
import time


def _append_rate() -> None:
    from django.db import transaction

    from zhifa.records.models import EventType
    from zhifa.records.services import append_event

    for _ in range(200):  # warm up
        with transaction.atomic():
            append_event(actor=None, event_type=EventType.FACTS_RECORDED, after={"warm": True})
    n = 3000
    began = time.perf_counter()
    for i in range(n):
        with transaction.atomic():
            append_event(actor=None, event_type=EventType.FACTS_RECORDED, after={"n": i}, reason="基准测试")
    elapsed = time.perf_counter() - began
    print(
        f"ledger_appends_per_s: {n / elapsed:,.0f} per s "
        "(target ≥ 2,000 on SQLite; one record event + its leaf per transaction)"
    )


def _grow_to(size: int) -> None:
    from django.db import transaction

    from zhifa.ledger import log

    current = log.head().size
    batch = 20_000
    while current < size:
        count = min(batch, size - current)
        entries = [
            ("bench.synthetic", str(current + i), f'{{"n":{current + i}}}'.encode()) for i in range(count)
        ]
        with transaction.atomic():
            log._append(entries, "default")
        current += count


def _proof_ms(size: int, rng: random.Random) -> float:
    from zhifa.ledger import log

    indexes = [rng.randrange(size) for _ in range(300)]
    began = time.perf_counter()
    for index in indexes:
        log.inclusion_proof(index, size)
    return (time.perf_counter() - began) / len(indexes) * 1000


def run() -> None:
    from zhifa.ledger import log, merkle

    _append_rate()
    rng = random.Random(1)
    figures: dict[str, float] = {}
    for size, name in [(10_000, "10k"), (100_000, "100k"), (1_000_000, "1m")]:
        _grow_to(size)
        figures[name] = _proof_ms(size, rng)
        print(f"inclusion_proof_ms_at_{name}: {figures[name]:.2f} ms (target ≤ 5 at 1m; logarithmic growth)")
    size = log.head().size
    root = log.root_at(size)
    index = rng.randrange(size)
    proof = log.inclusion_proof(index, size)
    leaf = bytes(log.leaf_at(index).hash)
    n = 2000
    began = time.perf_counter()
    for _ in range(n):
        merkle.verify_inclusion(index, size, leaf, proof, root, "sm3")
    print(
        f"proof_verify_us: {(time.perf_counter() - began) / n * 1e6:.0f} us "
        f"(target ≤ 100; {len(proof)} hashes, SM3)"
    )
    began = time.perf_counter()
    for _ in range(100):
        log.consistency_proof(rng.randrange(1, size), size)
    print(f"consistency_proof_ms_at_1m: {(time.perf_counter() - began) / 100 * 1000:.2f} ms")
