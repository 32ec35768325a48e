from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动网站（gunicorn）。端口由 --port 或环境变量 PORT 指定，默认 8000。生产环境请置于反向代理之后。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", default=os.environ.get("ZHIFA_WORKERS", "3"))

    def handle(self, *args: Any, **options: Any) -> None:
        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"执法平台已启动：http://{bind}/   （Ctrl+C 停止）")
        self.stdout.flush()
        argv = [
            sys.executable,
            "-m",
            "gunicorn",
            "zhifa.wsgi:application",
            "--config",
            "python:zhifa.gunicorn_conf",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--timeout",
            "120",
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("ZHIFA_FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with gunicorn, fixed argv
