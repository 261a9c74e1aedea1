"""Streams held by real servers (``moderation serve``: the front of ``front.py`` holding them in
its event loop): many readers on one worker, two processes sharing the database's notifications,
and a shutdown that does not wait on readers who never leave."""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from contextlib import ExitStack

import pytest

from ..conftest import thread_url
from ..pages import served, served_env

STORY = "/2026/11/story"


def open_stream(port: int, path: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: news\r\n\r\n".encode())
    head = b""
    while b"event: ready" not in head:
        head += sock.recv(65536)
    return sock


def read_until(sock: socket.socket, wanted: bytes, seconds: float = 10.0) -> bytes:
    data = b""
    deadline = time.monotonic() + seconds
    while wanted not in data:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        data += sock.recv(65536)
    return data


def call(port: int, method: str, path: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", json.dumps(body).encode(), headers, method=method
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def test_a_decision_on_one_process_reaches_readers_held_by_another(app, site, make_token):
    token = make_token("news")
    env = served_env(app)
    events = thread_url("news", STORY).removesuffix("/comments") + "/events"
    with ExitStack() as stack:
        deciding, _ = stack.enter_context(served(env))
        holding, _ = stack.enter_context(served(env, workers=2))
        readers = [stack.enter_context(open_stream(holding, events)) for _ in range(30)]
        created = call(deciding, "POST", thread_url("news", STORY), {
            "author_name": "Ann", "body": "Live <b>from</b> the council."})  # fmt: skip
        comment = created["comment"]["id"]
        call(deciding, "POST", f"/api/v1/comments/{comment}/decision", {"action": "approve"}, token)
        for reader in readers:
            arrived = read_until(reader, b"event: comment")
            assert f'"id":{comment}'.encode() in arrived
            assert b"Live <b>from</b> the council." in arrived


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the front's, not the DB's
def test_a_server_with_readers_connected_stops_at_once(app, site):
    env = served_env(app)
    events = thread_url("news", STORY).removesuffix("/comments") + "/events"
    with ExitStack() as stack:
        port, process = stack.enter_context(served(env))
        readers = [stack.enter_context(open_stream(port, events)) for _ in range(5)]
        started = time.monotonic()
        process.terminate()
        process.wait(timeout=20)
        stopped = time.monotonic() - started
        for reader in readers:
            reader.settimeout(5)
            while reader.recv(65536):
                pass  # the stream ends: the browser reconnects to another process
    # gunicorn's graceful timeout is 30 s: a shutdown waiting on its readers would take that.
    assert stopped < 15
