"""Jurisdiction subtrees as index-backed range predicates on a materialized path.

A division's path is the ids of its ancestors and itself, each followed by "/", e.g. "/12/340/".
Every descendant's path starts with it. `startswith` would be a LIKE, which SQLite cannot serve
from an ordinary index, so the subtree is expressed as the half-open range [path, path + "0"):
"/" sorts just below "0", so the range holds exactly the strings that begin with the path.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

SEPARATOR = "/"


def child_path(parent_path: str, node_id: int) -> str:
    return f"{parent_path or SEPARATOR}{node_id}{SEPARATOR}"


def subtree_upper_bound(path: str) -> str:
    if not path.endswith(SEPARATOR):
        raise ValueError(f"a subtree path ends with {SEPARATOR!r}: {path!r}")
    return path[:-1] + chr(ord(SEPARATOR) + 1)


def within(field: str, path: str) -> Q:
    """Rows whose `field` path lies in the subtree rooted at `path` (inclusive)."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": subtree_upper_bound(path)})


def is_within(candidate: str, path: str) -> bool:
    return candidate.startswith(path)


class PathField(models.CharField[str, str]):
    """A materialized path. On PostgreSQL it compares bytewise (collation "C"): the subtree range
    relies on "/" sorting just below "0", which a linguistic collation (zh_CN, en_US) does not
    promise, and bytewise comparison is also the fastest. SQLite compares bytewise already."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters
