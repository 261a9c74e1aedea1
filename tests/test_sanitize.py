"""The allowlist: what a reader may format survives, everything else shows as text."""

from __future__ import annotations

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
