"""The ``moderation`` command, run as a newcomer would: init, create things, serve."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from click.testing import CliRunner

from moderation import create_app
from moderation.cli import main


@pytest.fixture
def env(tmp_path, monkeypatch) -> dict[str, str]:
    values = {
        "MODERATION_INSTANCE_PATH": str(tmp_path / "instance"),
        "MODERATION_DATABASE_URL": "",
        "MODERATION_SECRET_KEY": "",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("MODERATION_CONFIG", raising=False)
    return values


def run(*args: str, input: str | None = None, ok: bool = True):
    result = CliRunner().invoke(main, list(args), input=input)
    if ok:
        assert result.exit_code == 0, result.output
    return result


def test_init_creates_database_and_secret_and_is_repeatable(env, tmp_path):
    first = run("init")
    assert "upgraded from empty" in first.output
    assert (tmp_path / "instance" / "moderation.sqlite3").exists()
    assert (tmp_path / "instance" / "secret_key").read_text().strip()
    assert "up to date" in run("init").output


def test_commands_refuse_an_uninitialised_database(env):
    result = run("site", "create", "news", "--origin", "https://news.example", ok=False)
    assert result.exit_code != 0 and "moderation init" in result.output


def test_site_moderator_and_token_work_end_to_end(env, tmp_path):
    run("init")
    out = run("site", "create", "news", "--origin", "https://news.example/", "--mode", "post")
    assert "https://news.example" in out.output
    dup = run("site", "create", "news", "--origin", "https://news.example", ok=False)
    assert "exists already" in dup.output
    bad = run("site", "create", "News!", "--origin", "https://news.example", ok=False)
    assert "slug" in bad.output
    bad = run("site", "create", "x", "--origin", "ftp://files.example", ok=False)
    assert "origin" in bad.output

    run("moderator", "create", "Ed@News.Example", "--site", "news", input="a long password\n")
    short = run(
        "moderator", "create", "b@news.example", "--site", "news", input="short\n", ok=False
    )
    assert "at least" in short.output
    nosite = run(
        "moderator", "create", "c@news.example", "--site", "nope", input="x" * 12, ok=False
    )
    assert "No such site" in nosite.output

    result = run("token", "create", "--site", "news")
    token = result.output.strip().splitlines()[-1]
    assert len(token) > 30 and " " not in token

    app = create_app()
    client = app.test_client()
    response = client.get("/api/v1/sites/news/queue", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_serve_runs_a_production_server(env, tmp_path):
    run("init")
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moderation.cli", "serve", "--port", str(port), "--workers", "1"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    assert json.load(r) == {"status": "ok"}
                    assert "gunicorn" in r.headers.get("Server", "")
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)  # polling a server that is starting; not a fixed wait
    finally:
        process.terminate()
        process.wait(timeout=10)
