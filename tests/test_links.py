"""Finding web addresses: bleach's matches exactly, in time that grows with the text, not faster.

Run the equality property with many examples by hand with ``LINKS_EXAMPLES=20000``.
"""

from __future__ import annotations

import gc
import os
import time
from collections.abc import Callable

import pytest
from bleach.linkifier import LinkifyFilter, build_url_re
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation import links

# The expression the sanitizer used before: bleach's, quadratic on a run of labels.
BLEACH_URL_RE = build_url_re(tlds=links.TLDS, protocols=links.PROTOCOLS)


def bleach_matches(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in BLEACH_URL_RE.finditer(text)]


def found(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in links.finditer(text)]


# What decides whether and where bleach's expression matches: label characters, the dot, the
# characters of a protocol, a user part, a port and a path, the ones its start conditions name
# ("@", "."), opening parentheses, and the letters Python's case folding pairs with ASCII ones.
_PIECES = [
    *"abcxyzAKk019_.-@:/?(#)&= \t\né",
    "com", "co", "uk", "org", "io", "COM", "www.", "http://", "https://", "http:", "HTTP://",
    ".co", ".com", ":80", "user@", "u:p@", "////", "..", "\u212a", "\u017f", "\u0131", "\xa0",
]  # fmt: skip
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=80).map("".join).map(lambda t: t[:200])


@settings(max_examples=int(os.environ.get("LINKS_EXAMPLES", "600")), deadline=None)
@given(st.one_of(_TEXT, st.text(max_size=60)))
def test_finds_what_bleach_found(text):
    assert found(text) == bleach_matches(text)


@pytest.mark.parametrize(
    "text",
    [
        "see https://www.example.com/a?b=1&c=2 now",
        "foo@bar.com",  # an email: not an address (no start after "@")
        "@foo-bar.com",  # ...but bleach starts again at the hyphen
        "a.com-b.org and a.com-b",
        "x..b.com",
        "a.co..c",
        "http://user:pw@a.com:80/x y",
        "((a.com) a.com(b.com",
        "http:a.com -http://a.com xhttp://a.com",
        "http:////a.com",
        "a.com:80abc a.com:80.x a.com:8080/p",
        "é.fr",
        "example.co.uk. www.a.io?q",
        "a.\u212a.museum",  # the Kelvin sign folds to "k"
    ],
)
def test_finds_what_bleach_found_in_corners(text):
    assert found(text) == bleach_matches(text)


def test_finds_links_with_protocol_path_and_parentheses():
    # As bleach's expression: the path runs on to the next space, opening parentheses are taken
    # (its linkifier trims both), a final dot is not.
    assert found("(see https://a.example.com/x?y=1) and www.b.org.") == [
        (5, 33, "https://a.example.com/x?y=1)"),
        (38, 47, "www.b.org"),
    ]
    assert found("((a.example.com) x") == [(0, 15, "((a.example.com")]


def test_search_gives_the_first_link_or_none():
    first = links.search("a www.b.com c.org")
    assert first is not None
    assert (first.start(), first.end(), first.group(0)) == (2, 11, "www.b.com")
    assert links.search("no address here. none.") is None


def test_bleach_linkify_takes_the_finder():
    # LinkifyFilter reads only finditer and each match's start(), end() and group(0).
    source = [{"type": "Characters", "data": "go to b.com now"}]
    tokens = list(LinkifyFilter(source=source, url_re=links.URL_FINDER, callbacks=[]))
    kinds = [token["type"] for token in tokens]
    assert kinds == ["Characters", "StartTag", "Characters", "EndTag", "Characters"]
    assert tokens[1]["data"][(None, "href")] == "http://b.com"


# Inputs an attacker would send, at the longest a comment may be, made of the patterns that cost
# bleach's expression (or a careless replacement) time in the square of their length.
MAX_LENGTH = 5000
ADVERSARIAL = {
    "a-.": "a-.",
    "a.": "a.",
    "-a": "-a",
    "www.": "www.",
    "http://": "http://",
    "a@a.": "a@a.",
    "parentheses": "(",
    "letters": "a",
    "dots": ".",
    "many links": "a.com ",
}


def adversarial_text(unit: str, length: int = MAX_LENGTH) -> str:
    """The pattern repeated to exactly length characters."""
    return (unit * (length // len(unit) + 1))[:length]


def _cost(function: Callable[[str], object], text: str, calls: int) -> float:
    """The CPU time of calls calls, the least of five tries (another process may take the core)."""
    best = float("inf")
    for _ in range(5):
        started = time.process_time()
        for _ in range(calls):
            function(text)
        best = min(best, time.process_time() - started)
    return best


def work_ratio(function: Callable[[str], object], unit: str) -> tuple[float, float, float]:
    """How much more work the longest input of a pattern costs than one four times shorter:
    about 4 when the cost is linear, 16 when it is quadratic. Also both costs, in ms a call."""
    small, large = adversarial_text(unit, MAX_LENGTH // 4), adversarial_text(unit)
    calls = 1  # enough calls for the short input to take a few ms, well above the clock's grain
    while _cost(function, small, calls) < 0.004 and calls < 8192:
        calls *= 2
    gc.disable()  # a collection landing in one measurement would be noise, not work
    try:
        small_cost, large_cost = _cost(function, small, calls), _cost(function, large, calls)
    finally:
        gc.enable()
    return large_cost / small_cost, small_cost / calls * 1000, large_cost / calls * 1000


def assert_linear(function: Callable[[str], object], unit: str) -> None:
    """Four times the input costs at most about eight times the work (quadratic would be 16)."""
    ratio, small_ms, large_ms = work_ratio(function, unit)
    print(f"{unit!r}: {small_ms:.3f} ms -> {large_ms:.3f} ms (x{ratio:.1f})")
    assert ratio < 8, f"{unit!r}: {small_ms:.3f} ms -> {large_ms:.3f} ms, x{ratio:.1f}"


@pytest.mark.parametrize("unit", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_finding_links_costs_linear_time(unit):
    assert_linear(links.find_links, unit)
