from django.urls import path

from guodong.orgs import views

urlpatterns = [
    path("", views.OrganizationListView.as_view(), name="organization_list"),
    path("add/", views.OrganizationEditView.as_view(), name="organization_add"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="organization_detail"),
    path("<int:pk>/edit/", views.OrganizationEditView.as_view(), name="organization_edit"),
    path("<int:pk>/history/", views.OrganizationHistoryView.as_view(), name="organization_history"),
    path("<int:organization_pk>/duties/add/", views.DutyEditView.as_view(), name="duty_add"),
    path("duties/<int:pk>/edit/", views.DutyEditView.as_view(), name="duty_edit"),
    path("duties/<int:pk>/delete/", views.DutyDeleteView.as_view(), name="duty_delete"),
]
