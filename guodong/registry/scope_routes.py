"""Routes of the registry app, for the scope check (guodong.core.testing.routes)."""

from __future__ import annotations

from django.db.models import QuerySet

from guodong.core.actors import Actor
from guodong.core.testing.routes import ACTION, DETAIL, EXPORT, LIST, PAGE, exempt, register
from guodong.registry.models import (
    CivilDefenceWork,
    Holding,
    ImportJob,
    ResourceType,
    Siren,
    Specialist,
    SurveyCampaign,
    VerificationItem,
    VerificationTask,
    Warehouse,
)


def _items_of_visible_tasks(user: Actor) -> QuerySet[VerificationItem]:
    return VerificationItem.objects.filter(task__in=VerificationTask.objects.visible_to(user))


register("potential", PAGE)
register("potential-list", LIST)
register("resourcetype_list", LIST, ResourceType)
register("resourcetype_detail", DETAIL, ResourceType)
register("resourcetype_add", DETAIL, ResourceType, action="add")
register("resourcetype_retire", ACTION, ResourceType)
register("resourcetype-list", LIST, ResourceType)
register("resourcetype-detail", DETAIL, ResourceType)
register("resourcetype-retire", ACTION, ResourceType)
register("resourcetype_synonyms", ACTION, ResourceType)
register("resourcetype-synonyms", ACTION, ResourceType)

register("holding_list", LIST, Holding)
register("holding_list", EXPORT, Holding, query="export=csv")
register("holding_add", PAGE)
register("holding_duplicates", LIST, Holding)
register("holding_confirm_own", PAGE)
register("holding_detail", DETAIL, Holding)
register("holding_edit", DETAIL, Holding, action="change")
register("holding_history", DETAIL, Holding)
register("holding_reveal", ACTION, Holding)
register("holding_merge", ACTION, Holding)
register("holding-list", LIST, Holding)
register("holding-detail", DETAIL, Holding)
register("holding-reveal", ACTION, Holding)
register("holding-confirm-own", PAGE)

register("specialist_list", LIST, Specialist)
register("specialist_list", EXPORT, Specialist, query="export=csv", marker="name")
register("specialist_add", PAGE)
register("specialist_detail", DETAIL, Specialist)
register("specialist_edit", DETAIL, Specialist, action="change")
register("specialist_history", DETAIL, Specialist)
register("specialist_reveal", ACTION, Specialist)
register("specialist-list", LIST, Specialist)
register("specialist-detail", DETAIL, Specialist)
register("specialist-reveal", ACTION, Specialist)

for _model in (CivilDefenceWork, Siren, Warehouse):
    _name = _model._meta.model_name
    register(f"{_name}_list", LIST, _model)
    register(f"{_name}_list", EXPORT, _model, query="export=csv", marker="name")
    register(f"{_name}_add", PAGE)
    register(f"{_name}_detail", DETAIL, _model)
    register(f"{_name}_edit", DETAIL, _model, action="change")
    register(f"{_name}_history", DETAIL, _model)
    register(f"{_name}-list", LIST, _model)
    register(f"{_name}-detail", DETAIL, _model)

register("import_list", LIST, ImportJob)
register("import_upload", PAGE)
register("import_entry", PAGE)
register("import_detail", DETAIL, ImportJob)
register("import_decide", ACTION, ImportJob)
register("importjob-list", LIST, ImportJob)
register("importjob-detail", DETAIL, ImportJob)
register("importjob-commit", ACTION, ImportJob)
register("importjob-discard", ACTION, ImportJob)
exempt("import_template", "the blank survey template: column headings, no rows")

register("campaign_list", LIST, SurveyCampaign)
register("campaign_add", PAGE)
register("campaign_detail", DETAIL, SurveyCampaign)

register("verificationtask_list", LIST, VerificationTask)
register("verificationtask_add", PAGE)
register("verificationtask_detail", DETAIL, VerificationTask)
register("verification_record", ACTION, VerificationItem, visible=_items_of_visible_tasks)
register("verification_photo", DETAIL, VerificationItem, visible=_items_of_visible_tasks,
         candidates=lambda: VerificationItem.objects.exclude(photo=""))  # fmt: skip
