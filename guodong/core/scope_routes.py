"""Routes of core and of the project's shell, for the scope check (guodong.core.testing.routes)."""

from __future__ import annotations

from guodong.core.models import Event
from guodong.core.testing.routes import DETAIL, EXPORT, LIST, exempt, register

register("event_list", LIST, Event)
register("event_list", EXPORT, Event, query="export=csv", marker="hash")
register("event_detail", DETAIL, Event)
register("event-list", LIST, Event)
register("event-detail", DETAIL, Event)

exempt("set_language", "switches the interface language; shows no rows")
exempt("login", "the sign-in form; shows no rows")
exempt("logout", "signs out; shows no rows")
exempt("api_token", "issues the caller's own token; shows no rows")
exempt("api-root", "DRF's index of API links; shows no rows")
exempt("api_schema", "the OpenAPI schema: operations, not rows")
exempt("api_docs", "the offline Swagger page for the schema; shows no rows")
