"""Moderators' notes about an author: kept with who wrote them and when, read only by the site's
moderators (never by readers, never in the public API), never edited or deleted one by one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..models import AuthorNote, Comment, utcnow

MAX_NOTE_CHARS = 2000
#: The notes an author's page shows, newest first: a long history is read a page at a time.
MAX_NOTES = 50


def add_note(
    session: Session,
    site_id: int,
    author_key: str,
    body: str,
    *,
    actor: str,
    now: datetime | None = None,
) -> AuthorNote:
    """Add a note about an author who has commented on the site. Plain text: shown escaped."""
    text = body.strip()
    if not text:
        raise ValidationError("body", "Write the note.")
    if len(text) > MAX_NOTE_CHARS:
        raise ValidationError("body", f"A note is at most {MAX_NOTE_CHARS:,} characters.")
    known = session.scalar(
        select(Comment.id)
        .where(Comment.site_id == site_id, Comment.author_key == author_key)
        .limit(1)
    )
    if known is None:
        raise NotFound("There is no such author on this site.")
    note = AuthorNote(
        site_id=site_id,
        author_key=author_key,
        body=text,
        created_by=actor,
        created_at=now or utcnow(),
    )
    session.add(note)
    session.flush()
    return note


def notes_of(session: Session, site_id: int, author_key: str) -> list[AuthorNote]:
    """The author's latest notes, newest first."""
    return list(
        session.scalars(
            select(AuthorNote)
            .where(AuthorNote.site_id == site_id, AuthorNote.author_key == author_key)
            .order_by(AuthorNote.id.desc())
            .limit(MAX_NOTES)
        )
    )
