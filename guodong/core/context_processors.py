"""Template context for every page: the signed-in user's menu and to-do list.

Both are callables, so a template resolves them only where it reads them (the navbar reads the
menu once; only the home page reads the to-do list) and a fragment rendered for htmx pays
nothing.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.http import HttpRequest

from guodong.core.menu import menu_for
from guodong.core.todo import todo_for


def menu(request: HttpRequest) -> dict[str, Any]:
    """`site_menu` (the sections this user may use) and `todo` (what waits for them)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"site_menu": partial(menu_for, user), "todo": partial(todo_for, user)}
