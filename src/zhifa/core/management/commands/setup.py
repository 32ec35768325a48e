from __future__ import annotations

import hashlib
import os
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import get_finders
from django.core.management import call_command
from django.core.management.base import BaseCommand


def static_fingerprint() -> str:
    """A digest of every static source file's path, size and mtime."""
    digest = hashlib.sha256()
    for finder in get_finders():
        for path, storage in finder.list([]):
            info = os.stat(storage.path(path))
            digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()


class Command(BaseCommand):
    help = (
        "准备运行环境：迁移数据库（含法律条文、法定时限、工作日历的初始数据）、收集静态文件、"
        "生成账本签名密钥。可重复执行。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        marker = settings.STATIC_ROOT / ".fingerprint"
        fingerprint = static_fingerprint()
        if not marker.exists() or marker.read_text() != fingerprint:
            call_command("collectstatic", interactive=False, verbosity=0)
            marker.write_text(fingerprint)
        # The log signs its checkpoints from the first day: create the key on first setup.
        call_command("keys", "generate", "--if-missing", verbosity=0)
        self.stdout.write("数据库、静态文件与账本签名密钥已就绪。")
