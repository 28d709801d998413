from django.urls import path

from guodong.demands import views

urlpatterns = [
    path("", views.DemandListView.as_view(), name="demand_list"),
    path("new/", views.DemandCreateView.as_view(), name="demand_add"),
    path("edxl/", views.EdxlImportView.as_view(), name="demand_edxl"),
    path("<int:pk>/", views.DemandDetailView.as_view(), name="demand_detail"),
    path("<int:pk>/history/", views.DemandHistoryView.as_view(), name="demand_history"),
    path("<int:pk>/commit.xml", views.CommitXmlView.as_view(), name="demand_commit_xml"),
    path("<int:pk>/<slug:action>/", views.DemandActionView.as_view(), name="demand_action"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="demand_attachment"),
    path("floors/", views.ReserveFloorListView.as_view(), name="reservefloor_list"),
    path("floors/new/", views.ReserveFloorEditView.as_view(), name="reservefloor_add"),
    path("floors/<int:pk>/edit/", views.ReserveFloorEditView.as_view(), name="reservefloor_edit"),
    path("missions/", views.MissionListView.as_view(), name="mission_list"),
    path("missions/<int:pk>/", views.MissionDetailView.as_view(), name="mission_detail"),
    path("missions/<int:pk>/notice/", views.MissionNoticeView.as_view(), name="mission_notice"),
    path("missions/<int:pk>/history/", views.MissionHistoryView.as_view(), name="mission_history"),
    path(
        "missions/<int:pk>/status.xml", views.DeploymentXmlView.as_view(), name="mission_status_xml"
    ),
    path(
        "missions/<int:pk>/<slug:step>/", views.MissionActionView.as_view(), name="mission_action"
    ),
]
