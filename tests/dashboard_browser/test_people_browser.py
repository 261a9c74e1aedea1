"""Moderators' tools for people in Debian's Chromium: a suspension from a card by keyboard alone,
the author's page with its standing, bans and notes, and finding authors; axe-core finds nothing
on the new pages."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from .conftest import Service
from .test_dark_theme import axe_violations

pytestmark = pytest.mark.browser


def _one_authors_comments(service: Service, site: str, count: int) -> list[int]:
    """Comments from one reader's browser (one guest key): one author's."""
    client = service.app.test_client()
    url = f"/api/v1/sites/{site}/articles/{quote('/2026/11/story', safe='')}/comments"
    ids = []
    for n in range(count):
        token = client.get(url).headers["X-Form-Token"]
        answer = client.post(
            url,
            json={"body": f"Troll post number {n}.", "author_name": "Tr0ll <b>x</b>",
                  "author_email": "troll@example.org", "form_token": token},
            headers={"X-Guest-Key": "k" * 32},
        )  # fmt: skip
        assert answer.status_code == 201, answer.get_json()
        ids.append(answer.get_json()["comment"]["id"])
    return ids


def test_a_suspension_from_a_card_with_the_keyboard(service: Service, signed_in: Any) -> None:
    newsroom = service.newsroom()
    ids = _one_authors_comments(service, newsroom.site, 3)
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}")
    page = watched.page
    expect(page.locator(f"#comment-{ids[0]}")).to_have_class(re.compile("current"))
    page.locator("h1").click()
    page.keyboard.press("b")
    panel = page.locator(f"#comment-{ids[0]} details[data-author-measures]")
    expect(panel).to_have_attribute("open", "")
    one_day = panel.get_by_label("1 day").first
    expect(one_day).to_be_focused()
    page.keyboard.press("ArrowRight")  # 7 days
    expect(panel.get_by_label("7 days").first).to_be_checked()
    page.keyboard.press("Enter")  # the form's submission, from the radio
    expect(page.locator(".flash-info")).to_contain_text("suspended until")
    assert set(service.statuses(ids).values()) == {"rejected"}  # waiting ones rejected at once
    assert watched.pwned() == 0 and watched.violations() == [] and watched.errors() == []


def test_the_authors_page_its_measures_and_finding_authors(
    service: Service, signed_in: Any, axe_source: str
) -> None:
    newsroom = service.newsroom()
    ids = _one_authors_comments(service, newsroom.site, 2)
    # axe-core is injected as an inline script: this page is opened past the CSP, as the other
    # audits are (the keyboard test above runs under it).
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}", bypass_csp=True)
    page = watched.page
    page.locator(f"#comment-{ids[0]} .author-name a").click()
    page.wait_for_url(re.compile(rf"/dashboard/sites/{newsroom.site}/authors/[0-9a-f]{{64}}$"))
    expect(page.locator(".author-comment")).to_have_count(2)

    standing = page.locator("form.measure-standing").first
    standing.get_by_label("7 days").check()
    standing.get_by_role("button", name="Always pre-moderate").click()
    expect(page.locator(".flash-info")).to_contain_text("always pre-moderated until")
    expect(page.locator("p.standing")).to_contain_text("Always pre-moderated")

    page.get_by_label("New note").fill("<img src=x onerror=window.__pwned()> one bad day")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".note-body")).to_have_text(
        "<img src=x onerror=window.__pwned()> one bad day"
    )

    expect(page.locator("details.author-measures")).to_have_attribute("open", "")  # no ban yet
    page.locator("form.measure-ban").get_by_label("For good").check()
    page.locator("form.measure-ban").get_by_role("button", name="Ban or suspend").click()
    expect(page.locator(".flash-info")).to_contain_text("banned for good")
    expect(page.locator("tr.ban")).to_have_count(1)

    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert axe_violations(page, axe_source) == [], "author's page"

    page.goto(f"{service.url}/dashboard/sites/{newsroom.site}/authors?by=email&q=troll@example.org")
    expect(page.locator("table.found-authors tbody tr")).to_have_count(1)
    found = axe_violations(page, axe_source)
    assert found == [], json.dumps(found, indent=2)
    assert watched.pwned() == 0 and watched.errors() == []
