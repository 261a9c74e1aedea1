"""The production server (``moderation serve``): its own answers are the contract's JSON, it
reads the longest request line a valid request needs, and a chunked body is held to the limit."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from moderation import admin, create_app
from moderation.db import db
from moderation.migrate import upgrade_database
from moderation.models import Comment

from .conftest import skip_or_fail
from .pages import free_port, news_instance, service_processes


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serving")
    env = news_instance(folder)
    with service_processes(env) as [port]:
        yield port


def _exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes, read the whole answer: status, headers, body."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        # The request says Connection: close, and the server ends it; it may answer before
        # reading all of a body it refuses.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(raw)
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


# --- A PostgreSQL of the test's own, killed and started again ------------------------------------

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)


def _as_postgres(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["runuser", "-u", "postgres", "--", *argv], capture_output=True, text=True, check=True
    )


@pytest.fixture
def own_postgres(tmp_path):
    """A PostgreSQL server of this test's own, on a free port, that it may kill."""
    if PG_BIN is None or not shutil.which("runuser"):
        skip_or_fail("PostgreSQL's binaries or runuser are not installed")
    # Outside pytest's own folder, which only root may enter.
    data = Path(tempfile.mkdtemp(prefix="moderation-pg-"))
    shutil.chown(data, "postgres")
    port = free_port()
    _as_postgres(str(PG_BIN / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres")
    options = f"-p {port} -k {data} -c listen_addresses=127.0.0.1"

    def start() -> None:
        # The server's output to a log: a pipe it inherited would never close.
        log = str(data / "server.log")
        _as_postgres(
            str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options, "-l", log, "-w", "start"
        )

    def kill() -> None:
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")

    start()
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres", start, kill
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(data),
             "-m", "immediate", "stop"],
            capture_output=True,
        )  # fmt: skip
        shutil.rmtree(data, ignore_errors=True)


def _call(port: int, method: str, path: str, body: dict | None = None):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
        method=method,
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, json.load(answer)
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.load(error)


def test_a_killed_database_is_a_503_then_the_service_recovers(own_postgres, tmp_path):
    url, start, kill = own_postgres
    app = create_app({"database_url": url, "instance_path": str(tmp_path), "secret_key": "s"})
    upgrade_database(app)
    with app.app_context():
        admin.create_site(db.session(), "news", ["https://news.example"], mode="post")
        db.session.commit()
        db.engine.dispose()
    env = {
        "MODERATION_DATABASE_URL": url,
        "MODERATION_INSTANCE_PATH": str(tmp_path),
        "MODERATION_SECRET_KEY": "s",
        "MODERATION_MIN_FORM_SECONDS": "0",
        "MODERATION_RATE_LIMITS": "false",
    }
    thread = "/api/v1/sites/news/articles/story/comments"
    comment = {"body": "Before the outage.", "author_name": "Ann"}
    with service_processes(env) as [port]:
        assert _call(port, "POST", thread, comment)[0] == 201
        kill()
        for method, path, body in (
            ("GET", thread + "?sort=newest", None),
            ("POST", thread, {"body": "During the outage.", "author_name": "Ann"}),
            ("GET", "/api/v1/sites/news/counts?article=story", None),
        ):
            status, headers, answer = _call(port, method, path, body)
            assert status == 503, (method, path, answer)
            assert answer["error"]["code"] == "unavailable" and headers["Retry-After"] == "5"
        status, _headers, answer = _call(port, "GET", "/healthz")
        assert status == 503 and answer["database"] == "unreachable"
        start()
        deadline = time.monotonic() + 15
        while _call(port, "POST", thread, {"body": "After.", "author_name": "Ann"})[0] != 201:
            assert time.monotonic() < deadline, "the service did not recover"
            time.sleep(0.2)  # polling a database that is starting
    with app.app_context():
        stored = db.session.scalars(select(Comment.body_text).order_by(Comment.id)).all()
        db.engine.dispose()
    assert stored[0] == "Before the outage." and "During the outage." not in stored


def test_with_sqlite_the_server_delivers_the_outbox_itself(tmp_path):
    """A newcomer runs nothing else: ``moderation serve`` on SQLite sends webhooks from its own
    delivery thread, beside workers forked after it started."""
    from moderation.outbox import endpoints

    from .outbox.receiver import Receiver

    receiver = Receiver().start()
    try:
        env = news_instance(tmp_path)
        env["MODERATION_WEBHOOK_ALLOW_PRIVATE"] = "true"
        app = create_app(
            {"database_url": env["MODERATION_DATABASE_URL"], "instance_path": str(tmp_path)}
        )
        with app.app_context():
            [site] = admin.get_sites(db.session(), ["news"])
            receiver.secret = endpoints.add_endpoint(
                db.session(), site.id, receiver.url, allow_private=True
            ).secret
            db.session.commit()
            db.engine.dispose()
        with service_processes({**env}) as [port]:
            for n in range(3):
                request = urllib.request.Request(
                    f"http://127.0.0.1:{port}/api/v1/sites/news/articles/a/comments",
                    data=json.dumps({"body": f"Comment {n}", "author_name": "Ann"}).encode(),
                    headers={"Content-Type": "application/json", "X-Guest-Key": "g" * 32},
                )
                with urllib.request.urlopen(request, timeout=10) as answer:
                    assert answer.status == 201
            deadline = time.monotonic() + 20
            while len(receiver.received) < 4 and time.monotonic() < deadline:
                time.sleep(0.1)  # waiting for the delivery thread's round
        assert receiver.types() == ["article.created", *["comment.created"] * 3]
        assert receiver.refused == []
    finally:
        receiver.stop()
