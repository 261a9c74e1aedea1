"""The ``moderation`` command, run as a newcomer would: init, create things, serve, demo."""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import jwt
import pytest
from click.testing import CliRunner

from moderation import create_app
from moderation.cli import main
from moderation.front import KEEPALIVE_REQUESTS

from ..pages import free_port, service_processes


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


def test_sso_secrets_and_who_may_comment(env):
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")
    refused = run("site", "readers", "news", "--commenters", "readers", ok=False)
    assert "SSO secret first" in refused.output
    first = run("site", "sso-secret", "news").stdout.strip().splitlines()[-1]
    rotated = run("site", "sso-secret", "news", "--grace-hours", "2")
    second = rotated.stdout.strip().splitlines()[-1]
    assert first != second and second.startswith("sso_")
    assert "keeps working for 2 h" in rotated.stderr
    out = run(
        "site", "readers", "news", "--commenters", "readers",
        "--login-url", "https://news.example/login", "--reaction-label", "Agree",
    ).output  # fmt: skip
    assert "readers may comment, signing in at https://news.example/login" in out
    bad = run("site", "readers", "news", "--login-url", "javascript:alert(1)", ok=False)
    assert "http(s) address" in bad.output

    client = create_app().test_client()
    thread = client.get("/api/v1/sites/news/articles/a/comments").get_json()
    assert thread["site"] == {
        "commenters": "readers",
        "login_url": "https://news.example/login",
        "reaction_label": "Agree",
    }
    token = jwt.encode({"sub": "r1", "name": "Rhea"}, first, algorithm="HS256")
    answer = client.get("/api/v1/sites/news/reader", headers={"X-Reader-Token": token})
    assert answer.get_json()["reader"]["name"] == "Rhea"  # the old secret, in its grace period


def test_serve_runs_a_production_server(env):
    run("init")
    with service_processes(env) as [port]:
        answer = urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5)
        assert json.load(answer)["status"] == "ok"
        assert "uvicorn" in answer.headers.get("Server", "")

        # Keep-alive connections are closed after their share of requests, so clients
        # reconnect and spread over the workers (moderation/front.py).
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        said = []
        for _ in range(KEEPALIVE_REQUESTS):
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            said.append(response.getheader("Connection"))
        connection.close()
        assert said == [None] * (KEEPALIVE_REQUESTS - 1) + ["close"]


def test_demo_sets_up_a_site_an_admin_and_the_article_page(env, tmp_path):
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moderation.cli", "demo", "--port", str(port), "--workers", "1"],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(6)]
        printed = "".join(lines)
        assert f"http://127.0.0.1:{port}/demo/" in printed
        email, password = re.search(r"Moderator:\s+(\S+) / (\S+)", printed).groups()
        deadline = time.monotonic() + 20
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/demo/", timeout=2)
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.1)  # polling a server that is starting
        html = page.read().decode()
        assert 'data-site="demo"' in html and "/embed.js" in html
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
        # The demo's stand-in for a publisher's login signs a reader in.
        signed = urllib.request.urlopen(
            urllib.request.Request(
                f"http://127.0.0.1:{port}/demo/sign-in?as=staff", method="POST", data=b""
            ),
            timeout=5,
        )
        token = json.loads(signed.read())["token"]
        reader = urllib.request.urlopen(
            urllib.request.Request(
                f"http://127.0.0.1:{port}/api/v1/sites/demo/reader",
                headers={"X-Reader-Token": token},
            ),
            timeout=5,
        )
        assert json.loads(reader.read())["reader"]["staff"] is True
    finally:
        process.terminate()
        process.wait(timeout=10)
    app = create_app()
    with app.app_context():
        from moderation.db import db
        from moderation.identity import check_password
        from moderation.models import Moderator, Site

        moderator = db.session.scalar(db.select(Moderator).where(Moderator.email == email))
        assert moderator.is_admin and check_password(moderator.password_hash, password)
        site = db.session.scalar(db.select(Site).where(Site.slug == "demo"))
        assert f"http://127.0.0.1:{port}" in site.origins


def test_a_new_site_holds_obvious_spam_and_insults_from_the_start(env):
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")
    run("site", "create", "bare", "--origin", "https://bare.example", "--no-starter-words")
    client = create_app().test_client()

    def held_because(site: str, body: str, n: int) -> list[str]:
        answer = client.post(
            f"/api/v1/sites/{site}/articles/a/comments",
            json={"body": body, "author_name": f"Reader {n}"},
            headers={"X-Guest-Key": f"{n:032d}"},
        )
        assert answer.status_code == 201, answer.get_json()
        token = run("token", "create", "--site", site).output.strip().splitlines()[-1]
        queue = client.get(
            f"/api/v1/sites/{site}/queue", headers={"Authorization": f"Bearer {token}"}
        ).get_json()["comments"]
        found = next(c for c in queue if c["id"] == answer.get_json()["comment"]["id"])
        return found["held_because"]

    assert "suspect_word" in held_because("news", "Buy cheap viagra now, casino bonus!", 1)
    assert "suspect_word" in held_because("news", "You are an idiot.", 2)
    assert "suspect_word" not in held_because("bare", "Buy cheap viagra now, casino bonus!", 3)
