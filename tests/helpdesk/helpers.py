"""Listening to a ticket's group on the real channel layer, from synchronous tests."""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from helpdesk.realtime import group_name


def listen(ticket) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group_name(ticket.pk), channel)
    return channel


def heard(channel: str, timeout: float = 0.3) -> list[dict]:
    """Every event that reached `channel` until `timeout` seconds of silence."""
    layer = get_channel_layer()

    async def collect():
        found = []
        while True:
            try:
                found.append(await asyncio.wait_for(layer.receive(channel), timeout))
            except TimeoutError:
                return found

    return async_to_sync(collect)()
