"""Routes of the missions app, for the scope check (guodong.core.testing.routes)."""

from __future__ import annotations

from guodong.core.testing.routes import ACTION, DETAIL, EXPORT, LIST, register
from guodong.missions.models import Mission

register("mission_list", LIST, Mission)
register("mission_list", EXPORT, Mission, query="export=csv", marker="code")
register("mission_detail", DETAIL, Mission)
register("mission_notice", DETAIL, Mission)
register("mission_history", DETAIL, Mission)
register("mission_status_xml", DETAIL, Mission, inside_ok=(200, 302))
register("mission_action", ACTION, Mission, kwargs=lambda m: {"pk": m.pk, "step": "acknowledge"})
register("mission-list", LIST, Mission)
register("mission-detail", DETAIL, Mission)
register("mission-edxl-status", DETAIL, Mission, inside_ok=(200, 400))
for _step in ("acknowledge", "cancel", "decline", "handover", "progress", "return-resources"):
    register(f"mission-{_step}", ACTION, Mission)
