"""Catalogue writes and reads through the service layer and selectors."""

from __future__ import annotations

import datetime
import time


def run() -> None:
    from zhifa.catalog import selectors, services
    from zhifa.demo.loader import load_demo

    load_demo(password="bench-only")
    from zhifa.catalog.models import EnforcementItem

    item = EnforcementItem.objects.get(code="ZJ-CF-002")
    latest = item.latest_version()
    assert latest is not None
    content = services.content_of(latest)
    rounds = 200
    began = time.perf_counter()
    for i in range(rounds):
        content = content.replace(time_limit_note=f"基准测试第{i}次调整")
        services.revise_item(
            actor=None,
            item=item,
            content=content,
            effective_from=datetime.date(2026, 1, 1),
            reason="基准测试",
        )
    elapsed = time.perf_counter() - began
    print(f"catalog_item_revisions_per_s: {rounds / elapsed:,.0f} per s (target ≥ 50)")

    began = time.perf_counter()
    reads = 200
    for _ in range(reads):
        version = selectors.current_version(item)
        assert version is not None
        list(version.bases.all()), list(version.brackets.all()), list(version.av_requirements.all())
    elapsed = time.perf_counter() - began
    print(f"catalog_item_read_ms: {elapsed / reads * 1000:.2f} ms (target ≤ 20)")
