"""The reader's widget in Debian's Chromium: the whole loop on the demo page, and its safety."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from moderation.db import db
from moderation.models import Comment

from .conftest import DEMO_ARTICLE

pytestmark = pytest.mark.browser


def demo_page(open_page, service, **options):
    watched = open_page(f"{service.url}/demo/", **options)
    watched.page.locator("#comments").scroll_into_view_if_needed()
    watched.page.get_by_role("button", name="Post comment").wait_for()
    return watched


def post(page, text, name="Marie Peeters"):
    form = page.get_by_role("form", name="Write a comment")
    form.get_by_label("Name").fill(name)
    form.get_by_label("Your comment").fill(text)
    form.get_by_role("button", name="Post comment").click()


def seed(service, body, *, name="Reader", parent_id=None, article=DEMO_ARTICLE, **extra):
    """A comment through the HTTP API, approved by a moderator."""
    client = service.app.test_client()
    url = f"/api/v1/sites/demo/articles/{quote(article, safe='')}/comments"
    token = client.get(url).headers["X-Form-Token"]
    payload = {"body": body, "author_name": name, "form_token": token, **extra}
    if parent_id:
        payload["parent_id"] = parent_id
    response = client.post(url, json=payload)
    assert response.status_code == 201, response.get_json()
    comment_id = response.get_json()["comment"]["id"]
    service.decide(comment_id)
    return comment_id


def test_post_awaits_moderation_then_is_public_after_approval(open_page, service):
    watched = demo_page(open_page, service)
    page = watched.page
    post(page, "Finally a tram to the hospital.\n\nBut 140 trees is a lot.")
    page.get_by_text("Awaiting moderation").wait_for()
    expect(page.get_by_role("status")).to_have_text(
        "Your comment was received and awaits moderation."
    )
    # Across a reload, the author still sees it waiting; nobody else does.
    page.reload()
    page.get_by_text("Awaiting moderation").wait_for()
    stranger = demo_page(open_page, service).page
    stranger.get_by_text("No comments yet").wait_for()
    assert stranger.get_by_text("Finally a tram").count() == 0

    [comment_id] = service.pending_ids()
    service.decide(comment_id)
    stranger.reload()
    stranger.get_by_text("Finally a tram to the hospital.").wait_for()
    stranger.get_by_role("heading", name="1 comment").wait_for()
    page.reload()
    page.get_by_text("Finally a tram to the hospital.").wait_for()
    assert page.get_by_text("Awaiting moderation").count() == 0
    assert page.locator("time[datetime]").count() == 1


def test_reply_in_place(open_page, service):
    root = seed(service, "Who pays for the trees?", name="Tom")
    page = demo_page(open_page, service).page
    page.get_by_role("button", name="Reply to Tom").click()
    reply_form = page.get_by_role("form", name="Reply to Tom")
    reply_form.get_by_label("Name").fill("Ann")
    reply_form.get_by_label("Your comment").fill("The council, from the mobility budget.")
    reply_form.get_by_role("button", name="Post comment").click()
    nested = page.locator(f"#comment-{root} > ol > li")
    nested.get_by_text("The council, from the mobility budget.").wait_for()
    nested.get_by_text("Awaiting moderation").wait_for()
    [reply_id] = service.pending_ids()
    service.decide(reply_id)
    other = demo_page(open_page, service).page
    other.locator(f"#comment-{root} > ol > #comment-{reply_id}").wait_for()


def test_edit_and_delete_inside_the_window_and_refused_after(open_page, service):
    page = demo_page(open_page, service).page
    page.on("dialog", lambda dialog: dialog.accept())
    post(page, "First thoughts.")
    page.get_by_text("Awaiting moderation").wait_for()
    page.get_by_role("button", name="Edit").click()
    editor = page.get_by_role("form", name="Edit")
    assert editor.get_by_label("Your comment").input_value() == "First thoughts."
    editor.get_by_label("Your comment").fill("Second thoughts, <b>bolder</b>.")
    editor.get_by_role("button", name="Save").click()
    page.get_by_text("Second thoughts, bolder.").wait_for()
    assert page.locator(".body b").inner_text() == "bolder"

    page.get_by_role("button", name="Delete").click()
    page.get_by_role("status").filter(has_text="Your comment was deleted.").wait_for()
    assert page.get_by_text("Second thoughts").count() == 0

    post(page, "Too late to change.")
    page.get_by_text("Awaiting moderation").wait_for()
    with service.app.app_context():
        for comment in db.session.scalars(db.select(Comment)):
            comment.created_at -= timedelta(minutes=16)
        db.session.commit()
    page.get_by_role("button", name="Edit").click()
    page.get_by_role("form", name="Edit").get_by_label("Your comment").fill("Changed?")
    page.get_by_role("button", name="Save").click()
    page.get_by_text(re.compile("that time is over")).wait_for()
    page.get_by_role("button", name="Delete").click()
    page.get_by_text(re.compile("that time is over")).first.wait_for()
    assert len(service.pending_ids()) == 1


def test_report_a_comment_with_a_reason(open_page, service):
    comment_id = seed(service, "Everyone on the council is a crook.", name="Angry")
    page = demo_page(open_page, service).page
    page.get_by_role("button", name="Report").click()
    box = page.get_by_role("form", name="Report this comment")
    box.get_by_label("Reason").select_option("abuse")
    box.get_by_label("Note (optional)").fill("Insults, no argument.")
    box.get_by_role("button", name="Send report").click()
    page.get_by_text("Thank you, the moderators will look at it.").first.wait_for()
    flagged = service.api("get", "/api/v1/sites/demo/queue?status=flagged")["comments"]
    assert [c["id"] for c in flagged] == [comment_id]
    assert flagged[0]["flags"][0]["note"] == "Insults, no argument."


def test_counts_in_one_batch_including_elements_added_later(open_page, service):
    seed(service, "One.")
    seed(service, "Two.")
    seed(service, "Night buses, at last.", article="/2026/11/night-buses")
    watched = open_page(f"{service.url}/demo/")
    page = watched.page
    page.locator('[data-comment-count="/2026/11/night-buses"]').filter(has_text="1").wait_for()
    page.locator(f'[data-comment-count="{DEMO_ARTICLE}"]').first.filter(has_text="2").wait_for()
    count_requests = [u for u in watched.requests if "/counts?" in u]
    assert len(count_requests) == 1, count_requests
    assert count_requests[0].count("article=") == 3
    page.evaluate(
        """() => { const s = document.createElement('span');
        s.dataset.commentCount = '/2026/11/night-buses'; s.id = 'late';
        document.body.append(s); }"""
    )
    page.locator("#late").filter(has_text="1").wait_for()


def test_keyboard_alone_can_post(open_page, service):
    page = demo_page(open_page, service).page
    page.locator("body").click(position={"x": 5, "y": 5})
    active = "document.querySelector('#comments').shadowRoot.activeElement?.name ?? null"
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate(active) == "author_name":
            break
    assert page.evaluate(active) == "author_name"
    page.keyboard.type("Kim Keyboard")
    page.keyboard.press("Tab")
    assert page.evaluate(active) == "author_email"
    page.keyboard.press("Tab")
    assert page.evaluate(active) == "body"
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")  # the honeypot is out of the tab order
    assert page.evaluate(
        "document.querySelector('#comments').shadowRoot.activeElement.textContent"
    ) == ("Post comment")
    page.keyboard.press("Enter")
    page.get_by_text("Awaiting moderation").wait_for()


def test_server_errors_show_next_to_their_field_and_keep_the_text(open_page, service):
    page = demo_page(open_page, service).page
    form = page.get_by_role("form", name="Write a comment")
    form.get_by_label("Your comment").fill("My carefully written comment.")
    form.get_by_role("button", name="Post comment").click()  # no name
    error = page.locator("#ftop-name-error")
    error.filter(has_text="Please fill in the name.").wait_for()
    assert form.get_by_label("Your comment").input_value() == "My carefully written comment."
    assert page.evaluate("document.querySelector('#comments').shadowRoot.activeElement.name") == (
        "author_name"
    )


def test_a_comment_whose_answer_was_lost_is_sent_again_and_stored_once(open_page, service):
    page = demo_page(open_page, service).page
    sent: list[dict] = []

    def lose_the_first_answer(route):
        sent.append(dict(route.request.headers))
        if len(sent) == 1:
            route.fetch()  # the service stores the comment; its answer never arrives
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route(re.compile(r".*/articles/.*/comments$"), lambda route: (
        lose_the_first_answer(route) if route.request.method == "POST" else route.continue_()
    ))  # fmt: skip
    post(page, "Sent once, whatever the network does.")
    page.get_by_text("Awaiting moderation").wait_for()
    assert len(sent) == 2
    assert sent[0]["idempotency-key"] == sent[1]["idempotency-key"]
    with service.app.app_context():
        bodies = list(db.session.scalars(db.select(Comment.body_text)))
    assert bodies == ["Sent once, whatever the network does."]
    # The answer to the retry carries the comment's own edit token: its author can still edit.
    page.get_by_role("button", name="Edit").click()
    editor = page.get_by_role("form", name="Edit")
    editor.get_by_label("Your comment").fill("Sent once, and edited.")
    editor.get_by_role("button", name="Save").click()
    page.get_by_text("Sent once, and edited.").wait_for()


def test_closed_article_says_so(open_page, service):
    seed(service, "Before closing.")
    with service.app.app_context():
        from moderation.models import Article

        for article in db.session.scalars(db.select(Article)):
            article.closed = True
            article.version += 1
        db.session.commit()
    page = open_page(f"{service.url}/demo/").page
    page.get_by_text("Comments are closed on this article.").wait_for()
    assert page.get_by_role("button", name="Post comment").count() == 0


def test_strict_csp_cross_origin_page_works_without_violations(open_page, service, publisher):
    watched = open_page(f"{publisher}/")
    page = watched.page
    page.get_by_role("button", name="Post comment").wait_for()
    post(page, "Posted from the publisher's own page.")
    page.get_by_text("Awaiting moderation").wait_for()
    page.locator('[data-comment-count="/publisher/story"]').filter(has_text="0").wait_for()
    assert watched.violations() == []
    assert not [m for m in watched.console if "Content Security Policy" in m or "error" in m]


HOSTILE = [
    "<script>__pwned()</script>",
    "<img src=x onerror=__pwned()>",
    '<a href="javascript:__pwned()">click me</a>',
    "<svg onload=__pwned()><script>__pwned()</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=__pwned()>",
    '<iframe src="javascript:__pwned()"></iframe>',
    '<a href="https://example.org" onmouseover="__pwned()">hover</a>',
    '<details open ontoggle="__pwned()"><summary>x</summary></details>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<img src="https://evil.example/tracker.gif">',
    '<form action="https://evil.example"><button>go</button></form>',
    "<!--><script>__pwned()</script>-->",
]
HOSTILE_NAMES = [
    "<img src=x onerror=__pwned()>",
    '"><script>__pwned()</script>',
    "<svg/onload=__pwned()>",
]


def test_hostile_comments_run_no_script_and_reach_no_other_origin(open_page, service):
    root = seed(
        service,
        HOSTILE[0],
        name=HOSTILE_NAMES[0],
        article_title="</title><script>__pwned()</script>",
        article_url=f"{service.url}/demo/?x=<script>__pwned()</script>",
    )
    for i, body in enumerate(HOSTILE[1:]):
        seed(
            service,
            body,
            name=HOSTILE_NAMES[i % len(HOSTILE_NAMES)],
            parent_id=root if i % 2 else None,
        )
    watched = demo_page(open_page, service)
    page = watched.page
    page.get_by_role("heading", name=f"{len(HOSTILE)} comments").wait_for()
    for link in page.locator(".body a").all():
        link.hover()
        link.click(modifiers=["Control"], no_wait_after=True)
    page.locator("#comments").hover()
    for name in HOSTILE_NAMES:
        assert page.get_by_text(name, exact=True).count() >= 1, "names are shown as text"
    assert watched.pwned() == 0
    foreign = [u for u in watched.requests if not u.startswith((service.url, "data:", "about:"))]
    assert foreign == []


def test_axe_finds_no_accessibility_violations(open_page, service, axe_source):
    seed(service, "An approved comment, with a <a href='https://example.org'>link</a>.")
    # The demo page's own CSP would (rightly) block the injected audit script.
    page = demo_page(open_page, service, bypass_csp=True).page
    post(page, "A pending one.")
    page.get_by_text("Awaiting moderation").wait_for()
    page.get_by_role("button", name=re.compile("Reply to")).first.click()
    page.add_script_tag(content=axe_source)
    results = page.evaluate(
        """async () => await axe.run({ include: [['#comments']] },
            { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })"""
    )
    violations = [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in results["violations"]
    ]
    assert violations == [], json.dumps(violations, indent=2)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshot_light_and_dark(open_page, service, artifacts, scheme, axe_source):
    root = seed(service, "The tram will change the quays for the better.", name="Lotte")
    seed(
        service,
        "Not if you live on the Lange Straat during the works.",
        name="Bram",
        parent_id=root,
    )
    watched = demo_page(
        open_page,
        service,
        color_scheme=scheme,
        viewport={"width": 800, "height": 900},
        bypass_csp=True,  # for the injected audit script only
    )
    page = watched.page
    post(page, "Shops will need help during the works.")
    page.get_by_text("Awaiting moderation").wait_for()
    page.locator("#comments").screenshot(path=str(artifacts / f"widget-{scheme}.png"))
    # Contrast holds in both themes.
    page.add_script_tag(content=axe_source)
    results = page.evaluate(
        "async () => await axe.run({ include: [['#comments']] }, { runOnly: ['color-contrast'] })"
    )
    assert results["violations"] == []


@pytest.mark.parametrize(
    ("lang", "button", "empty"),
    [
        ("fr", "Publier", "Aucun commentaire pour l'instant."),
        ("nl", "Plaatsen", "Nog geen reacties."),
        ("de", "Kommentar senden", "Noch keine Kommentare."),
    ],
)
def test_speaks_the_pages_language(open_page, service, lang, button, empty):
    page = open_page(f"{service.url}/demo/?lang={lang}").page
    page.get_by_role("button", name=button).wait_for()
    page.get_by_text(empty).wait_for()
    assert page.evaluate("document.documentElement.lang") == lang
