"""The widget takes over the thread the publisher's server placed in its container
(GET …/comments.html): drawn at once from the markup, the first page never loaded again, hostile
content inert, and the article's feed announced in the page's head."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from .conftest import _PublisherPage
from .test_widget import post, seed

pytestmark = pytest.mark.browser

ARTICLE = "/publisher/story"  # the article of the publisher's page (conftest)
HOSTILE_NAME = '<img src=x onerror="__pwned()"><script>__pwned()</script>'
HOSTILE_BODY = "<script>__pwned()</script><img src=x onerror=__pwned()> Trams, at last."

# The widget's shadow root as it stands when the widget says it is ready (the end of the task
# that attached it): the comments must be drawn by then, so no frame shows an empty thread.
AT_READY = """
document.addEventListener("moderation:ready", () => {
  const root = document.querySelector("#comments").shadowRoot;
  window.__drawnAtReady = root ? root.querySelectorAll("li.c").length : -1;
});
"""


def test_widget_takes_over_the_server_rendered_thread(open_page, service, publisher):
    root = seed(
        service, HOSTILE_BODY, name=HOSTILE_NAME, article=ARTICLE,
        article_title="</title><script>__pwned()</script>",
    )  # fmt: skip
    reply = seed(service, "Who pays for the trees?", name="Tom", parent_id=root, article=ARTICLE)
    path = f"/api/v1/sites/demo/articles/{quote(ARTICLE, safe='')}/comments.html"
    _PublisherPage.container = service.app.test_client().get(path).get_data(as_text=True)

    watched = open_page()
    page = watched.page
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.add_init_script(AT_READY)
    page.goto(publisher)

    # The widget's own rendering (its reply buttons), with the reply under its parent.
    host = page.locator("#comments")
    page.get_by_role("button", name="Reply to Tom").wait_for()
    shadow = "document.querySelector('#comments').shadowRoot"
    assert page.evaluate(f"{shadow}.querySelectorAll('li.c').length") == 2
    assert page.evaluate("window.__drawnAtReady") == 2, "drawn in the task that hid the markup"
    nested = f"#comment-{root} > ol > #comment-{reply}"
    assert page.evaluate(f"!!{shadow}.querySelector('{nested}')")
    author = page.evaluate(f"{shadow}.querySelector('#comment-{root} .author').textContent")
    assert author == HOSTILE_NAME
    body = page.evaluate(f"{shadow}.querySelector('#comment-{root} .body').textContent")
    assert "Trams, at last." in body
    assert host.get_by_role("heading", name="2 comments").count() == 1

    # Feed links: one in the head, one in the widget.
    feeds = page.evaluate(
        """[...document.querySelectorAll('head link[rel="alternate"]')]
             .map((l) => [l.type, l.href])"""
    )
    assert len(feeds) == 1 and feeds[0][0] == "application/atom+xml"
    assert feeds[0][1].endswith(f"/articles/{quote(ARTICLE, safe='')}/feed.atom")
    assert host.get_by_role("link", name="Comment feed").get_attribute("href") == feeds[0][1]

    # The first page was never asked for again: the only thread read is the editors' picks.
    thread_reads = [
        url for url in watched.requests if "/comments" in url and "/api/v1/sites/" in url
    ]
    assert thread_reads and all("featured=true" in url for url in thread_reads), thread_reads
    assert not [url for url in watched.requests if "comments.html" in url]

    # A comment written in the taken-over widget carries the form token its picks handed out.
    post(page, "Written after the takeover.")
    page.get_by_text("Awaiting moderation").wait_for()
    [held] = service.api("get", "/api/v1/sites/demo/queue")["comments"]
    assert "no_form_token" not in held["held_because"]

    assert watched.pwned() == 0 and dialogs == []
    assert not watched.errors()
