"""The server's front, on a real ``moderation serve``: slow clients cost no thread, and every bound
(headers and bodies that take too long, headers too large, too many connections) is answered in
the API's error shape."""

from __future__ import annotations

import json
import socket
import threading
import time
import urllib.request

import pytest

from .pages import news_instance, service_processes

HEADER_TIMEOUT = 2
BODY_TIMEOUT = 2
MAX_CONNECTIONS = 60


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("front")
    env = news_instance(folder) | {
        "MODERATION_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
        "MODERATION_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
        "MODERATION_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
    }
    with service_processes(env) as [port]:  # one worker: its limits are the server's
        yield port


def _connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=30)


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except (ConnectionResetError, TimeoutError):
        pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _healthz_seconds(port: int) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
        assert json.load(answer)["status"] == "ok"
    return time.monotonic() - started


def test_slow_clients_cost_no_thread(server):
    """Clients trickling their headers or body, and clients that never read a large answer:
    while they hold their connections, every other request is answered at once."""
    stop = threading.Event()
    held: list[socket.socket] = []

    def trickle(sock: socket.socket, data: bytes) -> None:
        for byte in data:
            if stop.wait(0.5):
                return
            try:
                sock.send(bytes([byte]))
            except OSError:
                return

    threads = []
    for _ in range(8):  # headers at two bytes a second
        sock = _connect(server)
        held.append(sock)
        threads.append(threading.Thread(target=trickle, args=(sock, b"GET /healthz HTTP/1.1\r\n")))
    for _ in range(8):  # a body at two bytes a second
        sock = _connect(server)
        sock.sendall(
            b"POST /api/v1/sites/news/counts HTTP/1.1\r\nHost: x\r\n"
            b"Content-Type: application/json\r\nContent-Length: 40\r\n\r\n"
        )
        held.append(sock)
        threads.append(threading.Thread(target=trickle, args=(sock, b'{"articles": ["a", "b"]}')))
    for _ in range(8):  # a large answer nobody reads
        sock = _connect(server)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.sendall(b"GET /api/v1/docs/swagger-ui-bundle.js HTTP/1.1\r\nHost: x\r\n\r\n")
        held.append(sock)
    for thread in threads:
        thread.start()
    try:
        time.sleep(0.5)
        slowest = max(_healthz_seconds(server) for _ in range(30))
        assert slowest < 0.5, slowest
    finally:
        stop.set()
        for sock in held:
            sock.close()
        for thread in threads:
            thread.join()


def test_headers_that_do_not_arrive_in_time_are_a_408(server):
    for opening in (b"", b"GET /healthz HTTP/1.1\r\nHost"):
        sock = _connect(server)
        sock.sendall(opening)
        started = time.monotonic()
        status, headers, body = _answer(sock)
        sock.close()
        assert status == 408 and headers["content-type"] == "application/json"
        assert json.loads(body)["error"]["code"] == "request_timeout"
        assert HEADER_TIMEOUT - 0.5 < time.monotonic() - started < HEADER_TIMEOUT + 2


def test_a_body_that_does_not_arrive_in_time_is_a_408(server):
    sock = _connect(server)
    sock.sendall(
        b"POST /api/v1/sites/news/counts HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    )
    status, _headers, body = _answer(sock)
    sock.close()
    assert status == 408 and json.loads(body)["error"]["code"] == "request_timeout"


def test_headers_too_large_are_a_431(server):
    sock = _connect(server)
    sock.sendall(
        b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-Big: " + b"a" * (70 << 10) + b"\r\n\r\n"
    )
    status, _headers, body = _answer(sock)
    sock.close()
    assert status == 431 and json.loads(body)["error"]["code"] == "headers_too_large"


def test_past_the_connection_limit_a_request_is_a_503_until_one_frees_up(server):
    held = [_connect(server) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.3)
        sock = _connect(server)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        status, headers, body = _answer(sock)
        sock.close()
        assert status == 503 and headers["retry-after"] == "1"
        assert json.loads(body)["error"]["code"] == "unavailable"
    finally:
        for sock in held:
            sock.close()
    time.sleep(0.3)
    assert _healthz_seconds(server) < 1
