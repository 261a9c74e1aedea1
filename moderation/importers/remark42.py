"""Remark42's backup (``remark42 backup``, or its daily files) read into records.

The file, often gzip-compressed (told by its first two bytes, not its name), is JSON lines: the
first a header ``{"version": 1, "users": [...], "posts": [...]}``, then one comment a line, as
Remark42's own restore reads it. It is read a line at a time. An article is a comment's
``locator.url``: it is yielded before the first comment that names it, titled by that
comment's ``title``, and closed when the header's ``posts`` mark the URL ``read_only``. The
header's list of posts and the URLs already seen are kept (one entry an article, never one a
comment).

Statuses: Remark42 publishes at once, so a comment is approved unless ``delete`` is set
(deleted) or its user is blocked (``user.block`` on the comment, or ``blocked.status`` in the
header's ``users``; Remark42 hides a blocked user's comments): rejected.
``text`` is the rendered HTML and is what is kept; ``orig`` (the Markdown) is not. ``user.admin``
marks staff, ``pin`` a featured comment, ``edit.time`` the edit. Remark42 keeps no e-mail or
website for commenters.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from moderation.importers.dates import parse_iso
from moderation.importers.records import (
    ImportedArticle,
    ImportedComment,
    ImportFileError,
    ImportStatus,
    Record,
)

GZIP_MAGIC = b"\x1f\x8b"
VERSIONS = (0, 1)


def _open(path: Path) -> IO[bytes]:
    with path.open("rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    return cast(IO[bytes], gzip.open(path, "rb")) if compressed else path.open("rb")


def read(path: Path) -> Iterator[Record]:
    """The articles and comments of a Remark42 backup, in file order."""
    read_only: set[str] = set()
    blocked: set[str] = set()
    seen: set[str] = set()
    line_number = 0
    with _open(path) as file:
        try:
            for raw in file:
                line_number += 1
                if not raw.strip():
                    continue
                data = _json(raw, line_number)
                if line_number == 1:
                    read_only, blocked = _header(data)
                    continue
                comment = _comment(data, line_number, blocked)
                if comment.article_id not in seen:
                    seen.add(comment.article_id)
                    title = data.get("title")
                    yield ImportedArticle(
                        source_id=comment.article_id,
                        url=comment.article_id,
                        title=title if isinstance(title, str) and title else None,
                        closed=comment.article_id in read_only,
                    )
                yield comment
        except (EOFError, OSError, zlib.error) as error:
            raise ImportFileError(
                f"the compressed file is damaged or cut short ({error})", line_number + 1
            ) from None
    if line_number == 0:
        raise ImportFileError("the file is empty: no Remark42 header", 1)


def _json(raw: bytes, line: int) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFileError(f"not a JSON line ({error}); is the file complete?", line) from None
    if not isinstance(data, dict):
        raise ImportFileError("a line that is not a JSON object", line)
    return data


def _header(header: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The header's read-only post URLs and blocked user ids."""
    version = header.get("version", 0)
    if version not in VERSIONS or ("users" not in header and "posts" not in header):
        raise ImportFileError(
            "not a Remark42 backup: the first line is not its header "
            '({"version": 1, "users": [...], "posts": [...]})',
            1,
        )
    posts = header.get("posts") if isinstance(header.get("posts"), list) else []
    users = header.get("users") if isinstance(header.get("users"), list) else []
    read_only = {
        post["url"]
        for post in posts or ()
        if isinstance(post, dict) and post.get("read_only") and isinstance(post.get("url"), str)
    }
    blocked = {
        user["id"]
        for user in users or ()
        if isinstance(user, dict)
        and isinstance(user.get("id"), str)
        and isinstance(user.get("blocked"), dict)
        and user["blocked"].get("status")
    }
    return read_only, blocked


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    return value if isinstance(value, str) and value else None


def _object(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _comment(data: dict[str, Any], line: int, blocked: set[str]) -> ImportedComment:
    comment_id = _text(data, "id")
    if comment_id is None:
        raise ImportFileError("a comment with no id", line)
    url = _text(_object(data, "locator"), "url")
    if url is None:
        raise ImportFileError(f"comment {comment_id} has no locator.url", line)
    time = _text(data, "time")
    if time is None:
        raise ImportFileError(f"comment {comment_id} has no time", line)
    user = _object(data, "user")
    edit = _object(data, "edit")
    edited = _text(edit, "time")
    status: ImportStatus = "approved"
    if data.get("delete"):
        status = "deleted"
    elif user.get("block") or user.get("id") in blocked:
        status = "rejected"
    return ImportedComment(
        source_id=comment_id,
        article_id=url,
        parent_id=_text(data, "pid"),
        author_name=_text(user, "name") or "",
        author_email=None,
        html=_text(data, "text") or "",
        created_at=parse_iso(time, f"comment {comment_id} time", line),
        edited_at=parse_iso(edited, f"comment {comment_id} edit.time", line) if edited else None,
        status=status,
        line=line,
        staff=bool(user.get("admin")),
        featured=bool(data.get("pin")),
    )
