from django.urls import path

from guodong.divisions import views

urlpatterns = [
    path("", views.DivisionListView.as_view(), name="division_list"),
    path("choose/", views.DivisionChooseView.as_view(), name="division_choose"),
    path("<int:pk>/", views.DivisionDetailView.as_view(), name="division_detail"),
    path("<int:pk>/edit/", views.DivisionEditView.as_view(), name="division_edit"),
    path("<int:pk>/history/", views.DivisionHistoryView.as_view(), name="division_history"),
    path("<int:parent_pk>/grids/add/", views.GridCreateView.as_view(), name="grid_add"),
]
