"""``zhifa audit``: recompute the log and name every divergence; exit status 1 if any."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhifa.ledger.audit import audit, run_audit


class Command(BaseCommand):
    help = "核验账本：由数据库中的记录重算账本、核对全部检查点与签名；发现不一致时逐条列出并以状态码1退出"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="以 JSON 输出发现的问题")
        parser.add_argument("--no-record", action="store_true", help="不保存核验记录、不发送告警")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["no_record"]:
            found, leaves, checked = audit()
            findings = [asdict(f) for f in found]
        else:
            run = run_audit(trigger="cli")
            findings, leaves, checked = run.findings, run.leaves, run.checkpoints
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"ok": not findings, "leaves": leaves, "checkpoints": checked, "findings": findings},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        else:
            for finding in findings:
                self.stdout.write(f"✗ {finding['message']}")
            verdict = "一致" if not findings else f"发现 {len(findings)} 处不一致"
            self.stdout.write(f"账本核验：{leaves} 个叶子，{checked} 个检查点 —— {verdict}")
        if findings:
            sys.exit(1)
