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
import http.client
import ipaddress
import socket
import ssl
import threading
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
    any answer, a redirect or an error status included, is returned, never followed."""
    target = parse(url)
    address = resolve(target, allow_private)
    connection: http.client.HTTPConnection
    if target.scheme == "https":
        connection = _PinnedHTTPS(target.host, address, target.port, timeout)
    else:
        connection = _PinnedHTTP(target.host, address, target.port, timeout)
    # One deadline for the whole exchange: a receiver answering a byte a second would otherwise
    # hold the worker for as long as it likes, each read within the socket's timeout.
    aborted = threading.Event()
    deadline = threading.Timer(timeout, _abort, args=(connection, aborted))
    deadline.start()
    try:
        connection.request("POST", target.path, body=body, headers=dict(headers))
        response = connection.getresponse()
        text = response.read(KEEP_ANSWER).decode("utf-8", "replace")
        return Answer(response.status, text)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if aborted.is_set() or isinstance(exc, TimeoutError):
            raise TimeoutError(f"no answer within {timeout:g} s") from None
        if isinstance(exc, OSError):
            raise
        raise OSError(f"not an HTTP answer: {exc}") from None
    finally:
        deadline.cancel()
        connection.close()


def _abort(connection: http.client.HTTPConnection, aborted: threading.Event) -> None:
    aborted.set()
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


class _PinnedHTTP(http.client.HTTPConnection):
    """Speaks to ``host`` (its Host header) at the address that was checked."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    """TLS to the checked address, with the certificate checked against ``host``."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]
