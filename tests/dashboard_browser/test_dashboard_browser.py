"""The moderators' dashboard in Debian's Chromium: a queue cleared by keyboard alone, bulk
decisions, the log, closing an article, errors that never lose a decision, hostile content,
and an accessibility audit."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from moderation.db import db
from moderation.models import Decision

from .conftest import DEMO_ARTICLE, DEMO_SITE, Service, Watched

pytestmark = pytest.mark.browser

PAYLOAD = "<script>window.__pwned()</script><img src=x onerror=window.__pwned()>"


def cards(page: Any) -> Any:
    return page.locator("#cards .card:visible")


def wait_for_count(page: Any, view: str, number: int) -> None:
    expect(page.locator(f'.tabs [data-count-for="{view}"]')).to_have_text(str(number))


def assert_clean(watched: Watched) -> None:
    assert watched.pwned() == 0
    assert watched.violations() == []
    assert watched.errors() == []


def test_keyboard_alone_clears_a_queue_of_twenty(service: Service, signed_in, artifacts):
    newsroom = service.newsroom()
    ids = newsroom.comments(20)
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}")
    page = watched.page
    expect(cards(page)).to_have_count(20)
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads the page
    current = page.locator(".card.current")
    expect(current).to_have_attribute("data-id", str(ids[0]))

    # Find the way around first: down, down, up; the help overlay opens and closes.
    page.keyboard.press("j")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("k")
    expect(current).to_have_attribute("data-id", str(ids[1]))
    page.keyboard.press("k")
    expect(current).to_have_attribute("data-id", str(ids[0]))
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_visible()
    page.screenshot(path=str(artifacts / "dashboard-shortcuts.png"))
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Keyboard shortcuts")).to_be_hidden()

    expected = {}
    for n, comment_id in enumerate(ids):
        expect(current).to_have_attribute("data-id", str(comment_id))
        if n % 5 == 4:  # reject for abuse: r, then 2, then Enter
            page.keyboard.press("r")
            expect(current.locator("select.reason")).to_be_focused()
            if n == 4:
                page.screenshot(path=str(artifacts / "dashboard-reject-reasons.png"))
            page.keyboard.press("2")
            page.keyboard.press("Enter")
            expected[comment_id] = "rejected"
        elif n % 7 == 6:
            page.keyboard.press("s")
            expected[comment_id] = "spam"
        else:
            page.keyboard.press("a")
            expected[comment_id] = "approved"

    expect(page.locator("#queue-empty")).to_be_visible()
    expect(cards(page)).to_have_count(0)
    expect(page.locator("#cards .card")).to_have_count(0)  # every decision saved, none pending
    wait_for_count(page, "pending", 0)
    wait_for_count(page, "approved", list(expected.values()).count("approved"))
    assert service.statuses(ids) == expected
    with service.app.app_context():
        rejected = db.session.scalars(
            db.select(Decision).where(Decision.comment_id == ids[4], Decision.action == "reject")
        ).one()
        assert rejected.reason.value == "abuse"
        assert rejected.actor == f"moderator:{newsroom.email}"
    assert page.evaluate("window.__sameDocument") is True
    assert_clean(watched)


def test_a_cleared_page_brings_in_the_next_comments_without_a_reload(
    service: Service, signed_in, monkeypatch
):
    monkeypatch.setattr("moderation.dashboard.moderate.PAGE_SIZE", 3)
    newsroom = service.newsroom()
    ids = newsroom.comments(5)
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}")
    page = watched.page
    expect(cards(page)).to_have_count(3)
    page.evaluate("window.__sameDocument = true")
    for _ in range(3):
        page.keyboard.press("a")
    expect(cards(page)).to_have_count(2)  # the next page, fetched in place
    expect(page.locator(".card.current")).to_have_attribute("data-id", str(ids[3]))
    page.keyboard.press("a")
    page.keyboard.press("a")
    expect(page.locator("#queue-empty")).to_be_visible()
    expect(page.locator("#cards .card")).to_have_count(0)
    wait_for_count(page, "pending", 0)
    assert service.statuses(ids) == dict.fromkeys(ids, "approved")
    assert page.evaluate("window.__sameDocument") is True
    assert_clean(watched)


def test_single_key_shortcuts_can_be_turned_off(service: Service, signed_in):
    newsroom = service.newsroom()
    ids = newsroom.comments(2)
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}")
    page = watched.page
    page.get_by_role("button", name="Keyboard shortcuts").click()
    dialog = page.get_by_role("dialog", name="Keyboard shortcuts")
    dialog.get_by_label(re.compile("Single-key shortcuts on")).uncheck()
    dialog.get_by_role("button", name="Close").click()
    page.keyboard.press("a")
    expect(page.locator(".shortcuts-hint")).to_contain_text("(turned off)")
    page.reload()  # the choice is remembered
    expect(page.locator(".shortcuts-hint")).to_contain_text("(turned off)")
    page.keyboard.press("a")
    expect(cards(page)).to_have_count(2)
    assert service.statuses(ids) == dict.fromkeys(ids, "pending")
    page.get_by_role("button", name="Keyboard shortcuts").click()
    dialog.get_by_label(re.compile("Single-key shortcuts on")).check()
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    expect(page.locator(f"#comment-{ids[0]}")).to_have_count(0)
    assert_clean(watched)


def test_bulk_reject_a_selection_with_a_reason_then_see_it_in_the_log(
    service: Service, signed_in, artifacts
):
    newsroom = service.newsroom()
    ids = newsroom.comments(6)
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}")
    page = watched.page
    expect(cards(page)).to_have_count(6)

    # Select the first, third and sixth: x to select, j to move.
    for key in ("x", "j", "j", "x", "j", "j", "j", "x"):
        page.keyboard.press(key)
    expect(page.locator("#selected-count")).to_have_text("3 selected")
    bulk = page.get_by_role("form", name="Decide on the selected comments")
    bulk.get_by_label("Reason").select_option("off_topic")
    bulk.get_by_label("Explanation for the authors (optional)").fill("Stay with the article.")
    page.screenshot(path=str(artifacts / "dashboard-bulk.png"))
    bulk.get_by_role("button", name="Reject selected").click()

    expect(cards(page)).to_have_count(3)
    expect(page.locator("#selected-count")).to_have_text("0 selected")
    wait_for_count(page, "rejected", 3)
    chosen = [ids[0], ids[2], ids[5]]
    statuses = service.statuses(ids)
    assert [i for i in ids if statuses[i] == "rejected"] == chosen

    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Log").click()
    page.get_by_label("Action").select_option("reject")  # the filter submits itself
    page.wait_for_url(re.compile(r"action=reject"))
    rows = page.locator("tr.log-entry")
    expect(rows).to_have_count(3)
    for row in rows.all():
        expect(row).to_contain_text("Off topic")
        expect(row).to_contain_text("Stay with the article.")
        expect(row).to_contain_text(f"moderator:{newsroom.email}")
    logged = sorted(int(row.get_attribute("data-comment")) for row in rows.all())
    assert logged == chosen
    assert_clean(watched)


def test_a_decision_the_server_refuses_keeps_the_card_and_says_why(service: Service, signed_in):
    newsroom = service.newsroom()
    ids = newsroom.comments(3)
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}")
    page = watched.page
    expect(cards(page)).to_have_count(3)
    service.decide([ids[0]], "approve")  # another moderator was faster

    page.keyboard.press("a")
    first = page.locator(f"#comment-{ids[0]}")
    expect(first).to_be_visible()
    expect(first.locator(".card-error")).to_contain_text(f"Comment {ids[0]} is already approved.")
    expect(page.locator("#dashboard-alert")).to_contain_text(f"Comment {ids[0]}: not saved.")
    # The keyboard moved on; the next comment is untouched until decided.
    expect(page.locator(".card.current")).to_have_attribute("data-id", str(ids[1]))
    assert service.statuses(ids[1:]) == dict.fromkeys(ids[1:], "pending")
    page.keyboard.press("a")
    expect(page.locator(f"#comment-{ids[1]}")).to_have_count(0)
    assert service.statuses([ids[1]]) == {ids[1]: "approved"}


def test_a_decision_without_network_is_not_lost_silently(service: Service, signed_in):
    newsroom = service.newsroom()
    ids = newsroom.comments(2)
    watched = signed_in(newsroom, f"/dashboard/queue?site={newsroom.site}")
    page = watched.page
    expect(cards(page)).to_have_count(2)
    page.route("**/dashboard/api/decisions*", lambda route: route.abort())
    page.locator(f"#comment-{ids[0]}").get_by_role("button", name="Spam").click()
    expect(page.locator(f"#comment-{ids[0]} .card-error")).to_contain_text("nothing was saved")
    expect(cards(page)).to_have_count(2)
    assert service.statuses(ids) == dict.fromkeys(ids, "pending")
    page.unroute("**/dashboard/api/decisions*")
    page.locator(f"#comment-{ids[0]}").get_by_role("button", name="Spam").click()
    expect(page.locator(f"#comment-{ids[0]}")).to_have_count(0)  # removed once saved
    assert service.statuses([ids[0]]) == {ids[0]: "spam"}


def test_close_an_article_and_the_widget_refuses_new_comments(service: Service, signed_in):
    newsroom = service.newsroom(slug=DEMO_SITE)
    newsroom.comment("Before the close.", article=DEMO_ARTICLE)
    watched = signed_in(newsroom, f"/dashboard/articles?site={DEMO_SITE}")
    page = watched.page
    row = page.locator("tr", has=page.get_by_text(DEMO_ARTICLE, exact=True))
    row.get_by_role("button", name=re.compile("^Close")).click()
    expect(page.get_by_role("status").filter(has_text="Comments are closed")).to_be_visible()
    expect(row.get_by_role("button", name=re.compile("^Open"))).to_be_visible()
    assert_clean(watched)

    client = service.app.test_client()
    url = f"/api/v1/sites/{DEMO_SITE}/articles/{DEMO_ARTICLE.replace('/', '%2F')}/comments"
    token = client.get(url).headers["X-Form-Token"]
    refused = client.post(
        url, json={"body": "After the close.", "author_name": "Late", "form_token": token}
    )
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "article_closed"

    widget = page.context.new_page()
    widget.goto(f"{service.url}/demo/")
    widget.get_by_text("Comments are closed on this article.").wait_for()
    assert widget.get_by_role("button", name="Post comment").count() == 0


def _hostile_newsroom(service: Service) -> tuple[Any, dict[str, int]]:
    newsroom = service.newsroom(is_admin=True)
    article = "/hostile/<script>"
    parent = newsroom.comment(
        f"Parent {PAYLOAD} [x](javascript:window.__pwned())",
        article=article,
        author_name=f"Eve {PAYLOAD}",
        author_email="eve&x=(1)@example.org",
        article_title=f"Title {PAYLOAD}",
        article_url=f"{service.url}/a?q=<script>window.__pwned()</script>",
    )
    service.decide([parent], "approve")
    reply = newsroom.comment(
        f"<a href='javascript:window.__pwned()'>click</a> {PAYLOAD}",
        article=article,
        author_name='"><svg onload=window.__pwned()>',
        parent_id=parent,
    )
    client = service.app.test_client()
    client.post(f"/api/v1/comments/{parent}/flags", json={"reason": "abuse", "note": PAYLOAD})
    rejected = newsroom.comment(f"Rejected {PAYLOAD}", article=article)
    service.decide([rejected], "reject", reason=None, explanation=f"Because {PAYLOAD}")
    with service.app.app_context():
        from moderation.models import Article, Comment

        article_row = db.session.get_one(Article, db.session.get_one(Comment, parent).article_id)
        article_row.url = "javascript:window.__pwned()"
        db.session.commit()
        article_id = article_row.id
    return newsroom, {"parent": parent, "reply": reply, "article": article_id}


def test_hostile_content_on_every_page_runs_no_script(service: Service, signed_in, artifacts):
    newsroom, ids = _hostile_newsroom(service)
    watched = signed_in(newsroom)
    page = watched.page
    paths = [
        "/dashboard/",
        f"/dashboard/queue?site={newsroom.site}",
        f"/dashboard/queue?site={newsroom.site}&view=flagged",
        f"/dashboard/queue?site={newsroom.site}&view=approved",
        f"/dashboard/queue?site={newsroom.site}&view=rejected",
        f"/dashboard/queue?article={ids['article']}",
        f"/dashboard/comments/{ids['parent']}",
        f"/dashboard/comments/{ids['reply']}",
        "/dashboard/search?q=script",
        f"/dashboard/articles?site={newsroom.site}",
        "/dashboard/log",
        "/dashboard/sites",
        f"/dashboard/sites/{newsroom.site}",
        "/dashboard/moderators",
        "/dashboard/password",
    ]
    for path in paths:
        response = page.goto(f"{service.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        # Open every disclosure, so hidden parts are rendered too.
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        assert watched.pwned() == 0, path
        assert watched.violations() == [], path
        if path.endswith("view=approved") or path.startswith("/dashboard/sites/"):
            name = "hostile-card" if "queue" in path else "site"
            page.screenshot(path=str(artifacts / f"dashboard-{name}.png"), full_page=True)
    assert page.locator('a[href^="javascript"]').count() == 0

    # Decisions redraw cards from fetched HTML: still nothing runs.
    page.goto(f"{service.url}/dashboard/search?q=script")
    card = page.locator(f"#comment-{ids['reply']}")
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(page.locator(f"#comment-{ids['reply']} .badge")).to_have_text("approved")
    page.goto(f"{service.url}/dashboard/queue?site={newsroom.site}&view=approved")
    page.keyboard.press("s")
    page.keyboard.press("s")
    expect(page.locator("#queue-empty")).to_be_visible()
    assert_clean(watched)


def test_axe_finds_no_violations_on_the_queue(service: Service, signed_in, axe_source, artifacts):
    newsroom = service.newsroom(is_admin=True)
    root = newsroom.comment("The tram will change the quays for the better.")
    service.decide([root], "approve")
    newsroom.comment("Not if you live on the Lange Straat during the works.", parent_id=root)
    newsroom.comments(3, author_email="reader@example.org")
    service.app.test_client().post(
        f"/api/v1/comments/{root}/flags", json={"reason": "off_topic", "note": "Old news."}
    )
    # The dashboard's CSP would (rightly) block the injected audit script.
    watched = signed_in(
        newsroom,
        f"/dashboard/queue?site={newsroom.site}",
        bypass_csp=True,
        viewport={"width": 1200, "height": 1000},
    )
    page = watched.page
    expect(cards(page)).to_have_count(4)
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("r")  # a reject panel open, with its fields
    page.locator(".card.current details.original").evaluate("(d) => { d.open = true; }")
    page.screenshot(path=str(artifacts / "dashboard-queue.png"), full_page=True)
    page.add_script_tag(content=axe_source)
    audits = {}
    for path in (
        None,
        f"/dashboard/queue?site={newsroom.site}&view=flagged",
        "/dashboard/",
        "/dashboard/articles",
        "/dashboard/log",
        f"/dashboard/sites/{newsroom.site}",
    ):
        if path:
            page.goto(f"{service.url}{path}")
            page.add_script_tag(content=axe_source)
        results = page.evaluate(
            """async () => await axe.run(document,
                { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })"""
        )
        audits[path or "queue"] = [
            {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in results["violations"]
        ]
        if path == "/dashboard/":
            page.screenshot(path=str(artifacts / "dashboard-overview.png"), full_page=True)
    assert all(v == [] for v in audits.values()), json.dumps(audits, indent=2)
