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

    execute_from_command_line(argv if argv is not None else sys.argv)


if __name__ == "__main__":
    main()
