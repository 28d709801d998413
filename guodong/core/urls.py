from django.urls import path

from guodong.core import pages

urlpatterns = [
    path("", pages.HomeView.as_view(), name="home"),
    path("events/", pages.EventListView.as_view(), name="event_list"),
    path("events/<int:pk>/", pages.EventDetailView.as_view(), name="event_detail"),
]
