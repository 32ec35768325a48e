"""``zhifa checkpoint``: sign the current tree head now (the scheduler does it periodically)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhifa.core.errors import DomainError
from zhifa.ledger import checkpoints


class Command(BaseCommand):
    help = "签署账本检查点（当前树根）；--note 输出签名文本"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="账本未增长也签署新的检查点")
        parser.add_argument("--note", action="store_true", help="输出检查点的签名文本")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = checkpoints.make_checkpoint(actor=None, trigger="cli", force=options["force"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"检查点 #{checkpoint.pk}：{checkpoint.size} 个叶子，{checkpoint.algorithm}，"
            f"{checkpoint.made_at:%Y-%m-%d %H:%M:%S}"
        )
        if options["note"]:
            self.stdout.write(checkpoints.signed_note(checkpoint), ending="")
