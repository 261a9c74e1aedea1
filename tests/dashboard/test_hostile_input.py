"""Hostile names, emails, titles, URLs, notes and bodies on every dashboard page: escaped
everywhere, the sanitized HTML trusted in one macro only, and the CSP on every answer.

The browser tests (tests/dashboard_browser/) run the same pages in Chromium with a marker
function that any executed payload would call.
"""

# Fixtures imported from test_dashboard are used as arguments, which ruff takes for redefinitions.

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from moderation.dashboard.security import CONTENT_SECURITY_POLICY
from moderation.db import db
from moderation.models import Article, Comment

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = "<script>window.__pwned()</script><img src=x onerror=window.__pwned()>"
# Markup that must never reach a page unescaped.
RAW = ("<script>window.__pwned", "<img src=x onerror", "<svg onload", 'href="javascript')


@pytest.fixture
def hostile(app, admin_dash, post, client, decide):
    """Comments, a reply, a report and decisions whose every field is an attack."""
    parent = post(
        "/hostile/<script>",
        body=f"Parent {PAYLOAD} [x](javascript:window.__pwned())",
        author_name=f"Eve {PAYLOAD}",
        # The email check keeps angle brackets and quotes out; an & must still come out as text.
        author_email="eve&x=(1)/{}@example.org",
        article_title=f"Title {PAYLOAD}",
        article_url="https://news.example/a?q=<script>window.__pwned()</script>",
    ).get_json()["comment"]["id"]
    ids = {"parent": parent}
    decide(parent, "approve")
    reply = post(
        "/hostile/<script>",
        body=f"<a href='javascript:window.__pwned()'>click</a> {PAYLOAD}",
        author_name='"><svg onload=window.__pwned()>',
        author_email="x@example.org",
        parent_id=ids["parent"],
    ).get_json()["comment"]["id"]
    client.post(
        f"/api/v1/comments/{ids['parent']}/flags",
        json={"reason": "abuse", "note": f"note {PAYLOAD}"},
    )
    other = post("/hostile/<script>", body=f"Rejected {PAYLOAD}").get_json()["comment"]["id"]
    admin_dash.decide([other], "reject", reason="other", explanation=f"Because {PAYLOAD}")
    with app.app_context():
        # A URL that slipped past the origin check (an old row, a changed origin list).
        article = db.session.scalar(select(Article))
        article.url = "javascript:window.__pwned()"
        db.session.commit()
        article_id = article.id
    return {"parent": ids["parent"], "reply": reply, "other": other, "article": article_id}


def pages(ids: dict[str, int]) -> list[str]:
    return [
        "/dashboard/",
        "/dashboard/queue",
        "/dashboard/queue?view=flagged",
        "/dashboard/queue?view=approved",
        "/dashboard/queue?view=rejected",
        f"/dashboard/queue?article={ids['article']}",
        f"/dashboard/comments/{ids['parent']}",
        f"/dashboard/comments/{ids['reply']}",
        "/dashboard/search?q=script",
        "/dashboard/articles",
        "/dashboard/log",
        f"/dashboard/log?article={ids['article']}",
        "/dashboard/sites",
        "/dashboard/sites/news",
        "/dashboard/moderators",
    ]


def test_hostile_fields_are_escaped_on_every_page(admin_dash, hostile):
    for path in pages(hostile):
        response = admin_dash.page(path)
        html = response.get_data(as_text=True)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        for raw in RAW:
            assert raw not in html.lower(), (path, raw)
    queue = admin_dash.page("/dashboard/queue?view=approved").get_data(as_text=True)
    assert "Eve &lt;script&gt;window.__pwned()&lt;/script&gt;" in queue
    assert "Title &lt;script&gt;" in queue
    assert "eve&amp;x=(1)/{}@example.org" in queue
    # The hostile article URL is shown as text, never as a link.
    assert 'href="javascript' not in queue.lower()


def test_search_words_are_escaped_too(admin_dash, hostile):
    html = admin_dash.page("/dashboard/search", query_string={"q": PAYLOAD}).get_data(as_text=True)
    assert "<script>window.__pwned" not in html
    assert "&lt;script&gt;window.__pwned()&lt;/script&gt;" in html


def test_hostile_site_names_and_moderator_emails_are_escaped(app, admin_dash):
    admin_dash.form(
        "/dashboard/sites",
        {
            "slug": "evil",
            "name": f"Evil {PAYLOAD}",
            "origins": "https://evil.example",
            "mode": "pre",
            "edit_window_minutes": "15",
        },
        expect=302,
    )
    for path in ("/dashboard/sites", "/dashboard/sites/evil", "/dashboard/queue", "/dashboard/"):
        html = admin_dash.page(path).get_data(as_text=True)
        assert "<script>window.__pwned" not in html, path


def test_sanitized_html_is_trusted_in_exactly_one_macro():
    templates = sorted((ROOT / "templates" / "dashboard").glob("*.html"))
    assert templates
    trusted = []
    for template in templates:
        text = template.read_text()
        trusted += [(template.name, m) for m in re.findall(r"\|\s*safe\b", text)]
        assert "autoescape false" not in text, template.name
        assert "Markup" not in text, template.name
    assert trusted == [("_macros.html", "|safe")]
    macros = (ROOT / "templates" / "dashboard" / "_macros.html").read_text()
    macro = re.search(
        r"{% macro comment_html\(comment, words=\(\)\) -%}(.*?){%- endmacro %}", macros, re.S
    )
    # The stored HTML, with only the matched words marked (``highlight``), is trusted here.
    assert macro and "highlight_words(comment.html, words)|safe" in macro.group(1)
    for module in (ROOT / "moderation" / "dashboard").glob("*.py"):
        text = module.read_text()
        assert "Markup" not in text and "|safe" not in text, module.name


def test_no_template_has_inline_script_or_style():
    for template in (ROOT / "templates" / "dashboard").glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template.name
        assert not re.search(r"<style|\sstyle=|\son[a-z]+=", text), template.name


def test_comment_body_reaches_the_page_only_as_stored_sanitized_html(app, admin_dash, hostile):
    with app.app_context():
        stored = db.session.get_one(Comment, hostile["reply"]).html
    html = admin_dash.page(f"/dashboard/comments/{hostile['reply']}").get_data(as_text=True)
    assert f'<div class="comment-body" dir="auto">{stored}</div>' in html
