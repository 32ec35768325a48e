from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "证据上传维护：cleanup 中止超时未完成的上传并删除其暂存文件（不会登记任何证据或记录）。"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        cleanup = sub.add_parser("cleanup", help="中止闲置超过指定小时数的上传，删除无主的暂存文件")
        cleanup.add_argument(
            "--older-than", type=float, default=24.0, metavar="HOURS", help="闲置多少小时后清理（默认 24）"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from zhifa.evidence.services import cleanup_uploads

        hours = options["older_than"]
        if hours < 0:
            raise CommandError("--older-than 不能为负数。")
        report = cleanup_uploads(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(f"已中止上传 {report.aborted} 个，删除暂存文件 {report.removed_files} 个。")
