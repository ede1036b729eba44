"""A stand-in for Brevo's transactional e-mail API, on 127.0.0.1, for the
campaign benchmark: it answers `POST /v3/smtp/email` as Brevo does (201,
`{"messageId": …}` for one message, `{"messageIds": […]}` for a batch of
`messageVersions`) after a fixed delay standing for the network and the
provider (`latency` seconds a call), and counts calls and messages.
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeBrevo:
    def __init__(self, latency: float = 0.05):
        self.latency = latency
        self.calls = 0
        self.messages = 0
        self.recipients: list[str] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802  (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                versions = body.get("messageVersions") or [body]
                addresses = [version["to"][0]["email"] for version in versions]
                time.sleep(outer.latency)
                with outer._lock:
                    outer.calls += 1
                    first = outer.messages
                    outer.messages += len(addresses)
                    outer.recipients += addresses
                ids = [f"<{first + n}@bench.local>" for n in range(1, len(addresses) + 1)]
                answer = {"messageIds": ids} if "messageVersions" in body else {"messageId": ids[0]}
                data = json.dumps(answer).encode()
                self.send_response(201)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v3/"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
