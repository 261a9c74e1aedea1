"""One author on one site, as a moderator looks them up: every comment they wrote there, across
articles, newest first, with each one's log; their reader account, if they signed in; their
record; and the bans against them (by author identity, or by an email they commented with).

An author is their keyed identity within the site (``Comment.author_key``), the one the screening
rules judge and author bans name. A page costs a fixed number of queries, whatever its size.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..identity import email_hash
from ..models import Article, AuthorNote, AuthorStanding, Ban, BanKind, Comment, Reader, Status
from .cursors import decode_cursor, encode_cursor
from .listing import DECISION_ROWS, QUEUE_COLUMNS, AuthorRecord, QueuedComment
from .notes import notes_of
from .standing import standing_of

DEFAULT_LIMIT = 30
MAX_LIMIT = 100
#: An author key as ``identity.author_key`` writes it: an HMAC-SHA256 in hex.
AUTHOR_KEY_LENGTH = 64


def is_author_key(value: str) -> bool:
    """Whether ``value`` has the form of an author key (anything else names no one)."""
    return (
        len(value) == AUTHOR_KEY_LENGTH
        and value.isascii()
        and all(c in "0123456789abcdef" for c in value)
    )


@dataclass
class AuthorPage:
    """One page of an author's comments on one site (rows of ``listing.QUEUE_COLUMNS``, newest
    first), each one's log, and what is known of the author whatever the page."""

    site_id: int
    author_key: str
    comments: list[QueuedComment]
    history: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    reader: Reader | None = None
    record: AuthorRecord = field(default_factory=AuthorRecord)
    #: Every distinct name and email they commented under, most recent first.
    names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    bans: list[Ban] = field(default_factory=list)
    standing: AuthorStanding | None = None
    notes: list[AuthorNote] = field(default_factory=list)
    next_cursor: str | None = None

    @property
    def name(self) -> str:
        """What to call them: their account's name, else the latest name they signed with."""
        if self.reader is not None and self.reader.name:
            return self.reader.name
        return self.names[0] if self.names else ""

    @property
    def badges(self) -> list[str]:
        """Their badges: the account's (refreshed from each sign-in), else the latest comment's."""
        if self.reader is not None:
            return list(self.reader.badges or [])
        return list(self.comments[0].badges or []) if self.comments else []


def author_page(
    session: Session,
    *,
    site_id: int,
    author_key: str,
    secret_key: str,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
) -> AuthorPage:
    """The author's comments on the site, newest first, ``limit`` a page after ``cursor``.

    Raises :class:`NotFound` if the author has no comment on the site. Eight queries, whatever
    the number of comments, articles, emails or bans: the author's record (which is also the
    check that they exist), their names and emails, the page, its log, the account, the bans,
    their standing and the moderators' notes.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    after = decode_cursor(cursor)
    connection = session.connection()
    mine = and_(Comment.site_id == site_id, Comment.author_key == author_key)

    tallies = {
        Status(status): number
        for status, number in connection.execute(
            select(Comment.status, func.count(Comment.id)).where(mine).group_by(Comment.status)
        )
    }
    if not tallies:
        raise NotFound("There is no such author on this site.")
    record = AuthorRecord(
        approved=tallies.get(Status.APPROVED, 0),
        rejected=tallies.get(Status.REJECTED, 0),
        spam=tallies.get(Status.SPAM, 0),
        total=sum(tallies.values()),
    )

    # Names and emails, each with the latest comment that used it: a handful of rows, grouped.
    identities = connection.execute(
        select(Comment.author_name, Comment.author_email, func.max(Comment.id).label("last"))
        .where(mine)
        .group_by(Comment.author_name, Comment.author_email)
        .order_by(func.max(Comment.id).desc())
    ).all()
    names = list(dict.fromkeys(row.author_name for row in identities))
    emails = list(dict.fromkeys(row.author_email for row in identities if row.author_email))

    stmt = select(*QUEUE_COLUMNS).join(Article, Article.id == Comment.article_id).where(mine)
    if after is not None:
        stmt = stmt.where(Comment.id < after)
    found = list(connection.execute(stmt.order_by(Comment.id.desc()).limit(limit + 1)))
    comments = found[:limit]
    page = AuthorPage(
        site_id=site_id,
        author_key=author_key,
        comments=comments,
        record=record,
        names=names,
        emails=emails,
        next_cursor=encode_cursor(comments[-1].id) if len(found) > limit else None,
    )

    if comments:
        ids = {"ids": [c.id for c in comments]}
        for decision in connection.execute(DECISION_ROWS, ids):
            page.history[decision.comment_id].append(decision)

    # Every comment of a signed-in reader carries their account (their key is made from it).
    page.reader = session.scalar(
        select(Reader)
        .where(
            Reader.site_id == site_id,
            Reader.id.in_(select(Comment.reader_id).where(mine, Comment.reader_id.is_not(None))),
        )
        .order_by(Reader.id.desc())
        .limit(1)
    )

    page.bans = list(
        session.scalars(
            select(Ban)
            .where(Ban.site_id == site_id, _bans_clause(secret_key, site_id, author_key, emails))
            .order_by(Ban.id.desc())
        )
    )
    page.standing = standing_of(session, site_id, author_key)
    page.notes = notes_of(session, site_id, author_key)
    return page


@dataclass(frozen=True)
class FoundAuthor:
    """One author a moderator's look-up found: who, under which name, how many comments."""

    author_key: str
    name: str
    comments: int
    last_at: datetime


MAX_FOUND = 50


def find_authors(
    session: Session,
    site_id: int,
    *,
    name: str | None = None,
    email: str | None = None,
    ip_of_comment: int | None = None,
) -> list[FoundAuthor]:
    """The authors of the site who commented under a name and an email (each whole, any case)
    and from the address a comment came from (its keyed hash: the address itself is never
    kept), as many of the three as are given (none: no one); the most recent first."""
    wanted = [Comment.site_id == site_id]
    if name is not None:
        wanted.append(func.lower(Comment.author_name) == name.strip().lower())
    if email is not None:
        wanted.append(func.lower(Comment.author_email) == email.strip().lower())
    if ip_of_comment is not None:
        ip = session.scalar(
            select(Comment.ip_hash).where(Comment.site_id == site_id, Comment.id == ip_of_comment)
        )
        if ip is None:
            return []
        wanted.append(Comment.ip_hash == ip)
    if len(wanted) == 1:
        return []
    rows = session.execute(
        select(
            Comment.author_key,
            func.max(Comment.id).label("last_id"),
            func.count(Comment.id).label("comments"),
            func.max(Comment.created_at).label("last_at"),
        )
        .where(*wanted)
        .group_by(Comment.author_key)
        .order_by(func.max(Comment.id).desc())
        .limit(MAX_FOUND)
    ).all()
    names = dict(
        session.execute(
            select(Comment.id, Comment.author_name).where(
                Comment.id.in_([row.last_id for row in rows])
            )
        ).all()
    )
    return [
        FoundAuthor(row.author_key, names.get(row.last_id, ""), row.comments, row.last_at)
        for row in rows
    ]


def _bans_clause(secret_key: str, site_id: int, author_key: str, emails: Sequence[str]) -> Any:
    clauses = [and_(Ban.kind == BanKind.AUTHOR, Ban.value_hash == author_key)]
    if emails:
        hashes = sorted({email_hash(secret_key, site_id, email) for email in emails})
        clauses.append(and_(Ban.kind == BanKind.EMAIL, Ban.value_hash.in_(hashes)))
    return or_(*clauses)
