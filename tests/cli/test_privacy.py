"""The GDPR commands: a person's data exported and erased, the retention periods applied."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from moderation import create_app
from moderation.db import db
from moderation.models import Comment

from ..conftest import browser_key, thread_url
from .test_commands import env, run  # noqa: F401 - the CLI tests' environment and runner

pytestmark = pytest.mark.usefixtures("env")

EMAIL = "Olga.Private@example.org"


def _comment(body: str, name: str = "Olga Private", email: str | None = EMAIL) -> int:
    """Submit a comment as the widget does, to the service the commands set up."""
    app = create_app()
    client = app.test_client()
    url = thread_url("news", "/2026/12/gdpr")
    form_token = client.get(url).headers.get("X-Form-Token")
    answer = client.post(
        url,
        json={"body": body, "author_name": name, "author_email": email, "form_token": form_token},
        headers={"X-Guest-Key": browser_key(name, email)},
    )
    assert answer.status_code == 201, answer.get_json()
    return int(answer.get_json()["comment"]["id"])


def _set_up() -> None:
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")


def test_export_prints_the_persons_comments_as_json():
    _set_up()
    mine = _comment("My sunflowerseed remark.")
    _comment("Someone else's.", name="Pavel", email="pavel@example.org")
    out = run("reader", "export", "--site", "news", "--email", EMAIL.upper()).output
    data = json.loads(out)
    assert data["site"] == "news"
    assert [c["id"] for c in data["comments"]] == [mine]
    assert data["comments"][0]["body_text"] == "My sunflowerseed remark."


def test_export_wants_exactly_one_selector():
    _set_up()
    result = run("reader", "export", "--site", "news", ok=False)
    assert result.exit_code != 0 and "--email" in result.output
    both = run("reader", "export", "--site", "news", "--email", EMAIL, "--subject", "s", ok=False)
    assert both.exit_code != 0


def test_erase_asks_first_then_leaves_nothing_personal():
    _set_up()
    mine = _comment("My sunflowerseed remark.")
    refused = run("reader", "erase", "--site", "news", "--email", EMAIL, input="n\n", ok=False)
    assert refused.exit_code != 0
    assert "sunflowerseed" in run("reader", "export", "--site", "news", "--email", EMAIL).output

    out = run("reader", "erase", "--site", "news", "--email", EMAIL, "--yes").output
    assert "comments: 1" in out
    data = json.loads(run("reader", "export", "--site", "news", "--email", EMAIL).output)
    assert data["comments"] == [] and data["mail"] == [] and data["reader"] is None
    # The comment's place is kept, without a word of it.
    with create_app().app_context():
        comment = db.session.scalars(select(Comment).where(Comment.id == mine)).one()
        assert (comment.author_name, comment.author_email, comment.body_text) == (
            "[deleted]",
            None,
            "",
        )


def test_purge_dry_run_reports_counts():
    _set_up()
    _comment("Fresh words.")
    out = run("purge", "--dry-run").output
    assert "Address hashes would clear: 0" in out and "Comment texts would clear: 0" in out
    assert "cleared: 0" in run("purge").output
