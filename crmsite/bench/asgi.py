"""One GET through `crmsite.asgi.application`, as daphne would send it.

The benchmark and the streaming tests both download through the ASGI app to
see what a browser would receive, message by message: `get` calls
`on_start(status, headers)` once and `on_body(bytes)` for each body message.
"""

import asyncio

from crmsite.asgi import application


async def get(path: str, query: str, cookie: bytes, on_start, on_body) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": [(b"host", b"localhost"), (b"cookie", cookie)],
        "client": ("127.0.0.1", 50000),
        "server": ("localhost", 80),
    }
    requested = False

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client never leaves

    async def send(message):
        if message["type"] == "http.response.start":
            on_start(message["status"], message["headers"])
        elif message["type"] == "http.response.body" and message.get("body"):
            on_body(message["body"])

    await application(scope, receive, send)
