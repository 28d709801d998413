from django.urls import path

from guodong.accounts import views

urlpatterns = [
    path("", views.UserListView.as_view(), name="user_list"),
    path("add/", views.UserEditView.as_view(), name="user_add"),
    path("<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("<int:pk>/edit/", views.UserEditView.as_view(), name="user_edit"),
    path("<int:pk>/password/", views.UserPasswordView.as_view(), name="user_password"),
    path("<int:pk>/history/", views.UserHistoryView.as_view(), name="user_history"),
]
