"""Routes of the accounts app, for the scope check (guodong.core.testing.routes)."""

from __future__ import annotations

from guodong.accounts.models import User
from guodong.core.testing.routes import DETAIL, EXPORT, LIST, PAGE, register

register("user_list", LIST, User)
register("user_list", EXPORT, User, query="export=csv", marker="username")
register("user_add", PAGE)
register("user_detail", DETAIL, User)
register("user_edit", DETAIL, User, action="change")
register("user_password", DETAIL, User, action="change")
register("user_history", DETAIL, User)
register("user-list", LIST, User)
register("user-detail", DETAIL, User)
