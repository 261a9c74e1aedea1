"""Highlighting matched words in sanitized HTML: marks around text, nothing else changed."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.highlight import MARK_CLOSE, MARK_OPEN, highlight, highlight_words, strip_marks
from moderation.sanitize import sanitize_comment
from moderation.wordlist import WordList

WORDS = WordList(["idiot", "buy cheap pills", "ass", "spam"])
IDIOT = "\u0456d\u0456ot"  # with Cyrillic i
SPAM = "\u0455\u0440\u0430m"  # with Cyrillic s, p and a
DISGUISED = f"{IDIOT} {SPAM}"


def marked(text: str) -> str:
    return f"{MARK_OPEN}{text}{MARK_CLOSE}"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>you idiot</p>", f"<p>you {marked('idiot')}</p>"),
        ("<p>you 1d10t, IDIOTS</p>", f"<p>you {marked('1d10t')}, {marked('IDIOTS')}</p>"),
        ("<p>Scunthorpe, a classic assassin</p>", "<p>Scunthorpe, a classic assassin</p>"),
        ('<p><a href="/idiot" title="idiot">idiot</a></p>',
         f'<p><a href="/idiot" title="idiot">{marked("idiot")}</a></p>'),
        ('<p><a href="/?a>idiot" rel="nofollow">x</a></p>',
         '<p><a href="/?a>idiot" rel="nofollow">x</a></p>'),  # ">" inside an attribute value
        ("<p>a &amp; idiot &lt;b&gt;</p>", f"<p>a &amp; {marked('idiot')} &lt;b&gt;</p>"),
        ("<p>&#105;diot</p>", f"<p>{marked('&#105;diot')}</p>"),  # an entity is kept whole
        ("<p>buy <b>cheap</b> pills</p>",
         f"<p>{marked('buy')} <b>{marked('cheap')}</b> {marked('pills')}</p>"),
        ("<p>id<b>iot</b></p>", "<p>id<b>iot</b></p>"),  # a tag is a word break
        ("<p>idiot</p><p>idiot</p>", f"<p>{marked('idiot')}</p><p>{marked('idiot')}</p>"),
        (f"<p>{DISGUISED}</p>", f"<p>{marked(IDIOT)} {marked(SPAM)}</p>"),
        ("<!-- idiot --><p>fine</p>", "<!-- idiot --><p>fine</p>"),
        ("", ""),
    ],
)  # fmt: skip
def test_matched_words_are_marked_in_text_only(html, expected):
    assert highlight(html, WORDS) == expected


def test_an_empty_list_changes_nothing():
    assert highlight("<p>idiot</p>", WordList()) == "<p>idiot</p>"
    assert highlight_words("<p>idiot</p>", []) == "<p>idiot</p>"


def test_a_sites_words_are_marked_from_its_settings():
    assert highlight_words("<p>des crétins</p>", ["crétin"]) == f"<p>des {marked('crétins')}</p>"


def test_overlapping_matches_make_one_mark():
    wordlist = WordList(["stupid idiot", "idiot"])
    assert highlight("<p>stupid idiot</p>", wordlist) == f"<p>{marked('stupid idiot')}</p>"


class _Tags(HTMLParser):
    """The start tags and attribute values a browser would see."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.marks = 0
        self.values: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "mark":
            self.marks += 1
        else:
            self.values += [value or "" for _, value in attrs]


_pieces = st.sampled_from(
    ["idiot", "1d10t", "IDIOTS", "ass", "classic", "buy cheap pills", "spam", SPAM, " ", "\n\n",
     "&", "<", ">", '"', "'", "<b>", "</b>", "<i>idiot</i>", "**", "https://idiot.example/ass",
     '<a href="https://x.example/?q=idiot>ass">idiot</a>', "<script>idiot</script>", "é", "@ss"]
)  # fmt: skip
_bodies = st.one_of(st.lists(_pieces, max_size=20).map("".join), st.text(max_size=200))


@settings(max_examples=300, deadline=None)
@given(_bodies)
def test_highlighting_only_adds_marks_around_text(body):
    html = sanitize_comment(body)
    result = highlight(html, WORDS)
    assert strip_marks(result) == html
    before, after = _Tags(), _Tags()
    before.feed(html)
    after.feed(result)
    # Every mark added is a tag of its own, and none ended up inside an attribute value.
    added = result.count(MARK_OPEN) - html.count(MARK_OPEN)
    assert after.marks - before.marks == added
    assert result.count(MARK_CLOSE) - html.count(MARK_CLOSE) == added
    assert after.values == before.values
