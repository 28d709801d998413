"""Routes of the orgs app, for the scope check (guodong.core.testing.routes)."""

from __future__ import annotations

from guodong.core.testing.routes import ACTION, DETAIL, EXPORT, LIST, PAGE, register
from guodong.orgs.models import DutyItem, Organization

register("organization_list", LIST, Organization)
register("organization_list", EXPORT, Organization, query="export=csv")
register("organization_add", PAGE)
register("organization_detail", DETAIL, Organization)
register("organization_edit", DETAIL, Organization, action="change")
register("organization_history", DETAIL, Organization)
register("duty_add", DETAIL, Organization, lookup="organization_pk", action="change")
register("duty_edit", DETAIL, DutyItem, action="change")
register("duty_delete", ACTION, DutyItem)
register("organization-list", LIST, Organization)
register("organization-detail", DETAIL, Organization)
register("dutyitem-list", LIST, DutyItem)
register("dutyitem-detail", DETAIL, DutyItem)
