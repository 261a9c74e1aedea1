"""WordPress's export (WXR: RSS 2.0 with the ``wp:`` namespace) read into records.

Each ``<item>`` is an article (its ``wp:post_id``) and each ``<wp:comment>`` in it a comment.
Comments are read one at a time as the parser meets them, so an item with many comments never
sits in memory whole: a comment is yielded before the article it belongs to (the writer
resolves that). Any WXR version's namespace (``http://wordpress.org/export/1.0/`` to ``1.2``)
is read.

Kept: comments of type ``comment`` or none. Skipped: pingbacks, trackbacks and any other
``wp:comment_type`` (WooCommerce's order notes, for one), which are not readers' comments.
Articles: posts and pages, and any other item that had a comment kept (attachments, menu items
and the like without comments are left out). ``wp:comment_status`` ``closed`` closes the
article. Statuses (``wp:comment_approved``): ``1`` approved, ``0`` pending, ``spam`` spam,
``trash`` and ``post-trashed`` deleted; anything else pending. Dates are the ``*_gmt`` fields;
a comment whose ``wp:comment_date_gmt`` is WordPress's zero date falls back to
``wp:comment_date`` read as UTC.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from moderation.importers.dates import parse_wordpress
from moderation.importers.records import (
    ImportedArticle,
    ImportedComment,
    ImportFileError,
    ImportStatus,
    Record,
)
from moderation.importers.xmlstream import child_text, read_records, stripped

WP_URI = "http://wordpress.org/export/"
WP = "{" + WP_URI + "}"
ITEM_PATH = ("rss", "channel", "item")
COMMENT_PATH = (*ITEM_PATH, WP + "comment")
ARTICLE_TYPES = frozenset({"post", "page"})
COMMENT_TYPES = frozenset({"", "comment"})
STATUSES: dict[str, ImportStatus] = {
    "1": "approved",
    "0": "pending",
    "spam": "spam",
    "trash": "deleted",
    "post-trashed": "deleted",
}


WP_VERSIONED = re.compile(r"http://wordpress\.org/export/\d+\.\d+/")


def _any_version(uri: str) -> str:
    return WP_URI if WP_VERSIONED.fullmatch(uri) else uri


def read(path: Path) -> Iterator[Record]:
    """The posts and comments of a WordPress export, in file order."""
    comments_in_item = 0
    for captured in read_records(
        path,
        frozenset({ITEM_PATH, COMMENT_PATH}),
        root="rss",
        describe="a WordPress export (WXR, an <rss> document)",
        rename=_any_version,
    ):
        if captured.element.tag == "item":
            article = _article(captured.element, captured.line)
            post_type = stripped(captured.element, WP + "post_type") or "post"
            kept = comments_in_item > 0 or post_type in ARTICLE_TYPES
            comments_in_item = 0
            if kept:
                yield article
            continue
        comment = _comment(captured.element, captured.line, captured.enclosing)
        if comment is not None:
            comments_in_item += 1
            yield comment


def _article(item: Element, line: int) -> ImportedArticle:
    post_id = stripped(item, WP + "post_id")
    if post_id is None:
        raise ImportFileError("an <item> with no <wp:post_id>", line)
    return ImportedArticle(
        source_id=post_id,
        url=stripped(item, "link"),
        title=child_text(item, "title") or None,
        closed=stripped(item, WP + "comment_status") == "closed",
        created_at=parse_wordpress(child_text(item, WP + "post_date_gmt") or ""),
    )


def _comment(comment: Element, line: int, item: Element | None) -> ImportedComment | None:
    if (stripped(comment, WP + "comment_type") or "") not in COMMENT_TYPES:
        return None
    comment_id = stripped(comment, WP + "comment_id")
    if comment_id is None:
        raise ImportFileError("a <wp:comment> with no <wp:comment_id>", line)
    post_id = stripped(item, WP + "post_id") if item is not None else None
    if post_id is None:
        raise ImportFileError(
            f"comment {comment_id} comes before its item's <wp:post_id> (or has none)", line
        )
    created = parse_wordpress(child_text(comment, WP + "comment_date_gmt") or "")
    created = created or parse_wordpress(child_text(comment, WP + "comment_date") or "")
    if created is None:
        raise ImportFileError(f"comment {comment_id} has no <wp:comment_date_gmt>", line)
    parent = stripped(comment, WP + "comment_parent")
    approved = stripped(comment, WP + "comment_approved") or ""
    return ImportedComment(
        source_id=comment_id,
        article_id=post_id,
        parent_id=None if parent in (None, "0") else parent,
        author_name=child_text(comment, WP + "comment_author") or "",
        author_email=stripped(comment, WP + "comment_author_email"),
        author_url=stripped(comment, WP + "comment_author_url"),
        html=child_text(comment, WP + "comment_content") or "",
        created_at=created,
        status=STATUSES.get(approved, "pending"),
        line=line,
    )
