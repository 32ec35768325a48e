"""The ``zhifa`` console command: Django's manage.py under the project's name.

``zhifa serve``, ``zhifa demo``, ``zhifa setup``, ``zhifa calendar …``, ``zhifa laws …`` and every
other administrative command are Django management commands of the project's apps.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhifa.settings")
    from django.core.management import execute_from_command_line

    args = list(argv if argv is not None else sys.argv)
    # Commands are spelled with hyphens on the command line (zhifa export-case), underscores in Python.
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
