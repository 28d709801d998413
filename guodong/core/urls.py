from django.urls import path

from guodong.core import pages

urlpatterns = [
    path("events/", pages.EventListView.as_view(), name="event_list"),
    path("events/<int:pk>/", pages.EventDetailView.as_view(), name="event_detail"),
]
