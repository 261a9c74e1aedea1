"""The allowlist: what a reader may format survives, everything else shows as text."""

from __future__ import annotations

import time
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation import sanitize
from moderation.sanitize import (
    clean_fragment,
    final_pass,
    normalise_text,
    sanitize_comment,
    visible_text,
)
from tests.test_links import ADVERSARIAL, adversarial_text, assert_linear

REL = 'rel="nofollow ugc noopener"'


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("plain words", "<p>plain words</p>"),
        ("one\ntwo", "<p>one<br>\ntwo</p>"),
        ("one\n\n\ntwo", "<p>one</p>\n<p>two</p>"),
        ("<em>a</em> <strong>b</strong> <i>c</i> <b>d</b>", "<p><em>a</em> <strong>b</strong> <i>c</i> <b>d</b></p>"),
        ("<blockquote>quoted</blockquote>", "<blockquote>quoted</blockquote>"),
        ("<code>x = 1</code>", "<p><code>x = 1</code></p>"),
        ("<pre>a\n  b</pre>", "<pre>a\n  b</pre>"),
        ("<ul><li>a</li><li>b</li></ul>", "<ul><li>a</li><li>b</li></ul>"),
        ("<ol><li>a</li></ol>", "<ol><li>a</li></ol>"),
        (
            "see https://example.com/a?b=1&c=2",
            f'<p>see <a href="https://example.com/a?b=1&amp;c=2" {REL}>https://example.com/a?b=1&amp;c=2</a></p>',
        ),
        ('<a href="https://example.com" rel="me" title="t">x</a>', f'<p><a href="https://example.com" {REL}>x</a></p>'),
        ("<a href='mailto:ed@example.com'>mail</a>", f'<p><a href="mailto:ed@example.com" {REL}>mail</a></p>'),
        ("<code>https://example.com</code>", "<p><code>https://example.com</code></p>"),
        ("a < b && c > d", "<p>a &lt; b &amp;&amp; c &gt; d</p>"),
        ("<h1>big</h1>", "<p>&lt;h1&gt;big&lt;/h1&gt;</p>"),
        ("<img src=x>", "<p>&lt;img src=x&gt;</p>"),
        ("<em>unclosed", "<p><em>unclosed</em></p>"),
        ("a\x00b\x07c\u2028d", "<p>abcd</p>"),
        ("\r\nwindows\r\n\r\nlines\r\n", "<p>windows</p>\n<p>lines</p>"),
    ],
)  # fmt: skip
def test_allowlist(body, html):
    assert sanitize_comment(body) == html


def test_visible_text_unescapes_entities():
    assert visible_text("<p>a &lt;b&gt; &amp; c</p>") == "a <b> & c"
    assert visible_text("<p></p>\n<p> </p>") == ""


# Pieces of comments as readers (and attackers) type them, for Hypothesis to string together.
_PIECES = [
    "<em>", "</em>", "<strong>", "</strong>", "<i>", "</i>", "<b>", "</b>", "<code>", "</code>",
    "<br>", "<br/>", "<a href='https://ok.example/a?b=1&c=2'>", '<a href="javascript:x()">',
    "<a href=mailto:ed@example.com rel=me>", "</a>", "<p>", "</p>", "<ul>", "<li>", "</ul>",
    "<blockquote>", "</blockquote>", "<pre>", "</pre>", "<script>", "</script>", "<img src=x>",
    "<!-- c -->", "<", ">", "&", "&amp;", "&lt;", "&nbsp;", '"', "'", "\n", "\n\n", " ", "word",
    "https://example.com/x", "example.org", "ünïcödé", "\xa0", "\t", "=", "/",
    "<EM>", "<em >", "</b >", "www.example.com", "ed@example.com", "\ufffe", "\U0001f600",
    "a.b", "x.COM", "ex-ample.org", "(www.a.io)", "1.5", "é.fr",
]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25).map("".join))
def test_skipping_the_final_pass_changes_nothing(body):
    """What leaves without the final pass is what the final pass would have given back."""
    html = sanitize_comment(body)
    assert final_pass(html) == html


def test_the_final_pass_still_runs_for_block_markup():
    # The paragraph holds a list, which HTML does not allow: the final pass closes it first.
    assert sanitize_comment("text <ul><li>a</li></ul>") == final_pass(
        "<p>text <ul><li>a</li></ul></p>"
    )
    assert sanitize_comment("text <ul><li>a</li></ul>") != "<p>text <ul><li>a</li></ul></p>"


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(_PIECES), max_size=25).map("".join), st.text()))
def test_the_first_pass_is_skipped_only_where_bleach_would_change_nothing(chunk):
    chunk = normalise_text(chunk)  # as sanitize_comment hands it over
    assert clean_fragment(chunk) == sanitize._cleaners.first.clean(chunk)


class _NoBleach:
    def clean(self, text: str) -> str:
        raise AssertionError(f"bleach ran for {text!r}")


def test_plain_text_and_simple_markup_skip_bleach(monkeypatch):
    monkeypatch.setattr(sanitize._cleaners, "first", _NoBleach())
    body = "Plain words, quoted \"and\" 'not'.\n\n<em>Some</em> <b><i>emphasis</i></b>\n\n<blockquote>A quote</blockquote>"
    assert sanitize_comment(body) == (
        "<p>Plain words, quoted \"and\" 'not'.</p>\n<p><em>Some</em> <b><i>emphasis</i></b></p>\n"
        "<blockquote>A quote</blockquote>"
    )
    for needs_bleach in ("a < b", "AT&T", "<em>open", "<b><i>x</b></i>", "see example.com"):
        with pytest.raises(AssertionError, match="bleach ran"):
            sanitize_comment(needs_bleach)


@pytest.mark.parametrize(
    "href",
    [
        "javascript:123", "vbscript:0", "data:123", "JaVaScRiPt:alert(1)", "java&#x09;script:alert(1)",
        "java\tscript:alert(1)", "http:evil", "https:", "http:///evil.com", "http://:80/x", "http://a.example:x/",
        "/relative", "#anchor", "mailto:", "ftp://a.example/", " javascript:alert(1)",
    ],
)  # fmt: skip
def test_unsafe_hrefs_are_dropped_and_the_text_stays(href):
    html = sanitize_comment(f'<a href="{href}">the &lt;text&gt;</a> after')
    assert "href" not in html
    assert "the &lt;text&gt;" in html and "after" in html


def test_an_address_without_a_host_is_not_linked():
    # Bleach would link "http:evil.com" as href="http:evil.com", which has no host.
    assert sanitize_comment("http:evil.com") == "<p>http:evil.com</p>"


@pytest.mark.parametrize(
    "href",
    [
        "https://a.example/x?y=1&z=2",
        "http://a.example",
        "HTTPS://A.EXAMPLE",
        "mailto:ed@example.com",
    ],
)
def test_safe_hrefs_are_kept(href):
    assert "href=" in sanitize_comment(f'<a href="{href}">x</a>')


class _Hrefs(HTMLParser):
    """The href of every real ``<a>`` (a regular expression would also find the text of a
    ``<code>`` that shows one, escaped)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value or "" for name, value in attrs if tag == "a" and name == "href"]


def _hrefs(html: str) -> list[str]:
    parser = _Hrefs()
    parser.feed(html)
    parser.close()
    return parser.found


_HREF_PIECES = [
    *_PIECES, '<a href="javascript:123">', '<a href="vbscript:0">', '<a href="data:123">',
    '<a href="JaVaScRiPt:alert(1)">', '<a href="java&#x09;script:x">', '<a href="http:evil">',
    '<a href="', '">', "http:", "https://", "//", "javascript:", "mailto:", ":80", "@", "&#x09;",
]  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(_HREF_PIECES), max_size=25).map("".join), st.text()))
def test_every_href_that_leaves_is_http_or_mailto_and_parses(body):
    for href in _hrefs(sanitize_comment(body)):
        parts = urlsplit(href)
        assert parts.scheme in {"http", "https", "mailto"}, href
        if parts.scheme == "mailto":
            assert parts.path, href
        else:
            assert parts.hostname, href


@pytest.mark.parametrize("unit", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_sanitizing_costs_linear_time(unit):
    assert_linear(sanitize_comment, unit)


def test_the_slowest_adversarial_comment_sanitizes_well_under_100_ms():
    costs = {}
    for name, unit in ADVERSARIAL.items():
        text = adversarial_text(unit)
        tries = []
        for _ in range(3):
            started = time.process_time()
            sanitize_comment(text)
            tries.append(time.process_time() - started)
        costs[name] = min(tries) * 1000
    print("sanitize_comment, 5,000 characters, ms:", {k: round(v, 2) for k, v in costs.items()})
    assert max(costs.values()) < 100
