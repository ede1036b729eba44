"""Listening to a ticket's group, or a user's, on the real channel layer, from synchronous tests."""

import asyncio

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from helpdesk.realtime import group_name, user_group_name


def _listen(group: str) -> str:
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)
    return channel


def listen(ticket) -> str:
    return _listen(group_name(ticket.pk))


def listen_to_user(user) -> str:
    """A channel in the group every connection of `user` joins."""
    return _listen(user_group_name(user.pk))


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
