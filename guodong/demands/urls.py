"""Demand pages under /demands/. The demand's own page and its steps are in
guodong.matching.urls, the missions' in guodong.missions.urls (included after these)."""

from django.urls import path

from guodong.demands import views

urlpatterns = [
    path("", views.DemandListView.as_view(), name="demand_list"),
    path("new/", views.DemandCreateView.as_view(), name="demand_add"),
    path("edxl/", views.EdxlImportView.as_view(), name="demand_edxl"),
    path("<int:pk>/history/", views.DemandHistoryView.as_view(), name="demand_history"),
    path("areas/<int:pk>/centre/", views.DivisionCentreView.as_view(), name="division_centre"),
    path("attachments/<int:pk>/", views.AttachmentView.as_view(), name="demand_attachment"),
    path("floors/", views.ReserveFloorListView.as_view(), name="reservefloor_list"),
    path("floors/new/", views.ReserveFloorEditView.as_view(), name="reservefloor_add"),
    path("floors/<int:pk>/edit/", views.ReserveFloorEditView.as_view(), name="reservefloor_edit"),
]
