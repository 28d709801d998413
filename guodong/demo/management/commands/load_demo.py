"""Load the 嘉兴市 demo (idempotent: a second run adds only what is missing)."""

from typing import Any

from django.core.management.base import BaseCommand

from guodong.demo.seed import load_demo


class Command(BaseCommand):
    help = "Load real divisions and the demo organizations and users of 嘉兴市."

    def handle(self, *args: Any, **options: Any) -> None:
        load_demo()
        self.stdout.write("demo data ready")
