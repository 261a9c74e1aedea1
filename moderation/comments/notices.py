"""Notices of illegal content (DSA Art. 16): filed by anyone about a public comment, with what
the regulation asks of a notice, acknowledged with a receipt, assessed by a moderator, and the
notifier told of the outcome.

A notice is a ``Flag`` of reason ``illegal`` that carries a receipt; it is kept apart from
readers' ordinary reports (it does not count towards the flagged tab or the reports' hold), and
it is assessed as illegal, against the house rules only, or needing no action. An assessment that
takes the comment down is a rejection, with its statement of reasons (``statements``).
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InvalidTransition, NotFound, ValidationError
from ..models import (
    PUBLIC_STATUSES,
    Action,
    Appeal,
    AppealStatus,
    Article,
    Assessment,
    Comment,
    Flag,
    Reason,
    Status,
    utcnow,
)
from ..outbox import events
from . import writes
from .decide import decide

#: Kinds of illegality a notifier can name; child sexual abuse material is the one whose
#: notifier may stay anonymous (Art. 16(2)(c)).
CATEGORIES = (
    "child_sexual_abuse",
    "terrorism",
    "hate_speech",
    "defamation",
    "privacy",
    "intellectual_property",
    "fraud",
    "other",
)
ANONYMOUS_CATEGORIES = frozenset({"child_sexual_abuse"})


@dataclass(frozen=True)
class NewNotice:
    """What a notifier sends."""

    category: str
    law: str
    explanation: str
    notifier_name: str | None
    notifier_email: str | None
    good_faith: bool
    lang: str = "en"


def check(notice: NewNotice) -> None:
    """A notice is complete or refused, naming the first field that is missing."""
    if notice.category not in CATEGORIES:
        raise ValidationError("category", f"Choose one of: {', '.join(CATEGORIES)}.")
    if not notice.law.strip():
        raise ValidationError("law", "Name the law, or the kind of illegality, it breaks.")
    if not notice.explanation.strip():
        raise ValidationError("explanation", "Explain why the comment is illegal.")
    if notice.category not in ANONYMOUS_CATEGORIES:
        if not (notice.notifier_name or "").strip():
            raise ValidationError("notifier_name", "Give your name.")
        if not (notice.notifier_email or "").strip():
            raise ValidationError("notifier_email", "Give your email address.")
    if notice.good_faith is not True:
        raise ValidationError(
            "good_faith", "Confirm that you believe in good faith that the notice is accurate."
        )


def new_receipt() -> str:
    """A receipt the notifier can quote; unguessable, so it names only their notice."""
    return "N-" + secrets.token_hex(6).upper()


def file_notice(
    session: Session,
    comment_id: int,
    notice: NewNotice,
    reporter_hash: str,
    now: datetime | None = None,
) -> Flag:
    """File a notice about a public comment; the notifier is mailed its receipt."""
    check(notice)
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status not in PUBLIC_STATUSES:
        raise NotFound("There is no such published comment.")
    now = now or utcnow()
    flag = Flag(
        comment_id=comment.id,
        reason=Reason.ILLEGAL,
        note=None,
        # Apart from the same reader's ordinary report (one of each per comment is allowed).
        reporter_hash=hashlib.sha256(f"notice:{reporter_hash}:{now}".encode()).hexdigest(),
        created_at=now,
        law=notice.law.strip(),
        category=notice.category,
        explanation=notice.explanation.strip(),
        notifier_name=(notice.notifier_name or "").strip() or None,
        notifier_email=(notice.notifier_email or "").strip().lower() or None,
        notifier_lang=notice.lang,
        good_faith=True,
        receipt=new_receipt(),
    )
    session.add(flag)
    session.flush()
    article = session.get_one(Article, comment.article_id)
    snapshot = events.comment_data(comment, events.article_data(article))
    events.emit(
        session,
        comment.site_id,
        "flag.created",
        {
            "flag": {"id": flag.id, "reason": "illegal", "note": None, "notice": True},
            "comment": snapshot,
        },
    )
    if flag.notifier_email:
        events.emit(
            session, comment.site_id, events.NOTICE_RECEIVED, _notice_data(flag, comment, snapshot)
        )
    writes.queue_changed(session, [comment.site_id])
    return flag


def _notice_data(flag: Flag, comment: Comment, snapshot: dict[str, object]) -> dict[str, object]:
    return {
        "email": flag.notifier_email,
        "lang": flag.notifier_lang or "en",
        "receipt": flag.receipt,
        "notice_id": flag.id,
        "law": flag.law,
        "assessment": flag.assessment.value if flag.assessment else None,
        "legal_ground": flag.legal_ground,
        "comment": snapshot,
    }


def list_notices(
    session: Session, site_ids: Collection[int], *, open_only: bool = True, limit: int = 100
) -> list[tuple[Flag, Comment]]:
    """The sites' notices with their comments, oldest open first (or every one, newest first)."""
    stmt = (
        select(Flag, Comment)
        .join(Comment, Comment.id == Flag.comment_id)
        .where(Comment.site_id.in_(list(site_ids)), Flag.receipt.is_not(None))
    )
    if open_only:
        stmt = stmt.where(Flag.assessment.is_(None)).order_by(Flag.id)
    else:
        stmt = stmt.order_by(Flag.id.desc())
    return [(f, c) for f, c in session.execute(stmt.limit(limit)).all()]


def get_notice(session: Session, notice_id: int, site_ids: Collection[int]) -> tuple[Flag, Comment]:
    row = session.execute(
        select(Flag, Comment)
        .join(Comment, Comment.id == Flag.comment_id)
        .where(Flag.id == notice_id, Flag.receipt.is_not(None))
    ).first()
    if row is None or row[1].site_id not in set(site_ids):
        raise NotFound("There is no such notice.")
    return row[0], row[1]


def assess(
    session: Session,
    notice_id: int,
    site_ids: Collection[int],
    *,
    assessment: Assessment,
    actor: str,
    legal_ground: str | None = None,
    explanation: str | None = None,
    moderator_id: int | None = None,
    reason: Reason | None = None,
) -> Flag:
    """A moderator's assessment of a notice. Illegal: the comment is rejected with the legal
    ground; against the house rules: rejected with ``reason`` (default other); no action: it
    stays. The assessment is logged and the notifier told."""
    flag, comment = get_notice(session, notice_id, site_ids)
    if flag.assessment is not None:
        raise InvalidTransition(f"Notice {flag.receipt} was already assessed.")
    if assessment is Assessment.ILLEGAL and not (legal_ground or "").strip():
        raise ValidationError("legal_ground", "Name the legal ground for removing it.")
    now = utcnow()
    flag.assessment = assessment
    flag.legal_ground = (legal_ground or "").strip() or None
    flag.assessed_at = now
    flag.assessed_by = actor
    flag.resolved_at = now
    writes.log(
        session,
        [
            writes.LogEntry(
                site_id=comment.site_id,
                comment_id=comment.id,
                actor=actor,
                action=Action.ASSESS,
                from_status=comment.status,
                to_status=comment.status,
                reason=Reason.ILLEGAL if assessment is Assessment.ILLEGAL else reason,
                explanation=f"notice {flag.receipt}: {assessment.value}",
                moderator_id=moderator_id,
            )
        ],
    )
    if assessment is not Assessment.NO_ACTION and comment.status in PUBLIC_STATUSES:
        decide(
            session,
            site_id=comment.site_id,
            comment_ids=[comment.id],
            action=Action.REJECT,
            actor=actor,
            moderator_id=moderator_id,
            reason=Reason.ILLEGAL if assessment is Assessment.ILLEGAL else reason or Reason.OTHER,
            explanation=explanation,
            legal_ground=flag.legal_ground,
        )
    if flag.notifier_email:
        article = session.get_one(Article, comment.article_id)
        snapshot = events.comment_data(comment, events.article_data(article))
        events.emit(
            session, comment.site_id, events.NOTICE_DECIDED, _notice_data(flag, comment, snapshot)
        )
    session.flush()
    return flag


def _open_notices(site_ids: Sequence[int]) -> Any:
    return (
        select(func.count(Flag.id))
        .join(Comment, Comment.id == Flag.comment_id)
        .where(
            Comment.site_id.in_(list(site_ids)),
            Flag.receipt.is_not(None),
            Flag.assessment.is_(None),
            Comment.status != Status.DELETED,
        )
    )


def open_count(session: Session, site_ids: Sequence[int]) -> int:
    """How many notices wait for an assessment."""
    return session.scalar(_open_notices(site_ids)) or 0


def open_work(session: Session, site_ids: Sequence[int]) -> tuple[int, int]:
    """The open notices and the open appeals of the sites, in one query (the dashboard's
    navigation shows both on every page)."""
    appeals_open = select(func.count(Appeal.id)).where(
        Appeal.site_id.in_(list(site_ids)), Appeal.status == AppealStatus.OPEN
    )
    row = session.execute(
        select(_open_notices(site_ids).scalar_subquery(), appeals_open.scalar_subquery())
    ).one()
    return int(row[0] or 0), int(row[1] or 0)
