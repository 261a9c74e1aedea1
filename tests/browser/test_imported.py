"""Comments imported from other systems, hostile in every field, shown to readers in the widget
and to a moderator in the dashboard: sanitized on the way in, and nothing in them runs."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from moderation import admin
from moderation.db import db
from moderation.importers import disqus, wordpress, writer
from moderation.models import Site

from ..importers.exports import (
    DisqusPost,
    DisqusThread,
    WpComment,
    WpItem,
    disqus_export,
    wordpress_export,
)

PASSWORD = "correct horse battery staple"
RUNS = '<img src=x onerror="__pwned()"><script>__pwned()</script>'
BODY = f'Kept words. {RUNS}<a href="javascript:__pwned()">link</a><svg onload="__pwned()">'
NAME = f'"Eve" <b>{RUNS}</b>'
TITLE = f"<title>{RUNS} & 'quoted'"
EMAIL = '"x<img src=x onerror=__pwned()>"@example.com'
#: What could run, found under a root: scripts, frames, handlers, script URLs (the widget draws
#: its identicons as SVG itself).
DANGER = """root => [...root.querySelectorAll("*")].flatMap(node =>
  ["SCRIPT", "IFRAME", "OBJECT", "EMBED"].includes(node.tagName.toUpperCase())
    ? [node.tagName]
    : [...node.attributes].filter(a => a.name.startsWith("on")
        || /^\\s*(javascript|data|vbscript):/i.test(a.value)).map(a => a.name))"""


def import_hostile(service, tmp_path: Path) -> None:
    thread = DisqusThread("t1", link="https://news.example/publisher/story", title=TITLE)
    posts = [
        DisqusPost("p2", "t1", parent="p1", message=f"A reply first. {BODY}", name=NAME),
        DisqusPost("p1", "t1", message=BODY, name=NAME, email=EMAIL),
    ]
    item = WpItem("9", title=TITLE, link="https://blog.example/publisher/story", comments=[
        WpComment("1", content=f"From WordPress. {BODY}", author=NAME, email=EMAIL,
                  url='javascript:__pwned()//"><script>__pwned()</script>'),
    ])  # fmt: skip
    with service.app.app_context():
        site = db.session.scalar(db.select(Site).where(Site.slug == "demo"))
        for source, read, path in (
            ("disqus", disqus.read, disqus_export(tmp_path, thread, *posts)),
            ("wordpress", wordpress.read, wordpress_export(tmp_path, item)),
        ):
            writer.import_records(db.session(), site, read(path), source=source,
                                  secret_key="browser-tests", processes=1)  # fmt: skip
            db.session.commit()
        admin.create_moderator(db.session(), "desk@demo.example", PASSWORD, ["demo"])
        db.session.commit()


def test_imported_hostile_comments_are_shown_inert(service, publisher, open_page, tmp_path):
    import_hostile(service, tmp_path)
    reader = open_page(publisher)
    expect(reader.page.get_by_role("heading", name="3 comments")).to_be_visible()
    expect(reader.page.get_by_text("A reply first.")).to_be_visible()
    expect(reader.page.get_by_text("From WordPress.")).to_be_visible()
    expect(reader.page.locator("#comments .author").first).to_contain_text('"Eve"')

    desk = open_page(f"{service.url}/dashboard/login")
    desk.page.get_by_label("Email").fill("desk@demo.example")
    desk.page.get_by_label("Password").fill(PASSWORD)
    desk.page.get_by_role("button", name="Sign in").click()
    desk.page.wait_for_url(f"{service.url}/dashboard/")
    desk.page.goto(f"{service.url}/dashboard/queue?view=approved&site=demo")
    expect(desk.page.locator("#cards .card")).to_have_count(3)
    expect(desk.page.locator("#cards")).to_contain_text("Kept words.")
    reader_dom = reader.page.locator("#comments").evaluate(f"host => ({DANGER})(host.shadowRoot)")
    assert reader_dom == []
    assert desk.page.evaluate(f"({DANGER})(document.getElementById('cards'))") == []
    for page in (reader, desk):
        # The pages' CSP would stop an inline handler too: that it had nothing to stop is the
        # proof that none was there.
        assert page.violations() == []
        assert page.pwned() == 0
        assert not [line for line in page.console if line.startswith("pageerror")]
