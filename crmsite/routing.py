"""Websocket routes of every app, gathered for the ASGI application.

Apps expose `websocket_urlpatterns` in their own `routing` module: the
helpdesk's ticket chat (`ws/helpdesk/tickets/<id>/`) is the first.
"""

from importlib import import_module

APPS_WITH_WEBSOCKETS: list[str] = ["helpdesk"]


def websocket_urlpatterns():
    patterns = []
    for app in APPS_WITH_WEBSOCKETS:
        patterns += import_module(f"{app}.routing").websocket_urlpatterns
    return patterns
