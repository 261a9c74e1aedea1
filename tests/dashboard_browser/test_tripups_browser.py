"""Dashboard trip-ups in Debian's Chromium: "/" from any page puts the cursor in the search box, so
the moderator can type the words at once; a key for a decision the card does not offer says what
the comment is, in the server's words."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import Service, Watched

pytestmark = pytest.mark.browser


def _clean(watched: Watched) -> None:
    assert watched.pwned() == 0
    assert watched.violations() == []
    assert watched.errors() == []


@pytest.mark.parametrize("path", ["/dashboard/queue", "/dashboard/log", "/dashboard/"])
def test_slash_opens_search_with_the_cursor_in_the_box(service: Service, signed_in, path):
    newsroom = service.newsroom()
    newsroom.comment("The tram line reaches the harbour in March.")
    watched = signed_in(newsroom, path)
    page = watched.page
    page.locator("h1").click()  # the page has the focus, no field
    page.keyboard.press("/")
    page.wait_for_url(re.compile(r"/dashboard/search"))
    box = page.get_by_label("Text, author name or email")
    expect(box).to_be_focused()
    page.keyboard.type("harbour")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"q=harbour"))
    expect(page.locator("#cards .card")).to_have_count(1)
    _clean(watched)


def test_slash_on_the_search_page_returns_to_the_box(service: Service, signed_in):
    newsroom = service.newsroom()
    newsroom.comment("The bridge budget is too high.")
    watched = signed_in(newsroom, "/dashboard/search?q=bridge")
    page = watched.page
    box = page.get_by_label("Text, author name or email")
    expect(page.locator("#cards .card")).to_have_count(1)
    page.locator("h1").click()
    expect(box).not_to_be_focused()
    page.keyboard.press("/")
    expect(box).to_be_focused()
    expect(box).to_have_value("bridge")  # "/" was not typed into it
    _clean(watched)


def test_approving_an_approved_comment_from_the_keyboard_says_it_is_already_approved(
    service: Service, signed_in
):
    newsroom = service.newsroom()
    [cid] = newsroom.comments(1, article="/2026/11/kept")
    service.decide([cid], "approve")
    watched = signed_in(newsroom, f"/dashboard/search?q=kept&site={newsroom.site}")
    page = watched.page
    expect(page.locator(f"#comment-{cid}")).to_have_count(1)
    page.locator("h1").click()
    page.keyboard.press("a")
    expect(page.locator("#dashboard-alert")).to_have_text(f"Comment {cid} is already approved.")
    page.keyboard.press("u")
    expect(page.locator("#dashboard-alert")).to_have_text(
        f"Comment {cid} is approved; it cannot be restored."
    )
    assert service.statuses([cid]) == {cid: "approved"}
    _clean(watched)
