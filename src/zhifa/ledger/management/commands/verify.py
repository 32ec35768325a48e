"""``zhifa verify ARCHIVE [--key PUBLIC.pem]``: check a sealed case file offline; exit status 1
and the name of every failed check if anything does not hold."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.ledger.verify import VERDICT, verify_archive


class Command(BaseCommand):
    help = "离线核验封存电子案卷：封装完整性、检查点签名、包含证明、文书与证据摘要；不通过时以状态码1退出"
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", help="封存电子案卷（.zip）或其解压后的目录")
        parser.add_argument("--key", help="执法机关公开的账本公钥（PEM）；不提供则只能核验案卷内部一致")

    def handle(self, *args: Any, **options: Any) -> None:
        archive = Path(options["archive"])
        if not archive.exists():
            raise CommandError(f"找不到文件：{archive}")
        try:
            key = Path(options["key"]).read_bytes() if options.get("key") else None
        except OSError as exc:
            raise CommandError(f"无法读取公钥文件 {options['key']}：{exc.strerror or exc}") from exc
        report = verify_archive(archive, key)
        for line in report.passed:
            self.stdout.write(f"✓ {line}")
        for line in report.warnings:
            self.stdout.write(f"! {line}")
        for line in report.failed:
            self.stdout.write(f"✗ {line}")
        if report.ok:
            self.stdout.write(VERDICT)
            return
        self.stdout.write(f"核验不通过：{len(report.failed)} 项。")
        sys.exit(1)
