"""What every source format reads into: a stream of articles and comments, in file order.

A reader (``disqus.py``, ``wordpress.py``, ``isso.py``, ``remark42.py``, ``jsonl.py``) turns one
export into these records and knows nothing of the database; the writer (``writer.py``) maps
them onto the site. Records come in the order the file holds them: a comment may name a parent
or an article that comes later, and the writer resolves both once the whole file is read.
Readers stream: memory holds one record at a time, never the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

#: The statuses an import keeps (``models.Status`` values). ``deleted`` keeps the row (so its
#: replies keep their thread) with nothing of its text shown, as a deletion here does;
#: ``published`` (shown by a post-moderated site, not yet decided) comes only from our own export.
ImportStatus = Literal["approved", "published", "pending", "spam", "rejected", "deleted"]


@dataclass(frozen=True, slots=True)
class ImportedArticle:
    """An article (a Disqus thread, a WordPress post, an Isso thread, a Remark42 locator)."""

    source_id: str  # the source's own id for it, unique within the file
    url: str | None  # the address the source knew it by (mapped onto an article key)
    title: str | None = None
    closed: bool = False
    created_at: datetime | None = None  # aware, UTC
    key: str | None = None  # the article key itself, where the source has one (our own export)


@dataclass(frozen=True, slots=True)
class ImportedComment:
    """A comment, as the source stored it: its HTML is untrusted and sanitized by the writer."""

    source_id: str  # unique within the file
    article_id: str  # an ImportedArticle.source_id
    parent_id: str | None  # an ImportedComment.source_id, possibly later in the file
    author_name: str
    author_email: str | None
    html: str  # the source's body: HTML (WordPress, Disqus, Isso) or Markdown rendered to HTML
    created_at: datetime  # aware, UTC
    status: ImportStatus
    line: int | None = None  # where the record starts in the file, for error messages
    author_url: str | None = None
    staff: bool = False
    badges: tuple[str, ...] = ()
    featured: bool = False
    edited_at: datetime | None = None
    # What the author typed, where the source keeps it apart from the HTML (our own export);
    # otherwise the writer keeps the source's body, as a submission keeps what was typed.
    body_text: str | None = None
    #: Our own export only: the reactions counted (who reacted is not exported) and why the
    #: rules held it.
    reactions: int = 0
    held_because: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportedDecision:
    """A past decision on a comment (our own export only; other sources keep none)."""

    comment_id: str  # an ImportedComment.source_id
    actor: str
    action: str  # an Action value
    created_at: datetime
    reason: str | None = None
    explanation: str | None = None
    from_status: str | None = None
    to_status: str | None = None


Record = ImportedArticle | ImportedComment | ImportedDecision


class ImportFileError(ValueError):
    """The file cannot be read as its format: the import stops and the database is left as it
    was. ``line`` is where the reader found the problem (1-based), when it knows."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        self.reason = reason
        self.line = line
        super().__init__(f"line {line}: {reason}" if line is not None else reason)


@dataclass(slots=True)
class ReadStats:
    """What a reader saw, for ``--dry-run`` and the closing summary."""

    articles: int = 0
    comments: int = 0
    decisions: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


#: A reader: a path in, records out (a generator; it raises ImportFileError on a broken file).
Reader = Iterator[Record]
