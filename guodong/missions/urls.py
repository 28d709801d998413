"""Mission pages (under /demands/missions/)."""

from django.urls import path

from guodong.missions import views

urlpatterns = [
    path("", views.MissionListView.as_view(), name="mission_list"),
    path("<int:pk>/", views.MissionDetailView.as_view(), name="mission_detail"),
    path("<int:pk>/notice/", views.MissionNoticeView.as_view(), name="mission_notice"),
    path("<int:pk>/history/", views.MissionHistoryView.as_view(), name="mission_history"),
    path("<int:pk>/status.xml", views.DeploymentXmlView.as_view(), name="mission_status_xml"),
    path("<int:pk>/<slug:step>/", views.MissionActionView.as_view(), name="mission_action"),
]
