"""Routes of the divisions app, for the scope check (guodong.core.testing.routes)."""

from __future__ import annotations

from guodong.core.testing.routes import DETAIL, EXPORT, LIST, register
from guodong.divisions.models import Division

register("division_list", LIST, Division)
register("division_list", EXPORT, Division, query="export=csv", marker="code")
register("division_detail", DETAIL, Division)
# The chooser's search: its results are divisions, judged like a list's rows.
register("division_choose", LIST, Division)
register("division_choose", LIST, Division, query="q=%E5%A4%A7&max_level=4")
register("division_edit", DETAIL, Division, action="change")
register("division_history", DETAIL, Division)
register("grid_add", DETAIL, Division, lookup="parent_pk", action="change")
register("division-list", LIST, Division)
register("division-detail", DETAIL, Division)
