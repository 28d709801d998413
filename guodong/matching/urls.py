"""The demand's page and its steps (paths under /demands/, beside guodong.demands.urls)."""

from django.urls import path

from guodong.matching import views

urlpatterns = [
    path("<int:pk>/", views.DemandDetailView.as_view(), name="demand_detail"),
    path("<int:pk>/commit.xml", views.CommitXmlView.as_view(), name="demand_commit_xml"),
    path("<int:pk>/<slug:action>/", views.DemandActionView.as_view(), name="demand_action"),
]
