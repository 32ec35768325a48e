"""Run the benchmark groups: `python benchmarks/run.py [GROUP]`.

Each group is a module `benchmarks/bench_<group>.py` with `run() -> None` printing one line per
figure: `name: value unit (target …)`. Benchmarks use a fresh SQLite database in a temporary
data directory unless DATABASE_URL is set; they are never part of the test suite.
"""

from __future__ import annotations

import importlib
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))


def groups() -> list[str]:
    return sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    wanted = argv[1:] or groups()
    unknown = [g for g in wanted if g not in groups()]
    if unknown:
        print(
            f"unknown benchmark group(s): {', '.join(unknown)}; known: {', '.join(groups())}", file=sys.stderr
        )
        return 2
    with tempfile.TemporaryDirectory(prefix="zhifa-bench-") as data_dir:
        os.environ.setdefault("ZHIFA_DATA_DIR", data_dir)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        for group in wanted:
            importlib.import_module(f"bench_{group}").run()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
