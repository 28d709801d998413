"""A user's own to-do list: what is waiting for them to act, gathered from every app.

Core knows no domain model, so each app says what its users have to do in its own
`<app>/todo.py` module, which registers a provider::

    from guodong.core.todo import TodoItem, register

    @register
    class VerificationTodos:
        def applies(self, user: Actor) -> bool: ...     # whether the user gets these at all
        def items(self, user: Actor) -> list[TodoItem]: ...

The modules are found like the scope routes (`autodiscover_modules("todo")`), so a later app
(inspections, findings) adds its to-dos by adding its own module. The home page shows the list
(`core/_todo.html`) to whoever any provider applies to.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, TypeVar

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules

from guodong.core.actors import Actor


@dataclass(frozen=True)
class TodoItem:
    """One thing the user has to do: what, on what, by when, and the page where they do it."""

    kind: str | Promise  # "Acknowledge the mission", "Verify on site", …
    title: str
    url: str
    due: dt.datetime | dt.date | None = None
    # A word on its state ("dispatched", "3 of 5 checked") where it helps decide what first.
    note: str | Promise = ""

    @property
    def due_sort(self) -> dt.datetime:
        """The due time as an aware datetime (a date is due at its day's end); none last."""
        if self.due is None:
            return dt.datetime.max.replace(tzinfo=dt.UTC)
        if isinstance(self.due, dt.datetime):
            return self.due
        end = dt.datetime.combine(self.due, dt.time.max)
        return timezone.make_aware(end, timezone.get_current_timezone())

    @property
    def overdue(self) -> bool:
        return self.due is not None and self.due_sort < timezone.now()


class TodoProvider(Protocol):
    """What an app registers: whether its to-dos concern a user, and which are theirs now."""

    def applies(self, user: Actor) -> bool: ...

    def items(self, user: Actor) -> list[TodoItem]: ...


_P = TypeVar("_P", bound=type[TodoProvider])
_PROVIDERS: list[TodoProvider] = []
_discovered = False


def register(provider_class: _P) -> _P:
    """Register a provider class (used as a decorator in `<app>/todo.py`)."""
    if not any(type(p) is provider_class for p in _PROVIDERS):
        _PROVIDERS.append(provider_class())
    return provider_class


def providers() -> list[TodoProvider]:
    """Every app's provider (their modules imported once)."""
    global _discovered
    if not _discovered:
        autodiscover_modules("todo")
        _discovered = True
    return list(_PROVIDERS)


@dataclass(frozen=True)
class TodoList:
    """A user's to-dos, soonest due first; `shown` says whether the home page has the list."""

    shown: bool
    items: list[TodoItem]


def todo_for(user: Actor) -> TodoList:
    """What `user` has to do, from every provider that concerns them."""
    concerned = [p for p in providers() if p.applies(user)]
    items = [item for p in concerned for item in p.items(user)]
    items.sort(key=lambda item: item.due_sort)
    return TodoList(shown=bool(concerned), items=items)
