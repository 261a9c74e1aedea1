"""The widget with signed-in readers, staff, featured comments, reactions and permalinks, in
Debian's Chromium, on a publisher's page of its own origin that passes a reader's token."""

from __future__ import annotations

import html
import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlparse

import jwt
import pytest
from playwright.sync_api import expect

from moderation import admin
from moderation.comments import readers as accounts
from moderation.db import db
from moderation.models import Comment, Site

from .conftest import send_publisher_page

pytestmark = pytest.mark.browser

ARTICLE = "/publisher/story"
HOSTILE = '<img src=x onerror="window.__xss=1">'
HOSTILE_BADGE = "<img src=x onerror=__xss=1>"
AXE_RULES = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


class _SignedInPage(BaseHTTPRequestHandler):
    """A publisher's article whose login put the reader's token (``?token=``) on the embed."""

    service = ""

    def do_GET(self):
        token = parse_qs(urlparse(self.path).query).get("token", [""])[0]
        attribute = f' data-reader-token="{html.escape(token)}"' if token else ""
        body = f"""<h1>An article for signed-in readers</h1>
<div id="comments" data-site="demo" data-article="{ARTICLE}"{attribute}></div>"""
        send_publisher_page(self, type(self).service, "Signed-in article", body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def signed_in_publisher() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SignedInPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@dataclass
class Login:
    """The publisher's login: the site's SSO secret, tokens signed with it, pages that carry
    them, and the site's settings of who may comment."""

    service: Any
    url: str
    secret: str

    def token(self, sub: str = "reader-1", name: str = "Ada Lovelace", **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "sub": sub,
            "name": name,
            "iat": now,
            "exp": now + 3600,
            "jti": uuid.uuid4().hex,
            **claims,
        }
        return jwt.encode(payload, self.secret, algorithm="HS256")

    def open(self, open_page: Any, token: str | None = None, fragment: str = "", **options):
        query = f"?{urlencode({'token': token})}" if token else ""
        watched = open_page(f"{self.url}/{query}{fragment}", **options)
        watched.page.locator("#comments").scroll_into_view_if_needed()
        return watched

    def readers(self, **settings: Any) -> None:
        with self.service.app.app_context():
            admin.update_readers(db.session(), _site(), **settings)
            db.session.commit()


def _site() -> Site:
    return db.session.scalars(db.select(Site).where(Site.slug == "demo")).one()


@pytest.fixture
def login(service, signed_in_publisher) -> Login:
    _SignedInPage.service = service.url
    with service.app.app_context():
        site = _site()
        site.origins = [*site.origins, signed_in_publisher]
        secret = accounts.rotate_secret(db.session(), site)
        db.session.commit()
    return Login(service=service, url=signed_in_publisher, secret=secret)


def thread_url(article: str = ARTICLE) -> str:
    return f"/api/v1/sites/demo/articles/{quote(article, safe='')}/comments"


def seed(service, body: str, name: str = "Reader") -> int:
    """A guest's comment through the HTTP API, approved by a moderator."""
    client = service.app.test_client()
    form_token = client.get(thread_url()).headers["X-Form-Token"]
    response = client.post(
        thread_url(), json={"body": body, "author_name": name, "form_token": form_token}
    )
    assert response.status_code == 201, response.get_json()
    comment_id = response.get_json()["comment"]["id"]
    service.decide(comment_id)
    return int(comment_id)


def staff_posts(service, token: str, bodies: list[str]) -> list[int]:
    """Comments by a staff member (approved at once), through the HTTP API."""
    client = service.app.test_client()
    ids = []
    for body in bodies:
        form_token = client.get(thread_url()).headers["X-Form-Token"]
        response = client.post(
            thread_url(),
            json={"body": body, "author_name": "ignored", "form_token": form_token},
            headers={"X-Reader-Token": token},
        )
        assert response.status_code == 201, response.get_json()
        assert response.get_json()["comment"]["status"] == "approved"
        ids.append(int(response.get_json()["comment"]["id"]))
    return ids


def write(page, text: str) -> None:
    form = page.get_by_role("form", name="Write a comment")
    form.get_by_label("Your comment").fill(text)
    form.get_by_role("button", name="Post comment").click()


def audit(page, axe_source: str) -> None:
    page.add_script_tag(content=axe_source)
    results = page.evaluate(
        "async (rules) => await axe.run({ include: [['#comments']] }, { runOnly: rules })",
        AXE_RULES,
    )
    violations = [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]} for v in results["violations"]
    ]
    assert violations == [], json.dumps(violations, indent=2)


def shadow_active(page) -> str | None:
    return page.evaluate(
        "document.querySelector('#comments').shadowRoot.activeElement?.closest('li')?.id ?? null"
    )


def test_a_token_on_the_page_signs_the_reader_in_and_names_their_comment(
    open_page, service, login, axe_source
):
    token = login.token(name="Ada Lovelace", badges=["Subscriber", "Since 2019"])
    watched = login.open(open_page, token, bypass_csp=True)  # for the injected audit only
    page = watched.page
    who = page.locator(".who")
    expect(who).to_contain_text("Signed in as Ada Lovelace")
    expect(who.locator(".badge")).to_have_text(["Subscriber", "Since 2019"])
    form = page.get_by_role("form", name="Write a comment")
    assert form.get_by_label("Name").count() == 0
    assert form.get_by_label(re.compile("^Email")).count() == 0
    audit(page, axe_source)

    sent: list[dict[str, str]] = []
    page.on("request", lambda r: sent.append(r.headers) if r.method == "POST" else None)
    write(page, "Signed in, so my name is the login's.")
    mine = page.locator("li.c").filter(has_text="Signed in, so my name is the login's.")
    expect(mine.locator(".author")).to_have_text("Ada Lovelace")
    expect(mine.locator(".badge")).to_have_text(["Subscriber", "Since 2019"])
    mine.get_by_text("Awaiting moderation").wait_for()  # the demo site moderates first
    assert sent[0]["x-reader-token"] == token
    assert "x-guest-key" not in sent[0]
    with service.app.app_context():
        [stored] = db.session.scalars(db.select(Comment)).all()
        assert stored.author_name == "Ada Lovelace"

    # A page that signs out without reloading: the token is refused from now on.
    page.evaluate("window.ModerationComments.signOut()")
    page.get_by_role("form", name="Write a comment").get_by_label("Name").wait_for()
    assert page.locator(".who").count() == 0
    refused = service.app.test_client().get(
        "/api/v1/sites/demo/reader", headers={"X-Reader-Token": token}
    )
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "invalid_reader_token"

    # ...and signs in again, another reader, keeping what was typed.
    page.get_by_role("form", name="Write a comment").get_by_label("Your comment").fill("Draft.")
    page.evaluate("(t) => window.ModerationComments.signIn(t)", login.token(sub="r2", name="Bo"))
    expect(page.locator(".who")).to_contain_text("Signed in as Bo")
    expect(
        page.get_by_role("form", name="Write a comment").get_by_label("Your comment")
    ).to_have_value("Draft.")
    assert watched.errors() == []


def test_a_staff_comment_is_public_at_once_with_its_badge(open_page, service, login):
    token = login.token(sub="editor-7", name="Ines Verhaegen", role="staff")
    page = login.open(open_page, token).page
    expect(page.locator(".who .badge.staff")).to_have_text("Staff")
    write(page, "From the newsroom: the route map is now online.")
    mine = page.locator("li.c").filter(has_text="From the newsroom")
    expect(mine.locator(".badge.staff")).to_have_text("Staff")
    page.get_by_role("status").filter(has_text="Your comment was posted.").wait_for()
    assert mine.get_by_text("Awaiting moderation").count() == 0
    assert service.pending_ids() == []

    stranger = login.open(open_page).page
    theirs = stranger.locator("li.c").filter(has_text="From the newsroom")
    expect(theirs.locator(".author")).to_have_text("Ines Verhaegen")
    expect(theirs.locator(".badge.staff")).to_have_text("Staff")


def test_a_featured_comment_is_shown_first_in_its_own_tab(open_page, service, login, axe_source):
    seed(service, "First, unremarkable.", name="Tom")
    picked = seed(service, "A careful answer with sources.", name="Lotte")
    seed(service, "Third, also plain.", name="Bram")
    service.decide(picked, "feature")
    page = login.open(open_page, bypass_csp=True).page

    tabs = page.get_by_role("tab")
    expect(tabs).to_have_text(["Featured (1)", "All comments"])
    featured_tab = page.get_by_role("tab", name="Featured (1)")
    expect(featured_tab).to_have_attribute("aria-selected", "true")
    panel = page.get_by_role("tabpanel")
    expect(panel).to_have_count(1)
    expect(panel.locator("li.c")).to_have_count(1)
    expect(panel.locator("li.c .body")).to_have_text("A careful answer with sources.")
    expect(panel.locator(".badge.featured")).to_have_text("Featured")
    audit(page, axe_source)

    # The keyboard moves between the tabs; the thread has all three, the pick marked.
    featured_tab.focus()
    page.keyboard.press("ArrowRight")
    all_tab = page.get_by_role("tab", name="All comments")
    expect(all_tab).to_have_attribute("aria-selected", "true")
    expect(all_tab).to_be_focused()
    panel = page.get_by_role("tabpanel")
    expect(panel.locator("li.c")).to_have_count(3)
    expect(page.locator(f"#comment-{picked} .badge.featured")).to_have_text("Featured")
    audit(page, axe_source)

    service.decide(picked, "unfeature")
    page.reload()
    page.get_by_text("Third, also plain.").wait_for()
    assert page.get_by_role("tab").count() == 0
    assert page.get_by_role("tabpanel").count() == 0


def _reloaded_until(page, comment_id: int, count: str, within: float = 3.0):
    """Reload until the thread shows ``count`` for the comment: a reaction shows in every read
    within 2 s (a thread's cache key follows reactions once a second: threads.reaction_mark)."""
    deadline = time.monotonic() + within
    while True:
        page.reload()
        button = page.locator(f"#comment-{comment_id} button.react")
        button.locator(".count").wait_for()
        if button.locator(".count").inner_text() == count or time.monotonic() > deadline:
            expect(button.locator(".count")).to_have_text(count)
            return button
        time.sleep(0.25)


def test_a_reaction_and_taking_it_back_survive_a_reload(open_page, service, login, axe_source):
    comment_id = seed(service, "Worth a respect.", name="Tom")
    watched = login.open(open_page, bypass_csp=True)
    page = watched.page
    button = page.locator(f"#comment-{comment_id} button.react")
    expect(button).to_have_text(re.compile(r"^Respect\s*0$"))
    expect(button).to_have_attribute("aria-pressed", "false")

    with page.expect_request(lambda r: r.url.endswith("/reactions")) as reacting:
        button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button.locator(".count")).to_have_text("1")
    guest_key = reacting.value.headers["x-guest-key"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", guest_key)
    assert page.evaluate("JSON.parse(localStorage.getItem('moderation:guest-key'))") == guest_key
    audit(page, axe_source)

    button = _reloaded_until(page, comment_id, "1")
    expect(button).to_have_attribute("aria-pressed", "true")

    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(button.locator(".count")).to_have_text("0")
    button = _reloaded_until(page, comment_id, "0")
    expect(button).to_have_attribute("aria-pressed", "false")

    # A browser that forgot it reacted is told so by the service (409) and shows it pressed.
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    page.evaluate(
        "Object.keys(localStorage).filter((k) => k.startsWith('moderation:reacted:'))"
        ".forEach((k) => localStorage.removeItem(k))"
    )
    page.reload()
    button = page.locator(f"#comment-{comment_id} button.react")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert watched.errors() == [] or all("409" in m for m in watched.errors())


def test_a_permalink_opens_its_comment_pages_down_a_long_thread(open_page, service, login):
    staff = login.token(sub="editor-1", name="Newsroom", role="staff")
    ids = staff_posts(service, staff, [f"Comment number {n}." for n in range(1, 126)])
    target = ids[49]  # on the third page of twenty
    watched = login.open(open_page, fragment=f"#comment-{target}")
    page = watched.page
    linked = page.locator(f"#comment-{target}")
    expect(linked).to_have_class(re.compile(r"\bhighlight\b"))
    expect(linked.locator(".body")).to_have_text("Comment number 50.")
    assert shadow_active(page) == f"comment-{target}"
    assert page.locator("li.c").count() == 60
    assert linked.locator("a.permalink").get_attribute("href") == f"#comment-{target}"
    assert linked.evaluate(
        "(li) => { const r = li.getBoundingClientRect();"
        " return r.top < innerHeight && r.bottom > 0; }"
    )

    # Another link on the same page, further down: more pages, the highlight moves.
    further = ids[118]
    page.evaluate("(id) => { location.hash = `#comment-${id}`; }", further)
    expect(page.locator(f"#comment-{further}")).to_have_class(re.compile(r"\bhighlight\b"))
    expect(page.locator(".highlight")).to_have_count(1)
    assert shadow_active(page) == f"comment-{further}"
    assert watched.errors() == []


def test_a_readers_only_site_shows_guests_the_sign_in_link_not_the_form(open_page, service, login):
    seed(service, "Written before the site went readers-only.")
    login.readers(commenters="readers", login_url="https://login.example/sign-in?next=story")
    page = login.open(open_page).page
    link = page.get_by_role("link", name="Sign in to comment")
    expect(link).to_have_attribute("href", "https://login.example/sign-in?next=story")
    page.get_by_text("Written before the site went readers-only.").wait_for()
    assert page.get_by_role("form", name="Write a comment").count() == 0
    assert page.get_by_role("button", name="Post comment").count() == 0
    # Replying asks for signing in too.
    page.get_by_role("button", name=re.compile("^Reply to")).click()
    expect(page.get_by_role("link", name="Sign in to comment")).to_have_count(2)

    # Signed in, the same guest gets the form.
    signed = login.open(open_page, login.token()).page
    signed.get_by_role("form", name="Write a comment").wait_for()
    assert signed.get_by_role("link", name="Sign in to comment").count() == 0


def test_a_site_that_turns_readers_only_under_an_open_form_answers_sign_in(
    open_page, service, login
):
    login.readers(commenters="mixed", login_url="https://login.example/")
    page = login.open(open_page).page
    page.get_by_text("Comments from guests are reviewed by a moderator").wait_for()
    form = page.get_by_role("form", name="Write a comment")
    form.get_by_label("Name").fill("Guest")
    login.readers(commenters="readers")
    write(page, "Typed as a guest.")
    link = page.get_by_role("link", name="Sign in to comment")
    expect(link).to_have_attribute("href", "https://login.example/")
    assert page.get_by_role("form", name="Write a comment").count() == 0
    with service.app.app_context():
        assert db.session.scalars(db.select(Comment)).all() == []


def test_a_hostile_name_and_badges_in_a_token_are_shown_as_text(open_page, service, login):
    # A badge is a short label, and any characters may be in it: it is text wherever it shows.
    token = login.token(name=HOSTILE, badges=[HOSTILE_BADGE, "Subscriber"])
    watched = login.open(open_page, token)
    page = watched.page
    who = page.locator(".who")
    expect(who.locator("strong")).to_have_text(HOSTILE)
    expect(who.locator(".badge")).to_have_text([HOSTILE_BADGE, "Subscriber"])
    write(page, "Harmless text.")
    mine = page.locator("li.c").filter(has_text="Harmless text.")
    expect(mine.locator(".author")).to_have_text(HOSTILE)
    [pending] = service.pending_ids()
    service.decide(pending)
    stranger = login.open(open_page)
    expect(stranger.page.locator(".author")).to_have_text(HOSTILE)
    expect(stranger.page.locator("li.c .badge").first).to_have_text(HOSTILE_BADGE)
    for one in (page, stranger.page):
        assert one.evaluate("typeof window.__xss") == "undefined"
        assert one.locator("#comments img").count() == 0
    assert watched.pwned() == 0

    # A token the service refuses (a badge too long to be one) leaves the reader a guest.
    refused = login.token(name="Ada", badges=["x" * 40])
    watched = login.open(open_page, refused)
    page = watched.page
    page.get_by_role("form", name="Write a comment").get_by_label("Name").wait_for()
    expect(page.get_by_role("alert").filter(has_text="badge")).to_have_count(1)
    assert page.locator(".who").count() == 0


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_badges_tabs_and_reactions_keep_contrast_in_both_themes(
    open_page, service, login, artifacts, axe_source, scheme
):
    token = login.token(sub="editor-2", name="Ines", role="staff", badges=["City desk"])
    [picked] = staff_posts(service, token, ["The council's answer, in full."])
    service.decide(picked, "feature")
    seed(service, "A guest's question.", name="Tom")
    watched = login.open(
        open_page, token, color_scheme=scheme, viewport={"width": 800, "height": 1000},
        bypass_csp=True,
    )  # fmt: skip
    page = watched.page
    page.get_by_role("tab", name="Featured (1)").wait_for()
    page.locator(f"#featured-{picked} button.react").click()
    expect(page.locator(f"#featured-{picked} button.react")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.locator("#comments").screenshot(path=str(artifacts / f"identity-{scheme}.png"))
    page.get_by_role("tab", name="All comments").click()
    # The thread's copy of the pick follows the reaction given in the Featured tab.
    expect(page.locator(f"#comment-{picked} button.react")).to_have_attribute(
        "aria-pressed", "true"
    )
    page.evaluate("(id) => { location.hash = `#comment-${id}`; }", picked)
    expect(page.locator(f"#comment-{picked}")).to_have_class(re.compile(r"\bhighlight\b"))
    audit(page, axe_source)
