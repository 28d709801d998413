from django.urls import path

from guodong.maps import api, views

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("dashboard/<slug:key>.xlsx", views.DashboardExportView.as_view(), name="dashboard_export"),
    path("map/", views.MapView.as_view(), name="map"),
    path("api/v1/map/boundaries/", api.BoundariesView.as_view(), name="map_boundaries"),
    path("api/v1/map/holdings/", api.HoldingsLayerView.as_view(), name="map_holdings"),
    path("api/v1/map/facilities/", api.FacilitiesLayerView.as_view(), name="map_facilities"),
    path("api/v1/map/specialists/", api.SpecialistsLayerView.as_view(), name="map_specialists"),
    path("api/v1/map/inside/", api.InsideView.as_view(), name="map_inside"),
]
