"""The `guodong` console command: every management command under one name.

`guodong audit verify` is `manage.py audit verify`; `guodong runserver` is `manage.py runserver`.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guodong.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guodong", *sys.argv[1:]])
