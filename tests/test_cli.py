"""The ``moderation`` command, run as a newcomer would: init, create things, serve."""

from __future__ import annotations

import json
import urllib.request

import pytest
from click.testing import CliRunner

from moderation import create_app
from moderation.cli import main

from .pages import service_processes


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


def test_serve_runs_a_production_server(env):
    run("init")
    with service_processes(env) as [port]:
        answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert json.load(answer) == {"status": "ok"}
        assert "gunicorn" in answer.headers.get("Server", "")
