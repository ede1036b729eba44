"""Websocket connections to a ticket through the project's whole ASGI stack
(origin check, session authentication, routing), as a browser makes them."""

import json

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from crmsite.asgi import application

TIMEOUT = 3


@database_sync_to_async
def session_cookie(user) -> str:
    browser = Client()
    browser.force_login(user)
    return f"sessionid={browser.cookies['sessionid'].value}"


async def connect(user, ticket, origin: bytes = b"http://localhost", ticket_id=None):
    """(communicator, accepted, close code or subprotocol)."""
    headers = [(b"host", b"localhost")]
    if origin is not None:
        headers.append((b"origin", origin))
    if user is not None:
        headers.append((b"cookie", (await session_cookie(user)).encode()))
    pk = ticket.pk if ticket is not None else ticket_id
    communicator = WebsocketCommunicator(
        application, f"/ws/helpdesk/tickets/{pk}/", headers=headers
    )
    accepted, detail = await communicator.connect(timeout=TIMEOUT)
    return communicator, accepted, detail


async def joined(user, ticket, after: int = 0):
    """A connection that said hello and has caught up; returns it and the replayed frames."""
    communicator, accepted, detail = await connect(user, ticket)
    assert accepted, detail
    await communicator.send_json_to({"type": "hello", "after": after})
    return communicator, await until_synced(communicator)


async def until_synced(communicator) -> list[dict]:
    frames = []
    while True:
        frame = await communicator.receive_json_from(timeout=TIMEOUT)
        if frame["type"] == "synced":
            return frames
        frames.append(frame)


async def receive(communicator) -> dict:
    return await communicator.receive_json_from(timeout=TIMEOUT)


async def closed_with(communicator) -> int | None:
    """The close code the server sent next (skipping nothing: the next output must be it)."""
    output = await communicator.receive_output(timeout=TIMEOUT)
    assert output["type"] == "websocket.close", output
    return output.get("code")


async def send_raw(communicator, text: str) -> None:
    await communicator.send_to(text_data=text)


def dumps(value) -> str:
    return json.dumps(value)
