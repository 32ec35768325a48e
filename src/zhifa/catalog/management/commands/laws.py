from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhifa.catalog.lawtext import BUNDLED_LAWS_DIR, LawParseError, parse_law_file
from zhifa.catalog.services import load_law
from zhifa.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "法律依据清单：load 按条款导入法律法规文本（Markdown，格式同 data/laws）；list 列出已导入的法律法规。"
    )

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser(
            "load", help="导入一个文件或一个目录下的全部 .md 文件（默认：随软件发布的法律文本）"
        )
        load.add_argument("path", nargs="?", default=str(BUNDLED_LAWS_DIR))
        sub.add_parser("list", help="列出已导入的法律法规")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            from zhifa.catalog.selectors import laws

            for law in laws():
                articles = getattr(law, "article_count", 0)
                amended = law.amended_on or ""
                self.stdout.write(f"{law.title}\t{law.get_kind_display()}\t{articles}条\t{amended}")
            return
        path = Path(options["path"])
        files = sorted(path.glob("*.md")) if path.is_dir() else [path]
        if not files or not all(f.exists() for f in files):
            raise CommandError(f"找不到法律文本：{path}")
        for file in files:
            try:
                law, added, changed = load_law(
                    parsed=parse_law_file(file), source_name=file.name, source_bytes=file.read_bytes()
                )
            except (LawParseError, DomainError) as exc:
                raise CommandError(f"{file.name}：{exc}") from exc
            self.stdout.write(f"{law.title}：新增 {added} 条，更新 {changed} 条")
