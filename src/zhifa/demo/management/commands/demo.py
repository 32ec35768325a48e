from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand

from zhifa.demo.loader import load_demo

DEFAULT_PASSWORD = "zhifa-demo"  # noqa: S105 - demo data only, documented in the README


class Command(BaseCommand):
    help = "加载或重新加载演示机关（衡阳市住房和城乡建设局）；可重复执行。密码由 ZHIFA_DEMO_PASSWORD 指定。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet-accounts", action="store_true", help="不打印演示账号")

    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("ZHIFA_DEMO_PASSWORD") or DEFAULT_PASSWORD
        report = load_demo(password=password)
        if report.created:
            self.stdout.write(
                f"演示数据：新增 {len(report.created)} 项（执法主体、单位、人员、执法证、执法事项）。"
            )
        else:
            self.stdout.write("演示数据已是最新，无需新增。")
        if options["quiet_accounts"]:
            return
        self.stdout.write("")
        self.stdout.write(f"演示账号（密码均为 {password}）：")
        for username, name, unit, roles in report.accounts:
            self.stdout.write(f"  {username:<14} {name:<5} {unit:<12} {roles}")
