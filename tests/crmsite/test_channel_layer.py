"""The Redis channel layer keeps an idle receiver: a message that comes after
the layer's own 5-second wait still arrives (redis-py's default socket
timeout of 5 s used to cut that read, and closed idle websockets); and it
lets every page of a process leave its groups at once (redis-py's pool of
100 connections used to refuse the rest)."""

import asyncio

import pytest
from channels.layers import get_channel_layer
from django.conf import settings


@pytest.mark.skipif(not settings.REDIS_URL, reason="the in-memory layer has no socket")
async def test_an_idle_receiver_still_gets_a_late_message():
    layer = get_channel_layer()
    channel = await layer.new_channel()

    async def later():
        await asyncio.sleep(6)
        await layer.send(channel, {"type": "late.message", "text": "toujours là"})

    sender = asyncio.create_task(later())
    message = await asyncio.wait_for(layer.receive(channel), timeout=15)
    await sender
    assert message == {"type": "late.message", "text": "toujours là"}


@pytest.mark.skipif(not settings.REDIS_URL, reason="the in-memory layer has no connections")
async def test_every_page_of_a_process_may_leave_its_groups_at_once():
    layer = get_channel_layer()
    channels = [await layer.new_channel() for _page in range(300)]
    await asyncio.gather(*(layer.group_add("helpdesk.test.leaving", c) for c in channels))
    await asyncio.gather(*(layer.group_discard("helpdesk.test.leaving", c) for c in channels))
