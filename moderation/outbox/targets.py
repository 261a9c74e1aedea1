"""Where a delivery may go, and the one HTTP request it makes there.

A site admin names a webhook's URL, so the service must not become their way into the
newsroom's own network: the name is resolved once, every address it gives must be a public one
(not loopback, private, link-local, shared or reserved; ``webhook_allow_private`` lifts this),
and the connection goes to the address that was checked, so a second lookup cannot answer
something else (DNS rebinding). Redirects are never followed, and the whole exchange has one
deadline, however slowly a receiver trickles its answer.
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

#: How much of an answer is kept for the dashboard.
KEEP_ANSWER = 500


class RefusedTarget(Exception):
    """A URL a delivery may not reach; the message says why, for the admin."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str


@dataclass(frozen=True)
class Answer:
    status: int
    text: str


def parse(url: str) -> Target:
    """The parts of an http(s) URL, or ``RefusedTarget`` saying what is wrong with it."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RefusedTarget("That is not a valid URL.") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedTarget("The URL must start with https:// or http:// and name a host.")
    if parts.username or parts.password:
        raise RefusedTarget("The URL must not carry a user name or password.")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    default = 443 if parts.scheme == "https" else 80
    return Target(parts.scheme, parts.hostname, port or default, path)


def is_public(address: str) -> bool:
    """Whether an address is on the public internet (an IPv4 address inside IPv6 judged as
    itself)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(target: Target, allow_private: bool) -> str:
    """The address to connect to; refused if the name gives any address that is not public
    (one public and one private answer is a rebinding attempt, not a public host)."""
    try:
        infos = socket.getaddrinfo(target.host, target.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise RefusedTarget(f"The host {target.host} cannot be found.") from None
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise RefusedTarget(f"The host {target.host} cannot be found.")
    if not allow_private:
        for address in addresses:
            if not is_public(address):
                raise RefusedTarget(
                    f"{target.host} is a private, loopback or link-local address ({address});"
                    " deliveries go to public addresses only (see webhook_allow_private)."
                )
    return addresses[0]


def check(url: str, allow_private: bool) -> Target:
    """A URL fit to be an endpoint now: well formed and resolving to public addresses."""
    target = parse(url)
    resolve(target, allow_private)
    return target


def post(
    url: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    timeout: float,
    allow_private: bool,
) -> Answer:
    """POST ``body`` to ``url`` within ``timeout`` seconds in all. Raises ``RefusedTarget``
    for a forbidden address and ``OSError`` (``TimeoutError`` included) for a failed exchange;
    any answer, a redirect or an error status included, is returned, never followed.

    The connection is kept for the next delivery to the same address from this thread (a
    receiver of every event of a busy site is sent hundreds a minute; a TLS handshake each
    would cost more than the rest). A kept connection the receiver has closed meanwhile is
    replaced once, before anything of the answer was read."""
    target = parse(url)
    address = resolve(target, allow_private)
    key = (target.scheme, target.host, target.port, address)
    kept = _kept.take(key)
    if kept is not None:
        try:
            return _exchange(kept, key, target.path, body, headers, timeout)
        except _Stale:
            pass
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPS(target.host, address, target.port, timeout)
    else:
        connection = _PinnedHTTP(target.host, address, target.port, timeout)
    try:
        return _exchange(connection, key, target.path, body, headers, timeout)
    except _Stale as exc:
        raise ConnectionResetError(str(exc)) from None


class _Stale(OSError):
    """A connection closed before the request got any answer."""


def _exchange(
    connection: http.client.HTTPConnection,
    key: tuple[str, str, int, str],
    path: str,
    body: bytes,
    headers: Mapping[str, str],
    timeout: float,
) -> Answer:
    # One deadline for the whole exchange: a receiver answering a byte a second would otherwise
    # hold the worker for as long as it likes, each read within the socket's timeout.
    watch = _watchdog.watch(connection, time.monotonic() + timeout)
    keep = False
    try:
        try:
            connection.request("POST", path, body=body, headers=dict(headers))
            response = connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
            if watch.fired:
                raise
            raise _Stale(str(exc)) from None
        text = response.read(KEEP_ANSWER).decode("utf-8", "replace")
        # Kept only when the answer was read to its end and the receiver keeps it open.
        response.read(KEEP_REST)
        keep = not response.will_close and response.isclosed()
        return Answer(response.status, text)
    except _Stale:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if watch.fired or isinstance(exc, TimeoutError):
            raise TimeoutError(f"no answer within {timeout:g} s") from None
        if isinstance(exc, OSError):
            raise
        raise OSError(f"not an HTTP answer: {exc}") from None
    finally:
        _watchdog.unwatch(watch)
        if keep and not watch.fired:
            _kept.put(key, connection)
        else:
            connection.close()


#: What more of an answer is read, and dropped, so that its connection can be kept.
KEEP_REST = 64 * 1024
#: How long an idle connection is kept, and how many per sending thread.
KEEP_IDLE = 20.0
KEEP_MAX = 16


class _Kept(threading.local):
    """Each sending thread's idle connections, by the address they reach."""

    def __init__(self) -> None:
        self.idle: dict[tuple[str, str, int, str], tuple[http.client.HTTPConnection, float]] = {}

    def take(self, key: tuple[str, str, int, str]) -> http.client.HTTPConnection | None:
        found = self.idle.pop(key, None)
        if found is None:
            return None
        connection, since = found
        if time.monotonic() - since > KEEP_IDLE:
            connection.close()
            return None
        return connection

    def put(self, key: tuple[str, str, int, str], connection: http.client.HTTPConnection) -> None:
        if KEEP_MAX <= 0:
            connection.close()
            return
        if len(self.idle) >= KEEP_MAX:
            oldest = min(self.idle, key=lambda k: self.idle[k][1])
            self.idle.pop(oldest)[0].close()
        self.idle[key] = (connection, time.monotonic())


_kept = _Kept()


@dataclass(eq=False)
class _Watch:
    connection: http.client.HTTPConnection
    deadline: float
    fired: bool = False
    done: bool = False


class _Watchdog:
    """One thread that ends exchanges past their deadline (shuts their socket down), so a
    delivery costs no thread of its own for its deadline."""

    def __init__(self) -> None:
        self._watched: list[tuple[float, int, _Watch]] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._count = 0

    def watch(self, connection: http.client.HTTPConnection, deadline: float) -> _Watch:
        watch = _Watch(connection, deadline)
        with self._wake:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="outbox-deadlines", daemon=True
                )
                self._thread.start()
            self._count += 1
            heapq.heappush(self._watched, (deadline, self._count, watch))
            self._wake.notify()
        return watch

    def unwatch(self, watch: _Watch) -> None:
        with self._wake:
            watch.done = True  # left in the heap; dropped when its time comes

    def _run(self) -> None:
        while True:
            with self._wake:
                while not self._watched:
                    self._wake.wait()
                deadline, _n, watch = self._watched[0]
                now = time.monotonic()
                if watch.done:
                    heapq.heappop(self._watched)
                    continue
                if deadline > now:
                    self._wake.wait(deadline - now)
                    continue
                heapq.heappop(self._watched)
                watch.fired = True
            _abort(watch.connection)


_watchdog = _Watchdog()


def _abort(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _connect(address: str, port: int, timeout: float | None) -> socket.socket:
    """A connection that sends at once: on a kept connection, Nagle's algorithm held each
    request back until the receiver's delayed acknowledgement (40 ms a delivery, measured)."""
    sock = socket.create_connection((address, port), timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


class _PinnedHTTP(http.client.HTTPConnection):
    """Speaks to ``host`` (its Host header) at the address that was checked."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = _connect(self._address, self.port, self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to the checked address, with the certificate checked against ``host``."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = _connect(self._address, self.port, self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
