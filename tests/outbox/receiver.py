"""A real webhook receiver on loopback that verifies every delivery with the
``standardwebhooks`` library, as a publisher's system would, and can misbehave on request:
answer errors, answer late, redirect, or hang."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Received:
    message_id: str
    type: str
    data: dict[str, Any]
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """``secret``: the endpoint's, to verify with (None: take anything, as Slack does).
    ``answers``: statuses to answer in turn before 200s; ``delay``: seconds before answering;
    ``redirect``: a Location to answer 302 with."""

    secret: str | None = None
    answers: list[int] = field(default_factory=list)
    delay: float = 0.0
    redirect: str | None = None
    hang: threading.Event | None = None
    #: HTTP/1.1 with keep-alive (and idle connections closed after ``idle`` seconds).
    keep_alive: bool = False
    idle: float | None = None
    connections: int = 0
    closed: int = 0
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    bodies: list[dict[str, Any]] = field(default_factory=list)
    tries: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1" if receiver.keep_alive else "HTTP/1.0"
            timeout = receiver.idle

            def setup(self) -> None:
                super().setup()
                with receiver._lock:
                    receiver.connections += 1

            def finish(self) -> None:
                super().finish()
                with receiver._lock:
                    receiver.closed += 1

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                with receiver._lock:
                    receiver.tries += 1
                    status = receiver.answers.pop(0) if receiver.answers else 200
                if receiver.hang is not None:
                    receiver.hang.wait(30)
                if receiver.delay:
                    time.sleep(receiver.delay)
                if receiver.redirect:
                    self.send_response(302)
                    self.send_header("Location", receiver.redirect)
                    self.end_headers()
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                if receiver.secret is not None:
                    try:
                        payload = Webhook(receiver.secret).verify(body, headers)
                    except WebhookVerificationError as exc:
                        receiver.refused.append(str(exc))
                        status = 401
                    else:
                        if status == 200:
                            receiver.received.append(
                                Received(
                                    headers["webhook-id"],
                                    payload["type"],
                                    payload["data"],
                                    headers,
                                    body,
                                )
                            )
                else:
                    receiver.bodies.append(json.loads(body))
                answer = b"ok" if status == 200 else b"<b>nope</b>"
                self.send_response(status)
                self.send_header("content-type", "text/plain")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.hang is not None:
            self.hang.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def in_order(self) -> list[Received]:
        """What arrived, in the order the events happened: a worker sends a batch side by side,
        so arrival order is not theirs (receivers must not rely on it either)."""
        return sorted(self.received, key=lambda r: json.loads(r.body)["timestamp"])

    def types(self) -> list[str]:
        return [r.type for r in self.in_order()]
