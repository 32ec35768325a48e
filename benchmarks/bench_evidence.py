"""Evidence uploads: hashing throughput against sha256sum, and memory over a 2 GiB upload.

* ``upload_hash_ratio_vs_sha256sum``: the upload path's streaming hash (SHA-256 and SM3 together,
  ``zhifa.evidence.hashing.hash_file``, 1 MiB blocks, SHA-256 in a helper thread) over a 1 GiB
  file, as throughput relative to coreutils ``sha256sum`` on the same file (page cache warm).
* ``upload_peak_rss_mb_for_2gb``: 2 GiB sent through the staff upload endpoint in 8 MiB chunks,
  each chunk's body produced as it is read (as from a socket); how far the process's peak RSS
  rose above its resident size before the upload.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

MiB = 1024 * 1024
HASH_FILE_BYTES = 1024 * MiB
UPLOAD_BYTES = 2048 * MiB
CHUNK = 8 * MiB


def _write_file(path: Path, size: int) -> None:
    blocks = [os.urandom(MiB) for _ in range(8)]
    with open(path, "wb") as fh:
        for i in range(size // MiB):
            fh.write(blocks[i % len(blocks)])


def _best_of(runs: int, func: Any) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - began)
    return best


def _hash_figures(directory: Path) -> None:
    from zhifa.evidence.hashing import BLOCK, hash_file

    path = directory / "bench-1gib.bin"
    _write_file(path, HASH_FILE_BYTES)
    sha256sum = shutil.which("sha256sum")
    if sha256sum is None:
        print("upload_hash_ratio_vs_sha256sum: n/a (sha256sum not installed) (target ≥ 0.8)")
        return

    def coreutils_digest() -> str:
        # Our own temporary file given to the system's sha256sum: no untrusted input.
        done = subprocess.run([sha256sum, str(path)], check=True, capture_output=True, text=True)  # noqa: S603
        return done.stdout.split()[0]

    coreutils_digest()  # warm the page cache
    assert coreutils_digest() == hash_file(path).sha256, "digests differ"
    coreutils = _best_of(2, coreutils_digest)
    ours = _best_of(2, lambda: hash_file(path))

    def sequential() -> None:  # reference only: both digests in one thread, no helper
        sha, sm3 = hashlib.sha256(), hashlib.new("sm3")
        with open(path, "rb") as fh:
            while block := fh.read(BLOCK):
                sha.update(block)
                sm3.update(block)

    single = _best_of(1, sequential)
    size_mib = HASH_FILE_BYTES / MiB
    print(
        f"upload_hash_ratio_vs_sha256sum: {coreutils / ours:.2f} (target ≥ 0.8; SHA-256+SM3 "
        f"{size_mib / ours:,.0f} MiB/s vs sha256sum {size_mib / coreutils:,.0f} MiB/s on 1 GiB)"
    )
    print(
        f"upload_hash_single_thread_ratio_vs_sha256sum: {coreutils / single:.2f} "
        f"(reference: both digests in one thread, {size_mib / single:,.0f} MiB/s)"
    )
    path.unlink()


class _GeneratedBody:
    """``length`` bytes of a repeated block, produced as they are read (never held whole)."""

    def __init__(self, block: bytes, length: int) -> None:
        self.block, self.left = block, length

    def read(self, size: int = -1) -> bytes:
        size = self.left if size is None or size < 0 else min(size, self.left)
        out = self.block[:size]
        self.left -= len(out)
        return out

    readline = read


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / MiB


def _upload_figures(directory: Path) -> None:
    from django.db.models import Q
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import reverse

    from zhifa.cases.models import Case, CaseOfficer
    from zhifa.demo.loader import load_demo

    load_demo(password="bench-only")
    officer = (
        CaseOfficer.objects.filter(recused_at__isnull=True, person__user__isnull=False)
        .exclude(Q(case__state="archived"))
        .select_related("case", "person__user")
        .first()
    )
    if officer is None:
        print("upload_peak_rss_mb_for_2gb: n/a (no open demo case) (target flat, ≤ 200)")
        return
    case: Case = officer.case
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        ZHIFA_EVIDENCE_ROOT=str(directory / "store"),
        ZHIFA_EVIDENCE_SPOOL_DIR=str(directory / "spool"),
    ):
        client = Client()
        user = officer.person.user
        assert user is not None
        client.force_login(user)
        started = client.post(
            reverse("evidence:upload_start", args=[case.pk]),
            {"filename": "bench.mp4", "size": UPLOAD_BYTES, "kind": "video", "place": "基准测试"}
            | {"captured_at": "2026-03-02T09:00"},
        )
        assert started.status_code == 201, started.content
        url = reverse("evidence:upload_detail", args=[started.json()["upload_id"]])
        block = (b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + os.urandom(MiB))[:MiB]
        rss_before = _rss_mb()
        highest = rss_before
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        began = time.perf_counter()
        for offset in range(0, UPLOAD_BYTES, CHUNK):
            response = client.request(
                REQUEST_METHOD="PUT",
                PATH_INFO=url,
                CONTENT_TYPE="application/octet-stream",
                CONTENT_LENGTH=str(CHUNK),
                HTTP_CONTENT_RANGE=f"bytes {offset}-{offset + CHUNK - 1}/{UPLOAD_BYTES}",
                **{"wsgi.input": _GeneratedBody(block, CHUNK)},
            )
            assert response.status_code == 200, response.content
            highest = max(highest, _rss_mb())
        elapsed = time.perf_counter() - began
        maxrss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert response.json()["status"] == "complete", response.content
    # RSS sampled after every chunk, and the kernel's high-water mark in case it rose in between.
    growth = max(highest, maxrss_after if maxrss_after > maxrss_before else 0.0) - rss_before
    print(
        f"upload_peak_rss_mb_for_2gb: {max(growth, 0.0):.0f} MB (target flat, ≤ 200; rise of RSS over a "
        f"2 GiB upload from {rss_before:.0f} MB; ru_maxrss {maxrss_before:.0f} → {maxrss_after:.0f} MB)"
    )
    print(
        f"upload_2gb_throughput_mib_per_s: {UPLOAD_BYTES / MiB / elapsed:,.0f} MiB/s "
        "(spool write, SHA-256+SM3, fsync, store; no target)"
    )


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="zhifa-bench-evidence-") as temp:
        directory = Path(temp)
        _upload_figures(directory)
        _hash_figures(directory)
