"""The production server (``moderation serve``): its own answers are the contract's JSON, it
reads the longest request line a valid request needs, and a chunked body is held to the limit."""

from __future__ import annotations

import json
import socket
from urllib.parse import quote

import pytest

from moderation import admin, create_app
from moderation.db import db
from moderation.migrate import upgrade_database

from .pages import service_processes


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serving")
    url = f"sqlite:///{folder / 'db.sqlite3'}"
    app = create_app({"database_url": url, "instance_path": str(folder), "secret_key": "s"})
    upgrade_database(app)
    with app.app_context():
        admin.create_site(db.session(), "news", ["https://news.example"])
        db.session.commit()
        db.engine.dispose()
    env = {
        "MODERATION_DATABASE_URL": url,
        "MODERATION_INSTANCE_PATH": str(folder),
        "MODERATION_SECRET_KEY": "s",
    }
    with service_processes(env) as [port]:
        yield port


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer: status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        try:
            sock.sendall(raw)
            sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered before reading all of it, as it should
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), {k.lower(): v for k, v in headers.items()}, body


def _get(port: int, target: str) -> tuple[int, dict[str, str], bytes]:
    return _exchange(
        port, f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
    )


def test_the_counts_of_a_hundred_long_keys_work_as_a_get(server):
    keys = [f"/2026/{n:03d}/" + "é" * 500 for n in range(100)]
    query = "&".join(f"article={quote(k, safe='')}" for k in keys)
    assert len(query) > 8190  # beyond gunicorn's own limit
    status, _headers, body = _get(server, f"/api/v1/sites/news/counts?{query}")
    assert status == 200, body[:300]
    assert json.loads(body)["counts"] == dict.fromkeys(keys, 0)


def test_a_request_line_past_the_limit_is_a_json_414(server):
    status, headers, body = _get(server, "/api/v1/sites/news/counts?article=" + "a" * (1 << 21))
    assert status == 414 and headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "uri_too_long"


def test_a_malformed_request_is_a_json_400(server):
    status, headers, body = _exchange(server, b"GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n")
    assert status == 400 and headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == "bad_request"


def test_a_chunked_body_past_the_limit_is_413(server):
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(160)) + b"0\r\n\r\n"
    status, _headers, answer = _exchange(
        server,
        b"POST /api/v1/sites/news/counts HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
    )
    assert status == 413, answer[:300]
    assert json.loads(answer)["error"]["code"] == "payload_too_large"
