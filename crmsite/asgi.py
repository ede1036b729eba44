"""ASGI entry point: HTTP to Django, websockets through Channels.

Serve with `daphne crmsite.asgi:application`.
"""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crmsite.settings.production")

# Django must be set up before anything imports models.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from .routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns()))
        ),
    }
)

# The cycle collector, tuned for a server that must answer within
# milliseconds (`bench helpdesk`, docs/performance.md). What is loaded by now
# (Django, Wagtail, URLs, translations) lives as long as the process: frozen,
# it is never walked again. The youngest generation is collected after 50,000
# net allocations instead of 700, so the older ones, whose passes paused
# every connection of the process for tens to hundreds of milliseconds, are
# walked a hundred times less often; reference counting still frees nearly
# everything at once, and a cycle waits at most a little longer.
GC_THRESHOLDS = (50_000, 20, 20)
gc.freeze()
gc.set_threshold(*GC_THRESHOLDS)
