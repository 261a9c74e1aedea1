"""Isso's SQLite database read into records: ``threads`` are articles, ``comments`` comments.

The database is opened read-only (an import never writes to its source) and read row by row.
Threads come first, then comments by id. Statuses (``mode``): 1 accepted is approved, 2
(awaiting moderation) pending, 4 deleted (Isso keeps a deleted comment that has replies, with
its text emptied) deleted; any other value pending. ``created`` and ``modified`` are seconds
since the epoch. The text is Markdown, rendered here to HTML with raw HTML off (markdown-it's
CommonMark with strikethrough and hard line breaks, as Isso's defaults; links checked by its
own validator, which drops ``javascript:`` and the like); the writer sanitizes the result as for any
source. Isso has no comment lines to point at, so ``line`` stays empty and errors name the row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from markdown_it import MarkdownIt

from moderation.importers.dates import from_epoch
from moderation.importers.records import (
    ImportedArticle,
    ImportedComment,
    ImportFileError,
    ImportStatus,
    Record,
)

STATUSES: dict[int, ImportStatus] = {1: "approved", 2: "pending", 4: "deleted"}

#: Close to Isso's default markup (misaka with strikethrough and hard wraps; raw HTML
#: escaped, as Isso's ``skip-html`` and ``escape`` flags do). Isso's autolinking of bare URLs
#: is left out (it would need linkify-it-py): such a URL stays text.
_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("strikethrough")


def render_markdown(text: str) -> str:
    """Isso's Markdown as HTML, raw HTML in it escaped rather than passed through."""
    return _markdown.render(text)


def read(path: Path) -> Iterator[Record]:
    """The threads and comments of an Isso database, threads first."""
    if not path.is_file():
        raise ImportFileError(f"no Isso database at {path}")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        try:
            threads = connection.execute("SELECT id, uri, title FROM threads ORDER BY id")
            for thread_id, uri, title in threads:
                yield ImportedArticle(source_id=str(thread_id), url=uri, title=title)
            comments = connection.execute(
                "SELECT id, tid, parent, created, modified, mode, text, author, email, website"
                " FROM comments ORDER BY id"
            )
            for row in comments:
                yield _comment(*row)
        except sqlite3.DatabaseError as error:
            raise ImportFileError(f"not an Isso database ({error})") from None
    finally:
        connection.close()


def _comment(
    comment_id: int,
    thread_id: int | None,
    parent: int | None,
    created: float | None,
    modified: float | None,
    mode: int | None,
    text: str | None,
    author: str | None,
    email: str | None,
    website: str | None,
) -> ImportedComment:
    if thread_id is None:
        raise ImportFileError(f"comment {comment_id} has no thread (tid)")
    if created is None:
        raise ImportFileError(f"comment {comment_id} has no created time")
    try:
        created_at = from_epoch(float(created))
        edited_at = from_epoch(float(modified)) if modified is not None else None
    except (TypeError, ValueError, OverflowError, OSError):
        raise ImportFileError(f"comment {comment_id}: its times are not timestamps") from None
    return ImportedComment(
        source_id=str(comment_id),
        article_id=str(thread_id),
        parent_id=str(parent) if parent is not None else None,
        author_name=author or "",
        author_email=email or None,
        author_url=website or None,
        html=render_markdown(text or ""),
        created_at=created_at,
        edited_at=edited_at,
        status=STATUSES.get(mode or 0, "pending"),
    )
