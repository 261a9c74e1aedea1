"""A person's data under the GDPR: found by their email, their sign-in or a comment's edit token,
exported as JSON (the right of access), erased (the right to erasure), and kept no longer than
the settings' retention periods (storage limitation).

Erasure blanks what identifies the person and what they wrote, but keeps each comment's row and
place in its thread, so replies by others stay where they were. The decision log is append-only
and holds the moderators' words, not the author's: it is left as it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from ..config import Settings
from ..errors import NotFound, ValidationError
from ..identity import token_hash
from ..models import (
    Action,
    Appeal,
    Article,
    AuthorNote,
    Ban,
    Comment,
    Decision,
    Delivery,
    Event,
    Flag,
    IdempotentRequest,
    MailSubscription,
    Reader,
    Site,
    Status,
    utcnow,
)
from ..outbox import events
from . import writes

#: What an erased comment shows in place of its author and its body.
ERASED_NAME = "[deleted]"
ERASED_HTML = "<p>[deleted]</p>"
#: What a comment past the retention of its text shows to moderators.
REMOVED_HTML = "<p>[removed]</p>"
ERASED_EXPLANATION = "erased at the author's request"
#: Statuses whose text is kept only ``retention_text_days``: nobody reads them but moderators.
UNPUBLISHED = (Status.REJECTED, Status.SPAM, Status.DELETED)

SELECTORS = ("email", "subject", "edit_token")


@dataclass
class Person:
    """Everything found of one person on one site: their comments, their account if they signed
    in, and the addresses (lowercased) their mail subscriptions are under."""

    comments: list[Comment]
    reader: Reader | None
    emails: set[str] = field(default_factory=set)

    @property
    def comment_ids(self) -> set[int]:
        return {c.id for c in self.comments}

    @property
    def author_keys(self) -> set[str]:
        return {c.author_key for c in self.comments}


@dataclass(frozen=True)
class Erased:
    """How many rows an erasure changed or removed, for the operator and the reader."""

    comments: int = 0
    readers: int = 0
    mail_subscriptions: int = 0
    author_notes: int = 0
    idempotent_requests: int = 0
    events: int = 0
    deliveries: int = 0
    flags: int = 0
    bans: int = 0
    appeals: int = 0


def _one_selector(email: str | None, subject: str | None, edit_token: str | None) -> None:
    given = [v for v in (email, subject, edit_token) if v is not None]
    if len(given) != 1 or not given[0].strip():
        raise ValidationError("selector", "Give exactly one of email, subject or edit token.")


def find_person(
    session: Session,
    site_id: int,
    *,
    email: str | None = None,
    subject: str | None = None,
    edit_token: str | None = None,
) -> Person:
    """The person one selector names: an email (case-insensitive, with the account that has it),
    an SSO subject (the account and its comments), or an edit token (every comment of the same
    author as the comment the token edits)."""
    _one_selector(email, subject, edit_token)
    site_comments = select(Comment).where(Comment.site_id == site_id).order_by(Comment.id)
    if email is not None:
        address = email.strip().lower()
        reader = session.scalars(
            select(Reader)
            .where(Reader.site_id == site_id, func.lower(Reader.email) == address)
            .order_by(Reader.id)
            .limit(1)
        ).first()
        matches = func.lower(Comment.author_email) == address
        if reader is not None:
            matches = or_(matches, Comment.reader_id == reader.id)
        comments = list(session.scalars(site_comments.where(matches)))
        return Person(comments, reader, {address})
    if subject is not None:
        reader = session.scalar(
            select(Reader).where(Reader.site_id == site_id, Reader.subject == subject)
        )
        if reader is None:
            return Person([], None)
        comments = list(session.scalars(site_comments.where(Comment.reader_id == reader.id)))
        # Only the address the publisher's login vouches for: anyone can type anyone's email.
        return Person(comments, reader, {reader.email.lower()} if reader.email else set())
    assert edit_token is not None
    key = session.scalar(
        select(Comment.author_key).where(
            Comment.site_id == site_id, Comment.edit_token_hash == token_hash(edit_token.strip())
        )
    )
    if key is None:
        raise NotFound("No comment of this site has this edit token.")
    comments = list(session.scalars(site_comments.where(Comment.author_key == key)))
    reader_ids = {c.reader_id for c in comments if c.reader_id is not None}
    reader = session.get(Reader, min(reader_ids)) if reader_ids else None
    emails = {c.author_email.lower() for c in comments if c.author_email}
    return Person(comments, reader, emails)


def find_reader_comments(
    session: Session,
    site_id: int,
    *,
    email: str | None = None,
    subject: str | None = None,
    edit_token: str | None = None,
) -> list[Comment]:
    """The comments of one person, oldest first (see :func:`find_person` for the selectors)."""
    return find_person(
        session, site_id, email=email, subject=subject, edit_token=edit_token
    ).comments


def _stamp(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _site_slug(session: Session, site_id: int) -> str:
    slug = session.scalar(select(Site.slug).where(Site.id == site_id))
    if slug is None:
        raise NotFound("There is no such site.")
    return slug


def _notifier_match(emails: set[str]) -> Any | None:
    """Notices whose notifier left one of these addresses."""
    if not emails:
        return None
    return func.lower(Flag.notifier_email).in_(sorted(emails))


def export(session: Session, site_id: int, **selector: str | None) -> dict[str, Any]:
    """Everything the site keeps of one person, JSON-ready: their account, their comments with
    the decisions on them, their reports, their mail subscriptions and the reactions their
    comments received (reactions are kept as keyed hashes that name no one)."""
    slug = _site_slug(session, site_id)
    person = find_person(session, site_id, **selector)
    ids = sorted(person.comment_ids)
    articles = {
        a.id: a
        for a in session.scalars(
            select(Article).where(Article.id.in_({c.article_id for c in person.comments}))
        )
    }
    decisions: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    for decision in session.scalars(
        select(Decision).where(Decision.comment_id.in_(ids)).order_by(Decision.id)
    ):
        decisions[decision.comment_id].append(
            {
                "action": decision.action.value,
                "reason": decision.reason.value if decision.reason else None,
                "explanation": decision.explanation,
                "created_at": _stamp(decision.created_at),
            }
        )
    reader = person.reader
    return {
        "site": slug,
        "exported_at": _stamp(utcnow()),
        "reader": None
        if reader is None
        else {
            "subject": reader.subject,
            "name": reader.name,
            "email": reader.email,
            "badges": list(reader.badges),
            "created_at": _stamp(reader.created_at),
        },
        "comments": [
            _exported_comment(c, articles[c.article_id], decisions[c.id]) for c in person.comments
        ],
        "reports": _reports(session, site_id, person.emails),
        "appeals": _appeals(session, person.comment_ids),
        "mail": [
            {
                "email": s.email,
                "lists": [name for name in ("replies", "decisions") if getattr(s, name)],
                "lang": s.lang,
                "confirmed_at": _stamp(s.confirmed_at),
            }
            for s in _subscriptions(session, site_id, person.emails)
        ],
        "reactions": sum(c.reactions for c in person.comments),
    }


def _exported_comment(
    comment: Comment, article: Article, decisions: list[dict[str, Any]]
) -> dict[str, Any]:
    return {
        "id": comment.id,
        "article": {"key": article.key, "url": article.url, "title": article.title},
        "parent_id": comment.parent_id,
        "status": comment.status.value,
        "author_name": comment.author_name,
        "author_email": comment.author_email,
        "body_text": comment.body_text,
        "html": comment.html,
        "created_at": _stamp(comment.created_at),
        "edited_at": _stamp(comment.edited_at),
        "decisions": decisions,
    }


def _reports(session: Session, site_id: int, emails: set[str]) -> list[dict[str, Any]]:
    # A flag names its reporter by a keyed hash of their address only, unless they left an
    # address to be told the outcome: those are the reports we can say are theirs.
    matches = _notifier_match(emails)
    if matches is None:
        return []
    flags = session.scalars(
        select(Flag)
        .join(Comment, Comment.id == Flag.comment_id)
        .where(Comment.site_id == site_id, matches)
        .order_by(Flag.id)
    )
    return [
        {
            "id": flag.id,
            "comment_id": flag.comment_id,
            "reason": flag.reason.value,
            "note": flag.note,
            "created_at": _stamp(flag.created_at),
            "resolved_at": _stamp(flag.resolved_at),
        }
        for flag in flags
    ]


def _subscriptions(session: Session, site_id: int, emails: set[str]) -> Sequence[MailSubscription]:
    if not emails:
        return []
    return session.scalars(
        select(MailSubscription)
        .where(
            MailSubscription.site_id == site_id,
            func.lower(MailSubscription.email).in_(sorted(emails)),
        )
        .order_by(MailSubscription.id)
    ).all()


def _rowcount(result: Any) -> int:
    return int(cast(CursorResult[Any], result).rowcount or 0)


def erase(session: Session, site_id: int, *, actor: str, **selector: str | None) -> Erased:
    """Erase one person's data from the site: their comments keep their place (replies stay in
    the thread) but show ``[deleted]``, their account keeps only its subject, their mail
    subscriptions, the notes about them and the stored replays of their submissions go, and the
    outbox's copies of their comments are blanked. One log entry per comment says it happened."""
    person = find_person(session, site_id, **selector)
    ids = person.comment_ids
    for comment in person.comments:
        comment.author_name = ERASED_NAME
        comment.author_email = None
        comment.body_text = ""
        comment.ip_hash = None
        comment.badges = []
        comment.html = ERASED_HTML  # public or not: the sanitized copy is their words too
    readers = 0
    if person.reader is not None:
        person.reader.name = ERASED_NAME
        person.reader.email = None
        person.reader.badges = []
        readers = 1
    session.flush()
    subscriptions = _delete(
        session,
        delete(MailSubscription).where(
            MailSubscription.site_id == site_id,
            func.lower(MailSubscription.email).in_(sorted(person.emails)),
        ),
        bool(person.emails),
    )
    notes = _delete(
        session,
        delete(AuthorNote).where(
            AuthorNote.site_id == site_id, AuthorNote.author_key.in_(sorted(person.author_keys))
        ),
        bool(ids),
    )
    replays = _delete(
        session, delete(IdempotentRequest).where(IdempotentRequest.comment_id.in_(ids)), bool(ids)
    )
    deliveries = _delete(
        session,
        delete(Delivery).where(
            Delivery.site_id == site_id, func.lower(Delivery.recipient).in_(sorted(person.emails))
        ),
        bool(person.emails),
    )
    erased = Erased(
        comments=len(ids),
        readers=readers,
        mail_subscriptions=subscriptions,
        author_notes=notes,
        idempotent_requests=replays,
        events=_blank_events(session, site_id, ids, person.emails),
        deliveries=deliveries,
        flags=_blank_notifiers(session, site_id, person.emails),
        bans=_blank_ban_labels(session, site_id, ids, person.emails),
        appeals=_blank_appeals(session, ids),
    )
    if person.comments:
        writes.adjust_articles(session, {c.article_id: 0 for c in person.comments})
        writes.log(
            session,
            [
                writes.LogEntry(
                    site_id=site_id,
                    comment_id=c.id,
                    actor=actor,
                    action=Action.EDIT,
                    from_status=c.status,
                    to_status=c.status,
                    explanation=ERASED_EXPLANATION,
                )
                for c in person.comments
            ],
        )
        writes.queue_changed(session, [site_id])
    session.flush()
    return erased


def _delete(session: Session, statement: Any, needed: bool) -> int:
    return _rowcount(session.execute(statement)) if needed else 0


def _blank_events(session: Session, site_id: int, ids: set[int], emails: set[str]) -> int:
    """Blank the outbox's copies of the comments (their snapshots) and of the addresses (a
    confirmation mail's event): events are the outbox's, not a log, and may be rewritten."""
    if not ids and not emails:
        return 0
    changed = 0
    found = session.scalars(
        select(Event)
        .where(
            Event.site_id == site_id,
            or_(
                Event.type.like("comment.%"),
                Event.type.like("flag.%"),
                Event.type.like("notice.%"),
                Event.type == events.READER_CONFIRM,
            ),
        )
        .order_by(Event.id)
    )
    for event in found:
        data = dict(event.data or {})
        touched = False
        comment = data.get("comment")
        if isinstance(comment, dict) and comment.get("id") in ids:
            data["comment"] = {
                **comment,
                "author_name": ERASED_NAME,
                "html": ERASED_HTML,
                "text": "",
                "badges": [],
            }
            touched = True
        address = data.get("email")
        if isinstance(address, str) and address.lower() in emails:
            data["email"] = None
            touched = True
        if touched:
            event.data = data
            flag_modified(event, "data")
            changed += 1
    return changed


def _blank_notifiers(session: Session, site_id: int, emails: set[str]) -> int:
    """Blank the reporter's own address and name on the flags they sent (when flags keep them);
    the notes of flags on the person's comments are the reporters' and stay."""
    matches = _notifier_match(emails)
    if matches is None:
        return 0
    values: dict[str, None] = {"notifier_email": None, "notifier_name": None}
    on_site = select(Comment.id).where(Comment.site_id == site_id).scalar_subquery()
    statement = (
        update(Flag)
        .where(Flag.comment_id.in_(on_site), matches)
        .values(values)
        .execution_options(synchronize_session=False)
    )
    changed = _rowcount(session.execute(statement))
    for obj in list(session.identity_map.values()):
        if changed and isinstance(obj, Flag):
            session.expire(obj, list(values))
    return changed


def _appeals(session: Session, ids: set[int]) -> list[dict[str, Any]]:
    """The person's appeals (DSA Art. 20): their own words about their comments."""
    if not ids:
        return []
    found = session.scalars(select(Appeal).where(Appeal.comment_id.in_(sorted(ids))))
    return [
        {
            "id": a.id,
            "comment_id": a.comment_id,
            "body": a.body,
            "status": str(a.status),
            "created_at": _stamp(a.created_at),
            "decided_at": _stamp(a.decided_at),
            "outcome": a.outcome,
        }
        for a in found
    ]


def _blank_appeals(session: Session, ids: set[int]) -> int:
    if not ids:
        return 0
    statement = (
        update(Appeal)
        .where(Appeal.comment_id.in_(sorted(ids)))
        .values(body="")
        .execution_options(synchronize_session="fetch")
    )
    return _rowcount(session.execute(statement))


def _blank_ban_labels(session: Session, site_id: int, ids: set[int], emails: set[str]) -> int:
    """A ban keeps working on its keyed hash; its label (the email or the author's name, for
    moderators) goes, so the ban no longer names the person."""
    conditions: list[Any] = []
    if ids:
        conditions.append(Ban.comment_id.in_(sorted(ids)))
    if emails:
        conditions.append(func.lower(Ban.label).in_(sorted(emails)))
    if not conditions:
        return 0
    statement = (
        update(Ban)
        .where(Ban.site_id == site_id, or_(*conditions))
        .values(label=ERASED_NAME)
        .execution_options(synchronize_session="fetch")
    )
    return _rowcount(session.execute(statement))


def _text_expired(before: datetime) -> Any:
    return (
        Comment.status.in_(UNPUBLISHED),
        Comment.created_at < before,
        or_(
            Comment.body_text != "",
            Comment.author_email.is_not(None),
            Comment.html != REMOVED_HTML,
        ),
    )


def purge(
    session: Session, settings: Settings, now: datetime, dry_run: bool = False
) -> dict[str, int]:
    """Forget what the retention periods no longer allow, on every site, in bulk: the address
    hashes of comments older than ``retention_ip_days``, and the text, email and HTML of
    rejected, spam and deleted comments older than ``retention_text_days``. How many comments
    each changed (with ``dry_run``, would change: nothing is written)."""
    ip_before = now - timedelta(days=settings.retention_ip_days)
    text_before = now - timedelta(days=settings.retention_text_days)
    ip_where = (Comment.ip_hash.is_not(None), Comment.created_at < ip_before)
    text_where = _text_expired(text_before)
    if dry_run:
        return {
            "ip_hashes": _count(session, ip_where),
            "texts": _count(session, text_where),
        }
    sites = list(session.scalars(select(Comment.site_id).where(*text_where).distinct()))
    ip_hashes = _rowcount(
        session.execute(
            update(Comment)
            .where(*ip_where)
            .values(ip_hash=None)
            .execution_options(synchronize_session=False)
        )
    )
    texts = 0
    if sites:
        texts = _rowcount(
            session.execute(
                update(Comment)
                .where(*text_where)
                .values(body_text="", author_email=None, html=REMOVED_HTML)
                .execution_options(synchronize_session=False)
            )
        )
        writes.queue_changed(session, sites)  # queue pages of rejected comments show the text
    if ip_hashes or texts:
        _expire_comments(session)
    return {"ip_hashes": ip_hashes, "texts": texts}


def _count(session: Session, where: Iterable[Any]) -> int:
    return int(session.scalar(select(func.count()).select_from(Comment).where(*where)) or 0)


def _expire_comments(session: Session) -> None:
    # Bulk updates bypass the session: comments it holds are read again when next used.
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Comment):
            session.expire(obj, ["ip_hash", "body_text", "author_email", "html"])
