"""gunicorn hooks for ``zhifa serve``: run the ledger scheduler (checkpoints, audit) beside the
web workers and stop it with them. ``ZHIFA_SCHEDULER=0`` leaves it to cron/systemd instead."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

_scheduler: subprocess.Popen[bytes] | None = None


def on_starting(server: Any) -> None:
    global _scheduler
    if os.environ.get("ZHIFA_SCHEDULER", "1") == "0":
        return
    _scheduler = subprocess.Popen([sys.executable, "-m", "zhifa.cli", "scheduler"])


def on_exit(server: Any) -> None:
    if _scheduler is not None and _scheduler.poll() is None:
        _scheduler.terminate()
        try:
            _scheduler.wait(timeout=10)
        except subprocess.TimeoutExpired:
            _scheduler.kill()
