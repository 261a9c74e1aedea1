"""Every change of a comment's status after it is stored, with its bookkeeping: the log entry,
the reader reports a decision answers, the article's public count and version, the site's queue
version, all in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from ..models import PUBLIC_STATUSES, Action, Comment, Flag, Reason, Status, utcnow
from . import writes

#: The actions that are a moderator's verdict: they mark the comment decided and answer its
#: reports. The others (an author's edit or deletion, a rule's hold) only move it.
VERDICTS = frozenset({Action.APPROVE, Action.REJECT, Action.SPAM, Action.RESTORE, Action.FEATURE})


def change_status(
    session: Session,
    comments: Sequence[Comment],
    target: Status,
    *,
    actor: str,
    action: Action,
    moderator_id: int | None = None,
    reason: Reason | None = None,
    explanation: str | None = None,
    now: datetime | None = None,
    legal_ground: str | None = None,
) -> None:
    """Move comments to ``target``, log it, answer their reports if it is a verdict, and keep
    their articles' counts and versions and their sites' queue versions in step."""
    now = now or utcnow()
    deltas: dict[int, int] = defaultdict(int)
    answered: list[int] = []
    entries = []
    for comment in comments:
        before = comment.status
        comment.status = target
        if target not in PUBLIC_STATUSES:
            comment.featured = False  # a pick taken down is no longer a pick
        if action in VERDICTS:
            comment.decided_at = now
            if comment.open_flag_count:
                answered.append(comment.id)
                comment.open_flag_count = 0
        entries.append(
            writes.LogEntry(
                site_id=comment.site_id,
                comment_id=comment.id,
                actor=actor,
                action=action,
                from_status=before,
                to_status=target,
                reason=reason,
                explanation=explanation,
                moderator_id=moderator_id,
                created_at=now,
                legal_ground=legal_ground,
            )
        )
        delta = int(target in PUBLIC_STATUSES) - int(before in PUBLIC_STATUSES)
        if delta or before in PUBLIC_STATUSES:
            deltas[comment.article_id] += delta
    if answered:
        session.execute(
            update(Flag)
            .where(Flag.comment_id.in_(answered), Flag.resolved_at.is_(None))
            .values(resolved_at=now)
            .execution_options(synchronize_session=False)
        )
    writes.log(session, entries)
    writes.adjust_articles(session, deltas)
    writes.queue_changed(session, {c.site_id for c in comments})
