"""Finding web addresses in reader text, in time linear in the text's length.

Bleach's link expression (``bleach.linkifier.build_url_re``) tries every position of the text
and from each walks the whole run of ``name.name.`` labels that follows before it gives up, so a
comment of ``a-.`` repeated costs time in the square of its length (seconds for 5,000
characters). This finder gives the same matches as that expression, built with our top-level
domains and protocols, but reads each run of labels once:

* A *segment* is a maximal run of labels (``[\\w-]+``) joined by single dots. Every address
  bleach finds, once its protocol, user and opening parentheses are set aside, starts inside a
  segment and has its top-level domain after one of the segment's inner dots.
* Bleach's labels are greedy, so from any start in a segment it settles on the *last* inner dot
  whose top-level domain and port may end an address there; that dot does not depend on where
  the address starts, so it is found once per segment, walking the dots from the right.
* The address then starts at the first position before that dot where bleach's own start
  conditions hold (a word boundary, not after ``@`` or ``.``), and takes any path that follows.

Each of those steps is a Python expression with nothing nested to backtrack into, run over a
part of the text no other step of the same kind reads again, and they all use Python's own
``\\w``, ``\\b`` and case folding, so the matches are bleach's to the character (a property test
holds them equal on random text).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bleach.linkifier import TLDS as _BLEACH_TLDS

# Bleach's list predates the new generic domains; spam loves them, and an unlinked address would
# also escape the link-count rules.
_EXTRA_TLDS = (
    "app", "blog", "click", "club", "dev", "fun", "icu", "link", "live", "loan", "news", "online",
    "shop", "site", "space", "store", "tech", "top", "vip", "website", "win", "work", "xyz",
)  # fmt: skip
# Longest first, as bleach's alternation once needed ("co" would cut "com" short); bleach now
# sorts them itself, and this finder only ever compares whole names.
TLDS: tuple[str, ...] = tuple(sorted({*_BLEACH_TLDS, *_EXTRA_TLDS}, key=len, reverse=True))
PROTOCOLS = frozenset({"http", "https"})

_TLD_SET = frozenset(TLDS)
_LONGEST_TLD = max(map(len, TLDS))
# Python's case folding pairs a few non-ASCII letters with ASCII ones (the Kelvin sign with "k",
# the long s with "s"): for names that are not ASCII, ask the same engine bleach's expression uses.
_TLD_RE = re.compile("|".join(TLDS), re.IGNORECASE)

# The pieces of bleach's expression, verbatim, each used where it cannot backtrack far.
_FLAGS = re.IGNORECASE | re.UNICODE
# A dot with a label after it: the start of the search for a segment. It begins with a literal,
# which Python's engine scans for far faster than for a class (ordinary text has few dots).
_DOT_LABEL = re.compile(r"\.[\w-]", _FLAGS)
_LABEL_CHAR = re.compile(r"[\w-]", _FLAGS)
# The run of label characters before a dot, read backwards (in the reversed text), and the
# labels after it. Both are possessive: a run is read once, never once per position.
_RUN = re.compile(r"[\w-]*+", _FLAGS)
_LABELS = re.compile(r"(?:\.[\w-]++)+", _FLAGS)
_START = re.compile(r"\b(?<![@.])[\w-]", _FLAGS)
# Bleach's protocol, and the start conditions it puts before it, looked for apart: a pattern that
# begins with a literal is scanned for far faster.
_PROTOCOL = re.compile(r"(?:{}):/{{0,3}}".format("|".join(sorted(PROTOCOLS))), _FLAGS)
_START_CONDITIONS = re.compile(r"\b(?<![@.])", _FLAGS)
_USERINFO = re.compile(r"(?:\w+:)?\w+@", _FLAGS)
_AFTER_TLD = re.compile(r"(?:\:[0-9]+)?(?!\.\w)\b", _FLAGS)
_PATH = re.compile(r"""[/?][^\s\{\}\|\\\^`<>"]*""", _FLAGS)


@dataclass(frozen=True, slots=True)
class Link:
    """One address found in a text, shaped like the ``re.Match`` that bleach's linkifier reads
    (it calls only ``start()``, ``end()`` and ``group(0)``)."""

    text: str
    begin: int
    finish: int

    def start(self) -> int:
        """Where the address starts in the searched text."""
        return self.begin

    def end(self) -> int:
        """Where the address ends in the searched text (exclusive)."""
        return self.finish

    def group(self, index: int = 0) -> str:
        """The address as written (only the whole match, group 0, exists)."""
        if index != 0:
            raise IndexError("a link has no groups but the whole match")
        return self.text


def _is_tld(name: str) -> bool:
    """Whether bleach's case-insensitive alternation of top-level domains matches all of name."""
    if not name or len(name) > _LONGEST_TLD:
        return False
    if name.isascii():
        return name.lower() in _TLD_SET
    return _TLD_RE.fullmatch(name) is not None


def _address_end(text: str, dot: int, label_end: int) -> int | None:
    """Where an address whose top-level domain follows this dot would end (before any path), or
    None when bleach would not end one there. label_end is where the label after the dot ends."""
    # The domain must be followed by a non-word character, so it is the label's whole first
    # word: a shorter name that fits fails bleach's word boundary, a longer one does not fit.
    hyphen = text.find("-", dot + 1, label_end)
    tld_end = label_end if hyphen == -1 else hyphen
    if not _is_tld(text[dot + 1 : tld_end]):
        return None
    after = _AFTER_TLD.match(text, tld_end)
    return None if after is None else after.end()


def _last_domain(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The segment's last inner dot that may end an address, and where that address would end."""
    label_end = end
    dot = text.rfind(".", start, end)
    while dot != -1:
        address_end = _address_end(text, dot, label_end)
        if address_end is not None:
            return dot, address_end
        label_end = dot
        dot = text.rfind(".", start, dot)
    return None


@dataclass(frozen=True, slots=True)
class _Segment:
    start: int
    last_dot: int  # the dot before the top-level domain every address in the segment ends at
    address_end: int


def _end_of(pattern: re.Pattern[str], text: str, pos: int) -> int:
    """Where a match of pattern at pos ends, for a pattern known to match there."""
    match = pattern.match(text, pos)
    return match.end() if match else pos


def _segments(text: str) -> list[_Segment]:
    """The segments of text that can hold an address, in order."""
    found = []
    backwards = ""
    pos = 0
    while (dot_label := _DOT_LABEL.search(text, pos)) is not None:
        dot = dot_label.start()
        if dot == pos or not _LABEL_CHAR.match(text, dot - 1):
            pos = dot + 1  # no label before it: not inside a segment
            continue
        # The segment starts where the label before its first dot does: the search found that
        # dot, and nothing before pos can be a label character.
        backwards = backwards or text[::-1]
        start = max(pos, len(text) - _end_of(_RUN, backwards, len(text) - dot))
        end = _end_of(_LABELS, text, dot)
        last = _last_domain(text, start, end)
        if last is not None:
            found.append(_Segment(start, *last))
        pos = end
    return found


def _protocol_starts(text: str, by_start: dict[int, _Segment]) -> list[tuple[int, int]]:
    """Where an address written with its protocol starts, and where it ends before any path."""
    found = []
    for match in _PROTOCOL.finditer(text):
        if not _START_CONDITIONS.match(text, match.start()):
            continue  # no "h" inside a protocol that fails them starts another
        # More slashes than bleach's three, or none of its user part, leave no label next; a user
        # part that matches is taken whole, and without it the labels would meet its ":" or "@".
        user = _USERINFO.match(text, match.end())
        segment = by_start.get(user.end() if user else match.end())
        if segment is not None:
            found.append((match.start(), segment.address_end))
    return found


def _link(text: str, pos: int, start: int, address_end: int) -> Link:
    """The link bleach's expression matches from start, searching from pos."""
    # Bleach takes the opening parentheses before an address into it (its linkifier strips them
    # again), but not those before where the search resumed.
    while start > pos and text[start - 1] == "(":
        start -= 1
    path = _PATH.match(text, address_end)
    end = path.end() if path else address_end
    return Link(text[start:end], start, end)


def finditer(text: str) -> Iterator[Link]:
    """The web addresses in text, left to right, as ``url_re.finditer`` would give them."""
    segments = _segments(text)
    if not segments:
        return  # every address has a segment: most text ends here
    by_start = {segment.start: segment for segment in segments}
    protocols = _protocol_starts(text, by_start) if ":" in text else []
    pos = seg = proto = 0
    while True:
        while proto < len(protocols) and protocols[proto][0] < pos:
            proto += 1
        limit = protocols[proto][0] if proto < len(protocols) else len(text)
        found = None
        # The earliest start in a segment, before the next protocol: each position of each
        # segment is searched at most once, as pos only grows.
        while seg < len(segments) and found is None:
            segment = segments[seg]
            low = max(pos, segment.start)
            if low >= segment.last_dot:
                seg += 1
                continue
            if low >= limit:
                break
            start = _START.search(text, low, min(segment.last_dot, limit))
            if start is not None:
                found = (start.start(), segment.address_end)
            elif segment.last_dot <= limit:
                seg += 1
            else:
                break
        if found is None:
            if proto == len(protocols):
                return
            found = protocols[proto]
        link = _link(text, pos, *found)
        yield link
        pos = link.end()


def search(text: str) -> Link | None:
    """The first web address in text, or None."""
    return next(finditer(text), None)


def find_links(text: str) -> list[Link]:
    """All the web addresses in text, left to right."""
    return list(finditer(text))


class LinkFinder:
    """The object bleach's ``LinkifyFilter(url_re=...)`` expects: it only calls ``finditer``."""

    def finditer(self, text: str) -> Iterator[Link]:
        """The web addresses in text, left to right."""
        return finditer(text)

    def search(self, text: str) -> Link | None:
        """The first web address in text, or None."""
        return search(text)


URL_FINDER = LinkFinder()
