"""The one place that decides what HTML survives in a comment.

Readers type text with light formatting. What they may use is a strict allowlist fit for comments:
paragraphs, line breaks, emphasis, links, quotes, code and lists. Any other markup is escaped, so
it shows as the text the reader typed and never runs. Plain URLs become links, and every link
carries ``rel="nofollow ugc noopener"``. This runs once, on write; reads serve the stored result.
"""

from __future__ import annotations

import html as html_lib
import re
import threading
from functools import partial
from urllib.parse import urlsplit

import bleach
from bleach.linkifier import LinkifyFilter

from . import links

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "i", "b", "a", "blockquote", "code", "pre", "ul", "ol", "li"}
)
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

# Which schemes need a host to mean anything; mailto needs an address instead.
_WEB_SCHEMES = frozenset({"http", "https"})

_BLOCK_START = re.compile(r"^\s*<(?:p|ul|ol|blockquote|pre)\b", re.IGNORECASE)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
# C0 and C1 controls other than tab and newline, and the Unicode line/paragraph separators that
# some browsers treat as line ends: none belongs in a comment.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def is_safe_href(href: str) -> bool:
    """Whether a link target is an http(s) address with a host, or a mailto address.

    Bleach's own protocol check lets through a scheme followed only by digits
    (``javascript:123``), and relative or scheme-less targets; none of those belongs in a comment.
    The check is on the attribute's value as parsed (entities decoded), which is what a browser
    follows; urlsplit drops tabs and newlines and leading controls as browsers do.
    """
    try:
        parts = urlsplit(href)
        if parts.scheme in _WEB_SCHEMES:
            parts.port  # noqa: B018 - raises ValueError for a port that is not a number
            return bool(parts.hostname)
    except ValueError:
        return False
    return parts.scheme == "mailto" and bool(parts.path)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    """Bleach's attribute filter: the allowlist, and an href only when it is safe."""
    if name not in ALLOWED_ATTRIBUTES.get(tag, ()):
        return False
    return name != "href" or is_safe_href(value)


def _set_rel(attrs: dict, new: bool = False) -> dict | None:
    """Linkify callback: every link, typed or detected, gets the same rel.

    Linkify runs after the attribute filter, so the addresses it detects are checked here: one
    whose href would not be safe (``http:name.com`` has no host) stays text. A typed link's unsafe
    href is already gone; its element stays, inert, as bleach's protocol check always left it
    (asking bleach to drop the element instead loses the escaping of the text inside).
    """
    href = attrs.get((None, "href"))
    if href is not None and not is_safe_href(href):
        if new:
            return None
        del attrs[(None, "href")]
    attrs[(None, "rel")] = LINK_REL
    return attrs


class _Cleaners(threading.local):
    """Bleach's cleaners keep their parser's state between calls, so two threads cleaning at once
    corrupt each other's (seen under load as html5lib's "pop from empty list"): one pair per
    thread, built on first use."""

    def __init__(self) -> None:
        allowlist = {
            "tags": ALLOWED_TAGS,
            "attributes": _allowed_attribute,
            "protocols": ALLOWED_PROTOCOLS,
            "strip_comments": True,
        }
        linkify = partial(
            LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"}, url_re=links.URL_FINDER
        )
        self.first = bleach.sanitizer.Cleaner(**allowlist, strip=False, filters=[linkify])
        # The final pass: whatever the steps above produced, only the allowlist leaves this module.
        self.final = bleach.sanitizer.Cleaner(**allowlist, strip=True)


_cleaners = _Cleaners()


def normalise_text(text: str) -> str:
    """Unify line endings and drop control characters; used for every text field a reader sends."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL_CHARS.sub("", text)


# Text and the inline tags of the allowlist exactly as bleach writes them, and nothing else: a
# paragraph of these, wrapped in <p>, is already what the final pass would give back (a property
# test holds the two equal). Block tags inside a paragraph (a list after some words) or inside
# each other nest in ways the final pass rearranges, so a comment with any such takes that pass.
_INLINE = (
    r'(?:[^<]|</?(?:em|strong|i|b|code)>|<br>|<a href="[^"<>]*" rel="nofollow ugc noopener">|</a>)*'
)
_INLINE_ONLY = re.compile(_INLINE)
# A block the reader marked up whole, holding only inline content: a quote, a paragraph, a list.
_SIMPLE_BLOCK = re.compile(
    rf"<(blockquote|p)>{_INLINE}</\1>|<(ul|ol)>(?:\s*<li>{_INLINE}</li>)*\s*</\2>"
)


# What bleach's first pass hands back unchanged: text without "<", ">" or "&" but in the bare
# inline tags of the allowlist, properly nested, wrapped whole in at most one quote or paragraph,
# and with nothing to link. Most comments are such text, and bleach parses and writes them out
# again for nothing (70 µs a paragraph); a property test holds the two equal.
_TAG = re.compile(r"<[^>]*>")
_MAYBE_ADDRESS = re.compile(r"[\w-]\.[a-z]", re.IGNORECASE)
_UNCHANGED_TOKEN = re.compile(r"<(/?)(em|strong|i|b|code)>|[<>&]")
_WHOLE_BLOCK = re.compile(r"<(blockquote|p)>(.*)</\1>", re.DOTALL)


def _unchanged_by_bleach(chunk: str) -> bool:
    whole = _WHOLE_BLOCK.fullmatch(chunk)
    inner = whole.group(2) if whole else chunk
    open_tags: list[str] = []
    for token in _UNCHANGED_TOKEN.finditer(inner):
        closing, tag = token.groups()
        if tag is None:
            return False  # a "<", ">" or "&" of anything else
        if not closing:
            open_tags.append(tag)
        elif not open_tags or open_tags.pop() != tag:
            return False
    if open_tags:
        return False
    # Every address linkify finds has a dot between a name and a letter: most text has none,
    # and looking for addresses costs more than the rest of this check.
    return not any(links.search(text) for text in _TAG.split(inner) if _MAYBE_ADDRESS.search(text))


def clean_fragment(chunk: str) -> str:
    """Bleach's first pass over one paragraph of a comment: allowlist, escaping, links."""
    return chunk if _unchanged_by_bleach(chunk) else _cleaners.first.clean(chunk)


def sanitize_comment(body: str) -> str:
    """Turn a reader's comment into safe HTML.

    Blank lines separate paragraphs and single newlines become ``<br>``, except inside blocks the
    reader marked up themselves.
    """
    body = normalise_text(body).strip()
    blocks = []
    inline_only = True
    for chunk in _PARAGRAPH_BREAK.split(body):
        chunk = chunk.strip()
        if not chunk:
            continue
        cleaned = clean_fragment(chunk)
        if _BLOCK_START.match(cleaned):
            blocks.append(cleaned)
            inline_only = inline_only and _SIMPLE_BLOCK.fullmatch(cleaned) is not None
        else:
            if "<pre" not in cleaned:
                cleaned = cleaned.replace("\n", "<br>\n")
            inline_only = inline_only and _INLINE_ONLY.fullmatch(cleaned) is not None
            blocks.append(f"<p>{cleaned}</p>")
    html = "\n".join(blocks)
    # The first pass already let only the allowlist through; the final one is for the structure
    # our paragraphs give it, and it costs as much again.
    return html if inline_only else final_pass(html)


def final_pass(html: str) -> str:
    """Whatever the steps above produced, only the allowlist leaves this module."""
    return _cleaners.final.clean(html)


def visible_text(html: str) -> str:
    """The text a reader sees in sanitized HTML (for emptiness and length checks, and rules)."""
    return html_lib.unescape(_TAG.sub("", html)).strip()
