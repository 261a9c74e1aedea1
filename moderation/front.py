"""The server's front: an event loop that reads every request whole and writes every answer whole,
so that the app's threads never wait on a client.

A thread of gunicorn's threaded worker reads the request it serves and writes its answer itself:
four clients sending their headers or body, or reading an answer, at one byte a second held every
thread of the two workers, and every other request waited for as long as they stayed. Here
uvicorn's event loop (one per worker process, uvloop, the httptools parser) reads requests and
buffers their bodies; only a request whole in memory goes to the WSGI app, in a thread of a small
pool, and its answer comes back whole for the loop to write at whatever pace the client reads.
A slow or idle connection costs a few kilobytes of the loop's memory, not a thread. Measured
here, the same Flask endpoint served twice as many requests a second this way (HTTP parsing in
C rather than in gunicorn's Python parser).

Bounds, each answered in the API's error shape: a request line past :data:`MAX_REQUEST_LINE`
(414), headers past :data:`MAX_HEADER_BYTES` (431), headers not complete within
:data:`HEADER_TIMEOUT` or a body not within :data:`BODY_TIMEOUT` (408), a body past
:data:`MAX_BODY` (413), a malformed request (400); a connection idle between requests is closed
after the keep-alive timeout, and a worker holds at most :data:`MAX_CONNECTIONS` connections,
answering the next ones 503 until one frees up.

The module imports nothing of the package but its error classes, so that the benchmark can serve
other WSGI apps (the framework's ceiling, Isso) the same way: ``gunicorn -c gunicorn_conf.py``.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import sys
from collections.abc import Awaitable, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from uvicorn.protocols.http import httptools_impl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn_worker import UvicornWorker

from .errors import (
    ApiError,
    BadRequest,
    HeadersTooLarge,
    InternalError,
    PayloadTooLarge,
    RequestTimeout,
    Unavailable,
    UriTooLong,
)

log = logging.getLogger(__name__)

#: The longest request line read: the counts of a hundred article keys of 512 characters, each
#: written as percent-escapes of four bytes, fit (about 620 KB).
MAX_REQUEST_LINE = 1 << 20
MAX_HEADER_BYTES = 64 << 10
_PARSEABLE_URL = 60_000
#: The largest body read: the largest any operation takes (a site's word lists).
MAX_BODY = 17 << 20
#: Seconds a client has to send a request's line and headers, and then its body.
HEADER_TIMEOUT = 10.0
BODY_TIMEOUT = 30.0
#: Connections one worker process holds at once (idle ones included).
MAX_CONNECTIONS = 2000
#: Requests served on one connection before the server asks to close it: workers share one
#: listening socket, and a burst of new connections can land on one of them and stay there while
#: the others idle; closing now and then lets the client reconnect where there is room (measured
#: with gunicorn's threaded worker: 1,100 req/s on one worker against 3,300 spread over two).
KEEPALIVE_REQUESTS = 20

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class Streams(Protocol):
    """What holds event streams open: the app answers a stream's first bytes with ``header``
    (lower case), whose value is handed here and never sent; this sends the rest until the
    client leaves."""

    header: bytes

    async def hold_spec(self, spec: bytes, send: Send, receive: Receive) -> None: ...

    def close(self) -> None: ...


#: Called once when the server begins to shut down: held streams end, so that the shutdown
#: does not wait on readers who would never leave.
_SHUTDOWN_HOOKS: list[Callable[[], None]] = []


def error_bytes(error: ApiError) -> bytes:
    """A whole HTTP answer carrying ``error`` in the API's shape, closing the connection."""
    body = json.dumps(error.to_dict()).encode()
    head = (
        f"HTTP/1.1 {error.status} {_REASONS.get(error.status, 'Error')}\r\n"
        "content-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("latin1") + body


_REASONS = {
    400: "Bad Request",
    408: "Request Timeout",
    413: "Content Too Large",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class BufferedWSGI:
    """An ASGI app that serves a WSGI app: whole requests in, whole answers out."""

    body_timeout = BODY_TIMEOUT

    def __init__(
        self,
        wsgi_app: Callable[..., Iterable[bytes]],
        threads: int = 2,
        streams: Streams | None = None,
    ) -> None:
        self.wsgi_app = wsgi_app
        self.pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="wsgi")
        self._served: dict[tuple[str, int], int] = {}
        self.streams = streams
        if streams is not None:
            _SHUTDOWN_HOOKS.append(streams.close)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets
        try:
            body = await self._read_body(scope, receive)
        except ApiError as error:
            await _send_error(send, error)
            return
        loop = asyncio.get_running_loop()
        try:
            status, headers, chunks = await loop.run_in_executor(
                self.pool, self._call, self._environ(scope, body)
            )
        except Exception:
            log.exception("the app failed outside its own error handling")
            await _send_error(send, InternalError())
            return
        spec = _take_header(headers, self.streams.header) if self.streams else None
        if spec is not None and self.streams is not None and status == 200:
            await self._hold(spec, headers, chunks, send, receive)
            return
        if self._enough_served(scope):
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": chunks})

    async def _hold(
        self,
        spec: bytes,
        headers: list[tuple[bytes, bytes]],
        first: bytes,
        send: Send,
        receive: Receive,
    ) -> None:
        """Send the app's answer as the start of a stream that stays open (no length: chunked),
        the rest written by the streams' holder. Without a holder (another server) the same
        answer is a whole one, and the browser reconnects to hear more."""
        assert self.streams is not None
        headers = [h for h in headers if h[0] != b"content-length"]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": first, "more_body": True})
        try:
            await self.streams.hold_spec(spec, send, receive)
        finally:
            await send({"type": "http.response.body", "body": b""})

    def _enough_served(self, scope: Scope) -> bool:
        """Whether this connection has had its share of requests (see KEEPALIVE_REQUESTS)."""
        client = scope.get("client")
        if not client:
            return False
        key = (client[0], client[1])
        served = self._served.get(key, 0) + 1
        if served >= KEEPALIVE_REQUESTS:
            self._served.pop(key, None)
            return True
        if len(self._served) > 4 * MAX_CONNECTIONS:
            self._served.clear()  # connections that went away without their last request
        self._served[key] = served
        return False

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes:
        length = _content_length(scope)
        if length is not None and length > MAX_BODY:
            raise PayloadTooLarge()
        parts: list[bytes] = []
        size = 0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.body_timeout
        while True:
            try:
                message = await asyncio.wait_for(receive(), timeout=deadline - loop.time())
            except TimeoutError:
                raise RequestTimeout() from None
            if message["type"] == "http.disconnect":
                raise BadRequest("The client went away before sending its whole request.")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                raise PayloadTooLarge()
            if chunk:
                parts.append(chunk)
            if not message.get("more_body", False):
                return b"".join(parts)

    def _call(self, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        """Run the WSGI app on a whole request, in a pool thread; its whole answer."""
        started: list[Any] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None):  # type: ignore[no-untyped-def]
            started[:] = [status, headers]
            return _no_write

        result = self.wsgi_app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, headers = started
        encoded = [(k.lower().encode("latin1"), v.encode("latin1")) for k, v in headers]
        return int(status.split(" ", 1)[0]), encoded, body

    @staticmethod
    def _environ(scope: Scope, body: bytes) -> dict[str, Any]:
        """The WSGI environ of a whole request (PEP 3333), its body in memory."""
        server = scope.get("server") or ("localhost", 80)
        client = scope.get("client") or ("", 0)
        environ: dict[str, Any] = {
            "REQUEST_METHOD": scope["method"],
            "SCRIPT_NAME": scope.get("root_path", "").encode("utf8").decode("latin1"),
            "PATH_INFO": scope["path"].encode("utf8").decode("latin1"),
            "QUERY_STRING": scope["query_string"].decode("latin1"),
            "SERVER_NAME": server[0],
            "SERVER_PORT": str(server[1]),
            "SERVER_PROTOCOL": f"HTTP/{scope['http_version']}",
            "REMOTE_ADDR": client[0],
            "REMOTE_PORT": str(client[1]),
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": scope.get("scheme", "http"),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            # The body is whole in memory: the app may read it to its end.
            "wsgi.input_terminated": True,
            "CONTENT_LENGTH": str(len(body)),
        }
        for name, value in scope["headers"]:
            key = name.decode("latin1").upper().replace("-", "_")
            text = value.decode("latin1")
            if key == "CONTENT_TYPE":
                environ["CONTENT_TYPE"] = text
            elif key != "CONTENT_LENGTH":  # the length of what was read is set above
                key = "HTTP_" + key
                environ[key] = f"{environ[key]},{text}" if key in environ else text
        return environ

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.pool.shutdown(wait=True)
                await send({"type": "lifespan.shutdown.complete"})
                return


def _take_header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for index, (key, value) in enumerate(headers):
        if key == name:
            del headers[index]
            return value
    return None


def _no_write(data: bytes) -> None:
    raise RuntimeError("write() is not supported: return the body from the app")


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _send_error(send: Send, error: ApiError) -> None:
    body = json.dumps(error.to_dict()).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *((k.lower().encode("latin1"), v.encode("latin1")) for k, v in error.headers.items()),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _too_many_connections(scope: Scope, receive: Receive, send: Send) -> None:
    """What uvicorn answers past its connection limit, in the API's shape."""
    error = Unavailable("The server is at its limit of connections; try again in a moment.")
    error.headers["Retry-After"] = "1"
    await _send_error(send, error)


class BoundedProtocol(HttpToolsProtocol):  # type: ignore[misc]
    """uvicorn's HTTP protocol, with bounds on what it buffers and how long it waits for a
    request's headers, and its own answers in the API's error shape."""

    header_timeout = HEADER_TIMEOUT
    _header_bytes = 0
    _header_timer: asyncio.TimerHandle | None = None
    _refused = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_header_timer()  # a connection that sends nothing is not kept either

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm_header_timer()
        super().connection_lost(exc)

    def shutdown(self) -> None:
        while _SHUTDOWN_HOOKS:
            _SHUTDOWN_HOOKS.pop()()
        super().shutdown()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        super().data_received(data)

    def send_400_response(self, msg: str) -> None:
        self._refuse(BadRequest())

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0
        self._arm_header_timer()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_REQUEST_LINE:
            self._refuse(UriTooLong())

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > MAX_HEADER_BYTES:
            self._refuse(HeadersTooLarge())
            return
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._disarm_header_timer()
        if self._refused:
            return
        path, _, query = self.url.partition(b"?")
        if len(self.url) <= _PARSEABLE_URL or len(path) > _PARSEABLE_URL:
            super().on_headers_complete()
            return
        # httptools' URL parser keeps offsets in 16 bits and refuses any address past 64 KB: a
        # long query is taken off for it and put back. The request's task, created by the call,
        # runs only once this callback returns, and reads the scope as it is then.
        self.url = path
        super().on_headers_complete()
        self.scope["query_string"] = query.partition(b"#")[0]

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if not self._refused:
            super().on_message_complete()

    def _refuse(self, error: ApiError) -> None:
        """Answer ``error`` and close: what was sent so far is not a request the app sees."""
        if self._refused:
            return
        self._refused = True
        self._disarm_header_timer()
        if not self.transport.is_closing():
            self.transport.write(error_bytes(error))
            self.transport.close()

    def _arm_header_timer(self) -> None:
        self._disarm_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _disarm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        # Armed from a connection's start or a request's first byte until its headers are in:
        # nothing at all, or headers still trickling in, never become a request.
        self._header_timer = None
        self._refuse(RequestTimeout())


class FrontWorker(UvicornWorker):  # type: ignore[misc]
    """gunicorn's worker for the front: uvicorn's loop in front of any WSGI app (the service's
    settings apply when it is the service)."""

    CONFIG_KWARGS = {
        "loop": "uvloop",
        "http": BoundedProtocol,
        "lifespan": "on",
        "limit_concurrency": MAX_CONNECTIONS,
    }

    def init_process(self) -> None:
        # Past its connection limit uvicorn answers with this function, found in its module.
        httptools_impl.service_unavailable = _too_many_connections  # type: ignore[assignment]
        super().init_process()

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self._apply_settings()
        wsgi_app: Any = self.wsgi  # type: ignore[has-type]
        extensions = getattr(wsgi_app, "extensions", None)
        streams = extensions.get("live_hub") if isinstance(extensions, dict) else None
        self.wsgi = BufferedWSGI(wsgi_app, threads=max(1, self.cfg.threads), streams=streams)

    def _apply_settings(self) -> None:
        """The service's own bounds, when the app is the service (a Flask app with settings)."""
        config = getattr(self.wsgi, "config", None)  # type: ignore[has-type]
        settings = config.get("SETTINGS") if isinstance(config, dict) else None
        if settings is None:
            return
        BoundedProtocol.header_timeout = float(settings.header_timeout_seconds)
        BufferedWSGI.body_timeout = float(settings.body_timeout_seconds)
        self.config.limit_concurrency = settings.max_connections
