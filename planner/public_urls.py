"""The planner's address outside the workspace: each user's private
calendar feed, reached by calendar applications without a session."""

from django.urls import path

from .views.calendar import calendar_feed

urlpatterns = [
    path("calendrier/<str:token>.ics", calendar_feed, name="planner_feed"),
]
