"""Featuring from the keyboard in Debian's Chromium: f on the focused card features it (and
approves it) without reloading the page; on the approved tab, f unfeatures it in place."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from moderation.db import db
from moderation.models import Comment, Decision

from .conftest import Service, Watched

pytestmark = pytest.mark.browser


def _featured(service: Service, ids: list[int]) -> dict[int, bool]:
    with service.app.app_context():
        rows = db.session.execute(
            db.select(Comment.id, Comment.featured).where(Comment.id.in_(ids))
        )
        return {i: featured for i, featured in rows}


def _actions(service: Service, comment_id: int) -> list[tuple[str, str]]:
    with service.app.app_context():
        rows = db.session.execute(
            db.select(Decision.action, Decision.actor)
            .where(Decision.comment_id == comment_id)
            .order_by(Decision.id)
        )
        return [(a.value, actor) for a, actor in rows]


def _clean(watched: Watched) -> None:
    assert watched.pwned() == 0
    assert watched.violations() == []
    assert watched.errors() == []


def test_f_features_the_focused_card(service: Service, signed_in: Any) -> None:
    newsroom = service.newsroom()
    ids = newsroom.comments(3)
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}")
    page = watched.page
    page.evaluate("window.__sameDocument = true")
    current = page.locator(".card.current")
    expect(current).to_have_attribute("data-id", str(ids[0]))
    page.keyboard.press("j")
    expect(current).to_have_attribute("data-id", str(ids[1]))
    expect(current).to_be_focused()
    page.keyboard.press("f")
    expect(page.locator(f"#comment-{ids[1]}")).to_have_count(0)  # featured: approved, gone
    expect(page.locator('.tabs [data-count-for="pending"]')).to_have_text("2")
    expect(current).to_have_attribute("data-id", str(ids[2]))
    assert service.statuses(ids) == {ids[0]: "pending", ids[1]: "approved", ids[2]: "pending"}
    assert _featured(service, ids) == {ids[0]: False, ids[1]: True, ids[2]: False}
    assert _actions(service, ids[1])[-1] == ("feature", f"moderator:{newsroom.email}")
    assert page.evaluate("window.__sameDocument") is True

    # On the approved tab the card stays, redrawn: Featured, and f now unfeatures it.
    page.goto(f"{service.url}/dashboard/queue?site={newsroom.site}&view=approved")
    card = page.locator(f"#comment-{ids[1]}")
    expect(card.locator(".badge-featured")).to_have_text("Featured")
    card.focus()
    page.keyboard.press("f")
    expect(card.locator(".badge-featured")).to_have_count(0)
    expect(card.locator('button[value="feature"]')).to_be_visible()
    assert _featured(service, [ids[1]]) == {ids[1]: False}
    assert _actions(service, ids[1])[-1] == ("unfeature", f"moderator:{newsroom.email}")
    _clean(watched)
