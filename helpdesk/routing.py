"""Websocket routes of the helpdesk (gathered by `crmsite.routing`)."""

from django.urls import path

from .consumers import TicketConsumer

websocket_urlpatterns = [
    path("ws/helpdesk/tickets/<int:ticket_id>/", TicketConsumer.as_asgi()),
]
