"""Marking the words a word list matched in a comment's sanitized HTML, for moderators' cards.

Only text between tags changes: each match is wrapped in ``<mark class="matched-word">`` and
nothing else is touched (tags, attributes, entities stay byte for byte), so removing the marks
gives the stored HTML back. The text is matched as a whole, a tag counting as a word break, so a
phrase across ``<b>`` is found and marked in each piece.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable, Sequence

from .rules import compiled
from .wordlist import WordList

MARK_OPEN = '<mark class="matched-word">'
MARK_CLOSE = "</mark>"

# A tag, a comment or a declaration; an attribute value may hold ">" (bleach leaves it).
_MARKUP = re.compile(
    r"<!--.*?-->"
    r"|<[!?/]?[A-Za-z](?:[^\"'>]|\"[^\"]*\"|'[^']*')*>",
    re.DOTALL,
)
_CHARREF = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;?)")
# Text in these is not shown as text: never marked.
_RAW_TEXT = re.compile(r"<(script|style|textarea|title)\b", re.IGNORECASE)


def highlight(html: str, wordlist: WordList) -> str:
    """``html`` with every word or phrase of ``wordlist`` it shows wrapped in a ``<mark>``."""
    if not len(wordlist) or not html:
        return html
    # Each text piece: where it is in the HTML, and for each character of its decoded text the
    # raw range it came from (an entity is one indivisible range).
    pieces: list[tuple[int, list[tuple[int, int]]]] = []  # (start in joined text, ranges)
    decoded: list[str] = []
    joined_length = 0
    position = 0
    raw_until = -1  # inside <script> and the like, up to this index
    for markup in [*_MARKUP.finditer(html), None]:
        end = markup.start() if markup else len(html)
        if end > position and position >= raw_until:
            text, ranges = _decode(html, position, end)
            if text:
                pieces.append((joined_length, ranges))
                decoded.append(text)
                joined_length += len(text) + 1  # a tag is a word break
        if markup is None:
            break
        position = markup.end()
        raw = _RAW_TEXT.match(markup.group())
        if raw:
            close = html.lower().find(f"</{raw.group(1).lower()}", position)
            raw_until = len(html) if close < 0 else close
        elif position > raw_until >= 0:
            raw_until = -1
    joined = " ".join(decoded)
    spans = _merged(m.span for m in wordlist.finditer(joined))
    inserts: list[tuple[int, str]] = []
    for start, end in spans:
        for offset, ranges in pieces:
            first, last = max(start, offset), min(end, offset + len(ranges))
            while first < last and joined[first].isspace():
                first += 1
            while first < last and joined[last - 1].isspace():
                last -= 1
            if first < last:
                inserts.append((ranges[first - offset][0], MARK_OPEN))
                inserts.append((ranges[last - 1 - offset][1], MARK_CLOSE))
    if not inserts:
        return html
    out: list[str] = []
    previous = 0
    for index, mark in inserts:  # in order: spans are sorted and disjoint, pieces in order
        out.append(html[previous:index])
        out.append(mark)
        previous = index
    out.append(html[previous:])
    return "".join(out)


def highlight_words(html: str, entries: Sequence[str]) -> str:
    """``html`` with the words of a site's list (``blocked_words + suspect_words``) marked; the
    compiled list is the one the rules use, cached per process."""
    return highlight(html, compiled(tuple(entries))) if entries else html


def strip_marks(html: str) -> str:
    """``html`` without the marks :func:`highlight` added."""
    return html.replace(MARK_OPEN, "").replace(MARK_CLOSE, "")


def _decode(html: str, start: int, end: int) -> tuple[str, list[tuple[int, int]]]:
    chars: list[str] = []
    ranges: list[tuple[int, int]] = []
    position = start
    while position < end:
        ref = _CHARREF.match(html, position, end) if html[position] == "&" else None
        if ref:
            value = html_lib.unescape(ref.group())
            chars.append(value)
            ranges.extend([(position, ref.end())] * len(value))
            position = ref.end()
        else:
            chars.append(html[position])
            ranges.append((position, position + 1))
            position += 1
    return "".join(chars), ranges


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or nested matches as one span each, in order."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
