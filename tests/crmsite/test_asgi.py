"""The ASGI application: HTTP through Django, websockets through Channels.

Under the services suite (REDIS_URL set) the channel layer is Redis.
"""

import pytest
from channels.layers import get_channel_layer
from channels.testing import HttpCommunicator, WebsocketCommunicator

from crmsite.asgi import application


@pytest.mark.django_db(transaction=True)
async def test_http_goes_through_django():
    communicator = HttpCommunicator(
        application, "GET", "/healthz", headers=[(b"host", b"localhost")]
    )
    response = await communicator.get_response()
    assert response["status"] == 200
    assert b'"database": "ok"' in response["body"]


@pytest.mark.django_db(transaction=True)
async def test_a_websocket_from_a_foreign_origin_is_refused():
    communicator = WebsocketCommunicator(
        application,
        "/ws/anything/",
        headers=[(b"origin", b"https://evil.example"), (b"host", b"localhost")],
    )
    connected, _ = await communicator.connect()
    assert not connected
    await communicator.disconnect()


async def test_the_channel_layer_carries_a_message_between_consumers():
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("ticket-42", channel)
    await layer.group_send("ticket-42", {"type": "chat.message", "text": "Bonjour"})
    message = await layer.receive(channel)
    assert message == {"type": "chat.message", "text": "Bonjour"}
    await layer.group_discard("ticket-42", channel)


def test_settings_pick_redis_only_when_configured(settings):
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    if settings.REDIS_URL:
        assert backend == "channels_redis.core.RedisChannelLayer"
    else:
        assert backend == "channels.layers.InMemoryChannelLayer"
