"""``zhifa export-case CASE_NUMBER -o FILE``: write the sealed electronic case file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.cases import sealing
from zhifa.cases.models import Case
from zhifa.core.errors import DomainError


class Command(BaseCommand):
    help = "导出封存电子案卷（BagIt 格式，含每条记录的账本包含证明和签名检查点），可用 zhifa verify 离线核验"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_number", help="案号，如 衡住建罚案〔2026〕1号")
        parser.add_argument("-o", "--output", required=True, help="输出文件（.zip）")

    def handle(self, *args: Any, **options: Any) -> None:
        case = Case.objects.filter(number=options["case_number"]).first()
        if case is None:
            raise CommandError(f"没有案件 {options['case_number']}。")
        target = Path(options["output"])
        if not target.parent.is_dir():
            raise CommandError(f"输出目录不存在：{target.parent}")
        partial = target.with_name(target.name + ".partial")
        try:
            with partial.open("wb") as out:
                summary = sealing.write_sealed(case, out, actor=None)
            partial.replace(target)
        except DomainError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(exc.message) from exc
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise CommandError(f"无法写入 {target}：{exc.strerror or exc}") from exc
        self.stdout.write(
            f"已导出 {target}：{summary['file_count']} 个文件，{summary['octets']} 字节，"
            f"SHA-256 {summary['archive_sha256']}"
        )
