from django.urls import path

from guodong.registry.models import CivilDefenceWork, Siren, Warehouse
from guodong.registry.views import (
    catalogue,
    holdings,
    imports,
    people,
    potential,
    surveys,
    verification,
)
from guodong.registry.views.facilities import FACILITY_VIEWS

urlpatterns = [
    path("potential/", potential.PotentialView.as_view(), name="potential"),
    path("catalogue/", catalogue.ResourceTypeListView.as_view(), name="resourcetype_list"),
    path("catalogue/<int:pk>/add-type/", catalogue.AddTypeView.as_view(), name="resourcetype_add"),
    path(
        "catalogue/<int:pk>/retire/", catalogue.RetireTypeView.as_view(), name="resourcetype_retire"
    ),
    path(
        "catalogue/<int:pk>/synonyms/",
        catalogue.SynonymsView.as_view(),
        name="resourcetype_synonyms",
    ),
    path(
        "catalogue/<int:pk>/",
        catalogue.ResourceTypeDetailView.as_view(),
        name="resourcetype_detail",
    ),
    path("holdings/", holdings.HoldingListView.as_view(), name="holding_list"),
    path("holdings/add/", holdings.HoldingEditView.as_view(), name="holding_add"),
    path("holdings/duplicates/", holdings.DuplicateListView.as_view(), name="holding_duplicates"),
    path(
        "holdings/confirm-own/",
        holdings.ConfirmOwnHoldingsView.as_view(),
        name="holding_confirm_own",
    ),
    path("holdings/<int:pk>/", holdings.HoldingDetailView.as_view(), name="holding_detail"),
    path("holdings/<int:pk>/edit/", holdings.HoldingEditView.as_view(), name="holding_edit"),
    path(
        "holdings/<int:pk>/history/", holdings.HoldingHistoryView.as_view(), name="holding_history"
    ),
    path("holdings/<int:pk>/reveal/", holdings.RevealView.as_view(), name="holding_reveal"),
    path("holdings/<int:pk>/merge/", holdings.MergeView.as_view(), name="holding_merge"),
    path("specialists/", people.SpecialistListView.as_view(), name="specialist_list"),
    path("specialists/add/", people.SpecialistEditView.as_view(), name="specialist_add"),
    path("specialists/<int:pk>/", people.SpecialistDetailView.as_view(), name="specialist_detail"),
    path("specialists/<int:pk>/edit/", people.SpecialistEditView.as_view(), name="specialist_edit"),
    path(
        "specialists/<int:pk>/history/",
        people.SpecialistHistoryView.as_view(),
        name="specialist_history",
    ),
    path(
        "specialists/<int:pk>/reveal/",
        people.SpecialistRevealView.as_view(),
        name="specialist_reveal",
    ),
    path("imports/", imports.ImportListView.as_view(), name="import_list"),
    path("imports/template.xlsx", imports.TemplateDownloadView.as_view(), name="import_template"),
    path("imports/upload/", imports.UploadView.as_view(), name="import_upload"),
    path("imports/enter/", imports.EntryView.as_view(), name="import_entry"),
    path("imports/<int:pk>/", imports.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/decide/", imports.ImportDecisionView.as_view(), name="import_decide"),
    path("surveys/", surveys.CampaignListView.as_view(), name="campaign_list"),
    path("surveys/add/", surveys.CampaignEditView.as_view(), name="campaign_add"),
    path("surveys/<int:pk>/", surveys.CampaignDetailView.as_view(), name="campaign_detail"),
    path("verification/", verification.TaskListView.as_view(), name="verificationtask_list"),
    path("verification/add/", verification.TaskCreateView.as_view(), name="verificationtask_add"),
    path(
        "verification/<int:pk>/",
        verification.TaskDetailView.as_view(),
        name="verificationtask_detail",
    ),
    path(
        "verification/items/<int:pk>/",
        verification.RecordResultView.as_view(),
        name="verification_record",
    ),
    path(
        "verification/items/<int:pk>/photo/",
        verification.PhotoView.as_view(),
        name="verification_photo",
    ),
]

for model, prefix in ((CivilDefenceWork, "works"), (Siren, "sirens"), (Warehouse, "warehouses")):
    name, views = model._meta.model_name, FACILITY_VIEWS[model]
    urlpatterns += [
        path(f"{prefix}/", views["list"].as_view(), name=f"{name}_list"),
        path(f"{prefix}/add/", views["edit"].as_view(), name=f"{name}_add"),
        path(f"{prefix}/<int:pk>/", views["detail"].as_view(), name=f"{name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", views["edit"].as_view(), name=f"{name}_edit"),
        path(f"{prefix}/<int:pk>/history/", views["history"].as_view(), name=f"{name}_history"),
    ]
