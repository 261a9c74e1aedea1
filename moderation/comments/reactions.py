"""Readers' reactions ("Respect"): one per reader and comment, given and taken back.

The rule "one each" is the database's (a unique key on comment and reactor), so 32 readers at
once count exactly and a second reaction is refused however close behind the first. Counts move
in SQL, never read-modify-write. A reaction does not move the article's version: it marks the
second it came in (``Article.reacted_second``), which thread caching coarsens to at most one new
rendering a second (``threads.reaction_mark``), so a popular thread stays cached while readers
react to it.
"""

from __future__ import annotations

import time

from sqlalchemy import bindparam, delete, or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..errors import AlreadyReacted, IdentityRequired, NotFound
from ..identity import reactor_key
from ..models import PUBLIC_STATUSES, Article, Comment, Reaction, Site, utcnow
from ..prepared import Prepared
from . import readers
from .submit import check_guest_allowed

_COUNT = Prepared(
    update(Comment)
    .where(Comment.id == bindparam("comment_id"))
    .values(reactions=Comment.reactions + bindparam("delta"))
    .returning(Comment.reactions)
)
# Monotonic, and written only when the second changes: most reactions to a busy article skip it.
_MARK = Prepared(
    update(Article)
    .where(
        Article.id == bindparam("article_id"),
        or_(Article.reacted_second.is_(None), Article.reacted_second < bindparam("second")),
    )
    .values(reacted_second=bindparam("second"), reacted_before=Article.reacted_second)
)


def _public_comment(session: Session, comment_id: int) -> Comment:
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status not in PUBLIC_STATUSES:
        raise NotFound("There is no such published comment.")
    return comment


def reactor(
    session: Session,
    comment_id: int,
    *,
    secret_key: str,
    token: str | None,
    guest_key: str | None,
) -> tuple[Comment, Site, str]:
    """The public comment, its site, and who is reacting to it: the signed-in reader, else the
    guest's browser key (where guests may comment)."""
    comment = _public_comment(session, comment_id)
    site = session.get_one(Site, comment.site_id)
    signed_in = readers.identify(session, site, token, utcnow())
    if signed_in is not None:
        return comment, site, reactor_key(secret_key, site.id, subject=signed_in.claims.subject)
    check_guest_allowed(site)
    if guest_key is None:
        raise IdentityRequired()
    # Guests of a mixed site react like anyone: a reaction is counted, never held.
    return comment, site, reactor_key(secret_key, site.id, guest_key=guest_key)


#: Seconds from taking a reaction's time to its commit, at most: the mark is the second the
#: reaction commits in at the latest, so that a thread rendered in any later second counts it.
COMMIT_MARGIN = 0.5


def _moved(session: Session, comment: Comment, delta: int) -> int:
    count = _COUNT.scalar(session, {"comment_id": comment.id, "delta": delta})
    # Taken after the comment's row is written (after any wait for its lock); the commit follows.
    second = int(time.time() + COMMIT_MARGIN)
    _MARK.run(session, {"article_id": comment.article_id, "second": second})
    session.expire(comment, ["reactions"])
    return int(count)


def react(session: Session, comment: Comment, key: str) -> int:
    """Add the reader's reaction to a public comment; the comment's new count."""
    try:
        with session.begin_nested():
            session.add(Reaction(comment_id=comment.id, reactor_key=key, created_at=utcnow()))
    except IntegrityError:
        raise AlreadyReacted() from None
    return _moved(session, comment, +1)


def unreact(session: Session, comment: Comment, key: str) -> int:
    """Take the reader's reaction back; the comment's new count."""
    removed = session.execute(
        delete(Reaction)
        .where(Reaction.comment_id == comment.id, Reaction.reactor_key == key)
        .execution_options(synchronize_session=False)
    )
    if not removed.rowcount:  # type: ignore[attr-defined]
        raise NotFound("You have not reacted to this comment.")
    return _moved(session, comment, -1)
