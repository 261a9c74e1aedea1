"""Disqus's XML export (``<disqus>``: categories, threads, then posts) read into records.

A ``<thread>`` is an article and a ``<post>`` a comment. Posts name their thread and parent by
the ``dsq:id`` attribute (Disqus's own id); the ``<id>`` element inside them is the site's
identifier and usually empty, so ``dsq:id`` is each record's ``source_id``. Categories are
skipped. Statuses: ``<isSpam>true`` is spam (checked first: a spam post is often deleted too),
``<isDeleted>true`` deleted, ``<isApproved>false`` (when an export carries it) pending, the rest
approved. A thread's ``<isClosed>`` or ``<isDeleted>`` closes the article; its posts keep
their own statuses.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from moderation.importers.dates import parse_iso
from moderation.importers.records import (
    ImportedArticle,
    ImportedComment,
    ImportFileError,
    ImportStatus,
    Record,
)
from moderation.importers.xmlstream import child_text, read_records, stripped

NS = "{http://disqus.com}"
DSQ = "{http://disqus.com/disqus-internals}"
ROOT = NS + "disqus"
RECORDS = frozenset({(ROOT, NS + "thread"), (ROOT, NS + "post")})


def read(path: Path) -> Iterator[Record]:
    """The threads and posts of a Disqus export, in file order."""
    for captured in read_records(
        path,
        RECORDS,
        root=ROOT,
        describe='a Disqus export (<disqus xmlns="http://disqus.com">)',
    ):
        if captured.element.tag == NS + "thread":
            yield _article(captured.element, captured.line)
        else:
            yield _comment(captured.element, captured.line)


def _flag(element: Element, tag: str) -> bool:
    value = stripped(element, NS + tag)
    return value is not None and value.lower() in ("true", "1")


def _article(thread: Element, line: int) -> ImportedArticle:
    source_id = (thread.get(DSQ + "id") or "").strip()
    if not source_id:
        raise ImportFileError("a <thread> with no dsq:id", line)
    created = stripped(thread, NS + "createdAt")
    return ImportedArticle(
        source_id=source_id,
        url=stripped(thread, NS + "link"),
        title=child_text(thread, NS + "title") or None,
        closed=_flag(thread, "isClosed") or _flag(thread, "isDeleted"),
        created_at=parse_iso(created, f"thread {source_id} createdAt", line) if created else None,
    )


def _status(post: Element) -> ImportStatus:
    if _flag(post, "isSpam"):
        return "spam"
    if _flag(post, "isDeleted"):
        return "deleted"
    approved = stripped(post, NS + "isApproved")
    if approved is not None and approved.lower() in ("false", "0"):
        return "pending"
    return "approved"


def _reference(post: Element, tag: str) -> str | None:
    element = post.find(NS + tag)
    if element is None:
        return None
    return (element.get(DSQ + "id") or "").strip() or None


def _comment(post: Element, line: int) -> ImportedComment:
    source_id = (post.get(DSQ + "id") or "").strip()
    if not source_id:
        raise ImportFileError("a <post> with no dsq:id", line)
    thread_id = _reference(post, "thread")
    if thread_id is None:
        raise ImportFileError(f"post {source_id} names no <thread dsq:id>", line)
    created = stripped(post, NS + "createdAt")
    if created is None:
        raise ImportFileError(f"post {source_id} has no <createdAt>", line)
    author = post.find(NS + "author")
    name = email = None
    if author is not None:
        name = child_text(author, NS + "name") or stripped(author, NS + "username")
        email = stripped(author, NS + "email")
    return ImportedComment(
        source_id=source_id,
        article_id=thread_id,
        parent_id=_reference(post, "parent"),
        author_name=name or "",
        author_email=email,
        html=child_text(post, NS + "message") or "",
        created_at=parse_iso(created, f"post {source_id} createdAt", line),
        status=_status(post),
        line=line,
    )
