"""The ``lanhmanh`` console command: Django's management commands with the project's settings.

``lanhmanh link …`` is the exception: it links a CSV file with the linkage engine alone, without
Django settings or the web app's database (see ``lanhmanh link --help``).
"""

import os
import sys


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "link":
        from lanhmanh.linkage.cli import main as link  # noqa: PLC0415 -- entry-point: runs without Django

        sys.exit(link(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lanhmanh.config.settings")
    from django.core.management import execute_from_command_line  # noqa: PLC0415 -- entry-point: after DJANGO_SETTINGS_MODULE

    execute_from_command_line([sys.argv[0], *sys.argv[1:]])
