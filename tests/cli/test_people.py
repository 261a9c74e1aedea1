"""The commands about people, run as an operator would: bans and suspensions, moderators and
tokens, and the README's real-deployment steps leaving an admin."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click
import pytest
from sqlalchemy import select

from moderation import create_app
from moderation.cli.people import parse_until
from moderation.db import db
from moderation.identity import check_password
from moderation.models import Action, Ban, Decision, Moderator

from ..conftest import thread_url
from .test_commands import env, run  # noqa: F401 - the CLI tests' environment and runner

pytestmark = pytest.mark.usefixtures("env")
README = Path(__file__).parent.parent.parent / "README.md"


def _site_with_a_comment(body: str = "Trolling here.") -> tuple[int, str]:
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")
    app = create_app()
    answer = app.test_client().post(
        thread_url("news", "/a"),
        json={"body": body, "author_name": "Troll", "author_email": "troll@example.org"},
        headers={"X-Guest-Key": "t" * 32},
    )
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["comment"]["id"], "news"


def test_the_readmes_deployment_steps_leave_an_admin():
    block = README.read_text().split("## Running it for real", 1)[1].split("```", 2)[1]
    run("init")
    run("site", "create", "gazette", "--origin", "https://www.gazette.example")
    for line in block.splitlines():
        command = line.split("#", 1)[0].strip()
        if command.startswith("moderation moderator create"):
            run(*shlex.split(command)[1:], input="a long password\n")
    listed = run("moderator", "list").output
    assert re.search(r"\tadmin\t", listed), listed


def test_the_first_moderator_is_an_admin_and_later_ones_are_not():
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")
    first = run("moderator", "create", "ed@news.example", "--site", "news", input="x" * 12)
    assert "Admin ed@news.example" in first.output
    run("moderator", "create", "al@news.example", "--site", "news", input="x" * 12)
    lines = sorted(run("moderator", "list").output.splitlines())
    assert lines == ["al@news.example\tmoderator\tnews", "ed@news.example\tadmin\tnews"]


def test_ban_add_list_lift_by_the_author_of_a_comment():
    comment_id, site = _site_with_a_comment()
    added = run("ban", "add", "--site", site, "--author-of", str(comment_id),
                "--until", "1d", "--reason", "cool off", "--reason-code", "abuse",
                "--reject-pending")  # fmt: skip
    assert "until" in added.output
    listed = run("ban", "list", "--site", site).output.strip().splitlines()
    assert len(listed) == 1 and "\tauthor\t" in listed[0] and "cool off" in listed[0]
    ban_id = listed[0].split("\t")[0]

    app = create_app()
    client = app.test_client()
    refused = client.post(
        thread_url("news", "/a"),
        json={"body": "Again.", "author_name": "Troll"},
        headers={"X-Guest-Key": "t" * 32},
    )
    assert refused.status_code == 403 and "until" in refused.get_json()["error"]["message"]
    with app.app_context():
        actions = list(db.session.scalars(select(Decision.action).order_by(Decision.id)))
    assert actions[-2:] == [Action.SUSPEND, Action.REJECT]

    run("ban", "lift", "--site", site, ban_id)
    assert run("ban", "list", "--site", site).output.strip() == ""
    with app.app_context():
        assert db.session.scalars(select(Ban)).all() == []
        assert db.session.scalars(select(Decision.action).order_by(Decision.id.desc())).first() \
            is Action.LIFT  # fmt: skip


def test_ban_by_email_for_good_and_usage_errors():
    comment_id, site = _site_with_a_comment()
    run("ban", "add", "--site", site, "--email", "troll@example.org")
    assert "for good" in run("ban", "list", "--site", site).output
    both = run("ban", "add", "--site", site, "--email", "a@b.example",
               "--author-of", str(comment_id), ok=False)  # fmt: skip
    assert both.exit_code == 2 and "one of" in both.output
    unknown = run("ban", "add", "--site", site, "--author-of", "999999", ok=False)
    assert unknown.exit_code == 1 and "no such comment" in unknown.output.lower()
    bad_time = run("ban", "add", "--site", site, "--email", "x@y.example", "--until", "soon",
                   ok=False)  # fmt: skip
    assert bad_time.exit_code == 2 and "--until" in bad_time.output


def test_set_password_and_token_list_revoke():
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")
    run("moderator", "create", "ed@news.example", "--admin", input="x" * 12)
    run("moderator", "set-password", "ed@news.example", input="a new long password\n")
    missing = run("moderator", "set-password", "no@news.example", input="y" * 12, ok=False)
    assert "no moderator" in missing.output
    app = create_app()
    with app.app_context():
        hashed = db.session.scalars(select(Moderator.password_hash)).one()
        assert check_password(hashed, "a new long password")

    token = run("token", "create", "--site", "news", "--label", "cms").output.splitlines()[-1]
    listed = run("token", "list", "--site", "news").output.strip().splitlines()
    assert len(listed) == 1 and "\tcms\t" in listed[0] and listed[0].endswith("active")
    assert token not in listed[0]
    client = app.test_client()
    queue = "/api/v1/sites/news/queue"
    assert client.get(queue, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    run("token", "revoke", "--site", "news", listed[0].split("\t")[0])
    assert "revoked" in run("token", "list", "--site", "news").output
    assert client.get(queue, headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_until_takes_durations_dates_and_times():
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert parse_until("1h", now) == now + timedelta(hours=1)
    assert parse_until("7d", now) == now + timedelta(days=7)
    assert parse_until("2w", now) == now + timedelta(weeks=2)
    assert parse_until("2026-12-31", now) == datetime(2026, 12, 31, tzinfo=UTC)
    assert parse_until("2026-12-31T18:00:00Z", now) == datetime(2026, 12, 31, 18, tzinfo=UTC)
    assert parse_until(None, now) is None
    with pytest.raises(click.BadParameter):
        parse_until("tomorrow", now)
