"""Live updates in Chromium, on a real server holding the streams (``moderation serve``): a
reader posts, the moderator sees the comment arrive in the queue and approves it, and the other
reader sees it arrive in the thread, all without a reload and with nothing in it running."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from moderation import admin, create_app
from moderation.db import db
from moderation.models import ModerationMode, Site

from ..pages import served, served_env
from .conftest import _PublisherPage

PASSWORD = "correct horse battery staple"
HOSTILE_NAME = '<img src=x onerror="__pwned()">Eve'
HOSTILE_BODY = 'Trams at last. <script>__pwned()</script><img src=x onerror="__pwned()">'


@pytest.fixture
def held(tmp_path, publisher) -> Iterator[str]:
    """The service under gunicorn and the front (two workers), its site ``demo`` on the
    publisher's origin, and a moderator."""
    app = create_app({
        "database_url": f"sqlite:///{tmp_path / 'live.sqlite3'}",
        "instance_path": str(tmp_path / "instance"), "secret_key": "live-tests",
        "rate_limits": False, "min_form_seconds": 0,
    })  # fmt: skip
    with app.app_context():
        db.create_all()
        db.session.add(Site(slug="demo", name="Demo", origins=[publisher],
                            moderation_mode=ModerationMode.PRE))  # fmt: skip
        db.session.commit()
        admin.create_moderator(db.session(), "desk@gazette.example", PASSWORD, ["demo"])
        db.session.commit()
    env = served_env(app)
    with app.app_context():
        db.engine.dispose()
    with served(env, workers=2) as (port, _):
        _PublisherPage.service = f"http://127.0.0.1:{port}"
        _PublisherPage.extra_body = ""
        _PublisherPage.container = ""
        yield _PublisherPage.service


def widget(open_page: Any, publisher: str) -> Any:
    watched = open_page(publisher)
    watched.page.get_by_role("button", name="Post comment").wait_for()
    return watched


def test_a_comment_arrives_live_in_the_queue_and_then_in_the_thread(held, open_page, publisher):
    desk = open_page(f"{held}/dashboard/login")
    desk.page.get_by_label("Email").fill("desk@gazette.example")
    desk.page.get_by_label("Password").fill(PASSWORD)
    desk.page.get_by_role("button", name="Sign in").click()
    desk.page.wait_for_url(f"{held}/dashboard/")
    desk.page.goto(f"{held}/dashboard/queue?site=demo")
    writer, reader = widget(open_page, publisher), widget(open_page, publisher)

    form = writer.page.get_by_role("form", name="Write a comment")
    form.get_by_label("Name").fill(HOSTILE_NAME)
    form.get_by_label("Your comment").fill(HOSTILE_BODY)
    form.get_by_role("button", name="Post comment").click()

    desk.page.get_by_role("button", name="1 new comment: show it").click()
    card = desk.page.locator("#cards .card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Trams at last.")
    desk.page.keyboard.press("a")
    expect(card).to_have_count(0)

    arrived = reader.page.get_by_role("button", name="Show 1 new comment")
    arrived.click()
    expect(reader.page.get_by_text("Trams at last.")).to_be_visible()
    expect(reader.page.get_by_role("heading", name="1 comment")).to_be_visible()
    expect(arrived).to_be_hidden()
    # The writer's own comment, shown to them as waiting, is no longer marked so.
    expect(writer.page.get_by_text("Trams at last.")).to_be_visible()
    expect(writer.page.locator("#comments").locator(".pending")).to_have_count(0)
    for page in (desk, writer, reader):
        assert page.pwned() == 0
        assert not [line for line in page.console if line.startswith("pageerror")]
