"""Survey campaign pages: open a campaign, follow who has submitted and what changed."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.forms import BaseForm
from django.utils.translation import gettext_lazy as _

from guodong.core.actors import Actor, AuthenticatedHttpRequest
from guodong.core.tables import Column
from guodong.core.views import ObjectDetailView, ObjectEditView, ObjectListView
from guodong.divisions.choices import DivisionLevel
from guodong.divisions.choosers import choose_division
from guodong.orgs.models import Organization
from guodong.registry.choices import CatalogueLevel
from guodong.registry.models import ResourceType, SurveyCampaign
from guodong.registry.services import open_campaign
from guodong.registry.surveys import assignment_rows, changes_since_last


class CampaignForm(forms.ModelForm[SurveyCampaign]):
    categories = forms.ModelMultipleChoiceField(
        label=_("categories"), queryset=ResourceType.objects.filter(level=CatalogueLevel.CATEGORY)
    )
    assignees = forms.ModelMultipleChoiceField(
        label=_("assignees"), queryset=Organization.objects.none()
    )

    class Meta:
        model = SurveyCampaign
        fields = ["name", "year", "division", "deadline"]
        widgets = {"deadline": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignees = cast("forms.ModelMultipleChoiceField[Organization]", self.fields["assignees"])
        choose_division(self, "division", user, max_level=DivisionLevel.TOWNSHIP)
        assignees.queryset = Organization.objects.visible_to(user).filter(
            is_active=True, kind__in=["member_unit", "station"]
        )


class CampaignListView(ObjectListView):
    model = SurveyCampaign
    filterset_fields: ClassVar[list[str]] = ["year", "status"]
    add_url_name = "campaign_add"
    columns: ClassVar[list[Column]] = [
        Column("name", _("name"), link=True),
        Column("year", _("year")),
        Column("division.name", _("area")),
        Column("deadline", _("deadline")),
        Column("status", _("status")),
    ]


class CampaignEditView(ObjectEditView):
    request: AuthenticatedHttpRequest

    model = SurveyCampaign
    form_class = CampaignForm

    def save(self, form: BaseForm) -> SurveyCampaign:
        fields = dict(form.cleaned_data)
        categories, assignees = list(fields.pop("categories")), list(fields.pop("assignees"))
        return open_campaign(self.request.user, fields, categories=categories, assignees=assignees)


class CampaignDetailView(ObjectDetailView):
    request: AuthenticatedHttpRequest

    model = SurveyCampaign
    template_name = "registry/campaign_detail.html"
    fields: ClassVar[list[Column]] = [
        Column("year", _("year")),
        Column("division.name", _("area")),
        Column("deadline", _("deadline")),
        Column("status", _("status")),
    ]

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        campaign, user = context["object"], self.request.user
        rows = assignment_rows(campaign)
        context.update(
            assignments=rows,
            submitted=sum(1 for a, _late in rows if a.status == "submitted"),
            late=sum(1 for _a, late in rows if late),
            changes=changes_since_last(campaign),
            own_assignment_ids={
                a.pk for a, _late in rows if a.organization_id == user.organization_id
            },
            may_upload_any=user.has_role_perm("registry.change"),
        )
        return context
