"""Reader-facing trip-ups of the widget, in Debian's Chromium: what the empty thread, the
reader's own waiting comments, a spam verdict, the theme, right-to-left text, plurals, reports,
rate limits and field errors look like to a person."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from moderation.db import db
from moderation.models import Comment, Status

from .test_widget import demo_page, post, seed

pytestmark = pytest.mark.browser

SHADOW = "document.querySelector('#comments').shadowRoot"
REVERSE_OWN = """() => {
  for (const key of Object.keys(localStorage)) if (key.startsWith('moderation:own:'))
    localStorage.setItem(key, JSON.stringify(JSON.parse(localStorage.getItem(key)).reverse()));
}"""


def page_at(open_page, service, body: str, path: str = "/tripups/page", **options):
    """A page of the site on the service's origin, with ``body`` (styles allowed) and the embed."""
    watched = open_page(**options)
    page = watched.page
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Page</title>
<link rel="icon" href="data:,"></head><body>{body}
<script src="{service.url}/embed.js" async></script></body></html>"""
    page.route(
        f"{service.url}{path}",
        lambda route: route.fulfill(status=200, content_type="text/html", body=html),
    )
    page.goto(f"{service.url}{path}")
    return watched


def wait_for_own(page, text):
    page.get_by_role("status").filter(has_text="awaits moderation").wait_for()
    page.locator(".thread li.c .body").filter(has_text=text).wait_for()


def test_no_empty_text_above_the_readers_own_waiting_comment(open_page, service):
    page = demo_page(open_page, service).page
    page.get_by_text("No comments yet").wait_for()
    post(page, "Is the tram line finished by 2028?")
    wait_for_own(page, "Is the tram line")
    page.reload()
    page.get_by_text("Awaiting moderation").wait_for()
    expect(page.locator(".notice[role=alert]")).to_have_text("")
    assert page.get_by_text("No comments yet").count() == 0


def test_the_readers_own_waiting_comments_follow_the_chosen_order(open_page, service):
    page = demo_page(open_page, service).page
    for text in ("First.", "Second.", "Third."):
        post(page, text)
        wait_for_own(page, text)
    # Remembered in another order than they were written (as another tab would leave them).
    page.evaluate(REVERSE_OWN)
    page.reload()
    bodies = page.locator(".thread > li.c > article .body")
    expect(bodies).to_have_text(["First.", "Second.", "Third."])
    page.get_by_label("Sort").select_option("newest")
    expect(bodies).to_have_text(["Third.", "Second.", "First."])
    page.get_by_label("Sort").select_option("oldest")
    expect(bodies).to_have_text(["First.", "Second.", "Third."])


def test_a_comment_caught_as_spam_awaits_moderation_for_its_author_across_reloads(
    open_page, service
):
    page = demo_page(open_page, service).page
    page.evaluate(f"{SHADOW}.querySelector('#ftop-website').value = 'https://spam.example'")
    post(page, "A real person, caught by mistake.")
    page.get_by_text("Awaiting moderation").wait_for()
    expect(page.get_by_role("status")).to_have_text(
        "Your comment was received and awaits moderation."
    )
    with service.app.app_context():
        assert [c.status for c in db.session.scalars(db.select(Comment))] == [Status.SPAM]
    page.reload()
    page.get_by_text("A real person, caught by mistake.").wait_for()
    page.get_by_text("Awaiting moderation").wait_for()
    assert page.get_by_text("Your comment was not published.").count() == 0


def root_background(page) -> str:
    page.get_by_role("button", name="Post comment").wait_for()
    return str(page.evaluate(f"getComputedStyle({SHADOW}.querySelector('.root')).backgroundColor"))


def test_auto_theme_is_light_on_a_light_page_of_a_dark_system(open_page, service):
    page = demo_page(open_page, service, color_scheme="dark").page  # the demo page is white
    assert root_background(page) == "rgb(255, 255, 255)"


@pytest.mark.parametrize(
    ("scheme", "style", "background"),
    [
        ("light", "background: #101418; color: #eee", "rgb(22, 24, 28)"),
        ("dark", "background: #fdf6e3", "rgb(255, 255, 255)"),
        ("dark", "", "rgb(22, 24, 28)"),  # no background at all: the system decides
        ("light", "", "rgb(255, 255, 255)"),
    ],
)
def test_auto_theme_follows_the_page_around_it(open_page, service, scheme, style, background):
    body = f"""<main style="{style}"><div><div id="comments" data-site="demo"
      data-article="/themed" data-theme="auto"></div></div></main>"""
    page = page_at(open_page, service, body, color_scheme=scheme).page
    assert root_background(page) == background


def test_right_to_left_comments_read_right_to_left(open_page, service):
    seed(service, "هذا تعليق باللغة العربية عن الترام.", name="سارة")
    page = demo_page(open_page, service).page
    page.get_by_text("هذا تعليق").wait_for()
    direction = "el => getComputedStyle(el).direction"
    assert page.locator(".thread .body").evaluate(direction) == "rtl"
    assert page.locator(".thread .author").evaluate(direction) == "rtl"
    assert page.get_by_label("Your comment").get_attribute("dir") == "auto"
    page.get_by_label("Your comment").fill("שלום")
    assert page.get_by_label("Your comment").evaluate(direction) == "rtl"


@pytest.mark.parametrize(
    ("lang", "one", "two"),
    [
        ("en", "1 comment", "2 comments"),
        ("fr", "1 commentaire", "2 commentaires"),
        ("nl", "1 reactie", "2 reacties"),
        ("de", "1 Kommentar", "2 Kommentare"),
    ],
)
def test_counts_and_headings_say_one_and_many_in_each_language(open_page, service, lang, one, two):
    seed(service, "One.", article="/one")
    seed(service, "Two.", article="/two")
    seed(service, "Three.", article="/two")
    body = f"""<p lang="{lang}"><span data-comment-count="/one" data-words></span>,
      <span data-comment-count="/two" data-words data-lang="{lang}"></span>,
      <span data-comment-count="/two"></span></p>
      <div id="comments" data-site="demo" data-article="/one" data-lang="{lang}"></div>"""
    page = page_at(open_page, service, body).page
    counts = page.locator("[data-comment-count]")
    expect(counts.nth(1)).to_have_text(two)
    expect(counts.nth(2)).to_have_text("2")
    page.get_by_role("heading", name=one, exact=True).wait_for()
    assert page.get_by_role("region", name=one).count() == 1


def test_a_report_needs_a_reason_chosen_by_the_reader(open_page, service):
    seed(service, "Everyone on the council is a crook.", name="Angry")
    page = demo_page(open_page, service).page
    page.get_by_role("button", name="Report").click()
    box = page.get_by_role("form", name="Report this comment")
    assert box.get_by_label("Reason").input_value() == ""
    box.get_by_role("button", name="Send report").click()
    reason = box.get_by_label("Reason")
    expect(reason).to_have_accessible_description("Please choose a reason.")
    expect(reason).to_have_attribute("aria-invalid", "true")
    assert page.evaluate(f"{SHADOW}.activeElement.name") == "reason"
    assert service.api("get", "/api/v1/sites/demo/queue?status=flagged")["comments"] == []
    reason.select_option("off_topic")
    box.get_by_role("button", name="Send report").click()
    page.get_by_text("Thank you, the moderators will look at it.").first.wait_for()


@pytest.mark.parametrize(
    ("lang", "retry_after", "message"),
    [
        ("en", "120", "Please wait 2 minutes."),
        ("en", "1", "Please wait 1 second."),
        ("fr", "45", "Veuillez patienter 45 secondes."),
        ("de", "300", "Bitte warten Sie 5 Minuten."),
    ],
)
def test_a_rate_limited_reader_is_told_how_long_to_wait(
    open_page, service, lang, retry_after, message
):
    watched = open_page()
    page = watched.page
    error = {"error": {"code": "rate_limited", "message": "Too many requests."}}
    page.route(
        "**/api/v1/sites/demo/articles/*/comments",
        lambda route: route.fulfill(
            status=429, headers={"Retry-After": retry_after}, body=json.dumps(error),
            content_type="application/json",
        ) if route.request.method == "POST" else route.continue_(),
    )  # fmt: skip
    page.goto(f"{service.url}/demo/?lang={lang}")
    form = page.locator("form").first
    form.locator("[name=author_name]").fill("Ann")
    form.locator("[name=body]").fill("Once more.")
    form.locator("button[type=submit]").click()
    form.locator(".error[role=alert]").filter(has_text=message).wait_for()


def test_an_empty_name_and_an_empty_body_are_both_shown_at_their_fields(open_page, service):
    page = demo_page(open_page, service).page
    page.get_by_role("button", name="Post comment").click()
    page.locator("#ftop-name-error").filter(has_text="Please fill in the name.").wait_for()
    page.locator("#ftop-body-error").filter(has_text="Please fill in the comment.").wait_for()
    assert page.evaluate(f"{SHADOW}.activeElement.name") == "author_name"
