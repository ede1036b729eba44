"""A minimal asyncio websocket client (RFC 6455) for the benchmarks.

Neither `websockets` nor `aiohttp` is a dependency of the project, and a load
of hundreds of connections needs little: the opening handshake with chosen
headers (a session cookie, an Origin), text frames out (masked, as a client
must), frames in (text, ping answered with pong, close). `abort()` drops
the connection without a close handshake, as a lost network would.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import os
import struct

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0


class HandshakeError(Exception):
    """The server answered the upgrade with something else than 101."""

    def __init__(self, status: int, detail: str = ""):
        super().__init__(f"websocket handshake refused: {status} {detail}".strip())
        self.status = status


class Closed(Exception):
    """The connection ended; `code` is the close code the server sent, if any."""

    def __init__(self, code: int | None = None):
        super().__init__(f"websocket closed ({code})")
        self.code = code


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        self.reader = reader
        self.writer = writer
        self.closed = False
        self.dropped = False  # aborted on this side

    def send_text(self, text: str) -> None:
        """Queue one masked text frame (the transport buffers; no await needed)."""
        if self.closed:
            raise Closed()
        payload = text.encode()
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | TEXT, 0x80 | length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | TEXT, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | TEXT, 0x80 | 127, length)
        mask = os.urandom(4)
        masked = (
            int.from_bytes(payload, "big")
            ^ int.from_bytes((mask * (length // 4 + 1))[:length], "big")
        ).to_bytes(length, "big")
        self.writer.write(header + mask + masked)

    def _control(self, opcode: int, payload: bytes = b"") -> None:
        mask = os.urandom(4)
        masked = bytes(byte ^ mask[index % 4] for index, byte in enumerate(payload))
        self.writer.write(struct.pack("!BB", 0x80 | opcode, 0x80 | len(payload)) + mask + masked)

    async def receive_text(self) -> str:
        """The next text message; answers pings on the way; raises Closed at the end."""
        parts: list[bytes] = []
        try:
            while True:
                first, second = await self.reader.readexactly(2)
                opcode, final = first & 0x0F, first & 0x80
                length = second & 0x7F
                if length == 126:
                    (length,) = struct.unpack("!H", await self.reader.readexactly(2))
                elif length == 127:
                    (length,) = struct.unpack("!Q", await self.reader.readexactly(8))
                payload = await self.reader.readexactly(length) if length else b""
                if opcode == PING:
                    self._control(PONG, payload)
                elif opcode == CLOSE:
                    code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None
                    self.closed = True
                    self.writer.transport.abort()
                    raise Closed(code)
                elif opcode in (TEXT, BINARY, CONTINUATION):
                    parts.append(payload)
                    if final:
                        return b"".join(parts).decode()
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as error:
            self.closed = True
            raise Closed() from error

    def abort(self) -> None:
        """Drop the connection at once, without a close frame."""
        self.closed = True
        self.dropped = True
        self.writer.transport.abort()


async def connect(host: str, port: int, path: str, headers: dict[str, str]) -> Connection:
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 20)
    key = base64.b64encode(os.urandom(16)).decode()
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode())
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError) as error:
        writer.transport.abort()
        raise HandshakeError(0, "connection closed") from error
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    parts = status_line.split(" ", 2)
    status = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    if status != 101:
        writer.transport.abort()
        raise HandshakeError(status, parts[2] if len(parts) > 2 else "")
    expected = base64.b64encode(hashlib.sha1(key.encode() + GUID).digest()).decode()  # noqa: S324
    answered = {
        name.strip().lower(): value.strip()
        for name, _sep, value in (line.partition(":") for line in header_lines if line)
    }
    if answered.get("sec-websocket-accept") != expected:
        writer.transport.abort()
        raise HandshakeError(status, "bad Sec-WebSocket-Accept")
    return Connection(reader, writer)
