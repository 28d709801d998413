"""Print the demo users, their passwords and what each can do."""

from typing import Any

from django.core.management.base import BaseCommand

from guodong.demo.seed import DEMO_PASSWORD, USERS


class Command(BaseCommand):
    help = "Print the demo logins."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"\n演示账号 / demo logins (password 密码: {DEMO_PASSWORD})")
        for user in USERS:
            self.stdout.write(
                f"  {user.username:<14} {user.display_name:<6} {user.organization}：{user.can_do}"
            )
        self.stdout.write("")
