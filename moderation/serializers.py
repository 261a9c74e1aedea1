"""Comments and articles as the API shows them, in its three views: public, author and
moderator (the shapes are declared in ``schemas.responses``; mypy holds each builder to its
shape).

The public view never carries an email address, an IP hash or the original text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from .comments.authors import AuthorPage
from .comments.edit import editable_until
from .comments.listing import QueuedComment
from .models import (
    Article,
    AuthorNote,
    AuthorStanding,
    Ban,
    Comment,
    Decision,
    Flag,
    MailSubscription,
    Site,
    Status,
)
from .schemas import responses as r
from .schemas.parse import adapter


def rfc3339(value: datetime) -> str:
    """A moment as the API writes it: RFC 3339, UTC, to the second."""
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _maybe(value: datetime | None) -> str | None:
    return rfc3339(value) if value is not None else None


def dump(shape: Any, value: Any) -> bytes:
    """``value`` as compact JSON, as its shape declares it (only the declared keys)."""
    return adapter(shape).dump_json(value)


def public_article(article: Article | None, key: str, closed_site: bool = False) -> r.ThreadArticle:
    if article is None:
        return {"key": key, "title": None, "url": None, "closed": closed_site}
    return {
        "key": article.key,
        "title": article.title,
        "url": article.url,
        "closed": article.closed or closed_site,
    }


def public_comment(comment: Any) -> r.PublicComment:
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author_name": comment.author_name,
        # A seed for the identicon the widget draws; a keyed hash, so it reveals no email.
        "avatar": comment.author_key[:16],
        "html": comment.html,
        "created_at": rfc3339(comment.created_at),
        "edited_at": _maybe(comment.edited_at),
        "staff": comment.staff,
        "badges": list(comment.badges),
        "featured": comment.featured,
        "reactions": comment.reactions,
    }


def thread_comment(comment: Any) -> r.ThreadComment:
    """A comment of a public thread, its replies to be attached."""
    return {**public_comment(comment), "replies": []}


#: The reasons for holding a comment that its author is told: the site's policy, which an honest
#: author may know (``rules``' names). Never the signals that catch bots and spammers (the pace,
#: the hidden field, the form token, the word lists, the spam score, Akismet, repeats, the
#: author's rejections): telling them would say what to change to get past.
AUTHOR_VISIBLE_REASONS = frozenset(
    {"premod", "new_commenter", "new_author_link", "link_count", "guest"}
)


def author_status(comment: Comment) -> str:
    """The status the author is told: the rules' spam verdict, until a moderator decides, is
    "pending" (a bot learns nothing; a person wrongly caught sees it awaiting moderation)."""
    if comment.status is Status.SPAM and comment.decided_at is None:
        return Status.PENDING.value
    return comment.status.value


def author_comment(
    comment: Comment,
    site: Site,
    verdict: Decision | None = None,
    statement: r.StatementOfReasons | None = None,
) -> r.AuthorComment:
    """What the author sees of their own comment: its status and for how long they may edit it
    (a spam verdict of the rules shown as pending, only the reasons of the site's policy), and
    the moderator's ``verdict`` with its reason if one keeps it from the public."""
    return {
        **public_comment(comment),
        "status": author_status(comment),
        "held_because": [
            reason for reason in comment.held_because if reason in AUTHOR_VISIBLE_REASONS
        ],
        "author_email": comment.author_email,
        # Their own words, to edit them; the widget puts them in a text box, never in HTML.
        "body_text": comment.body_text,
        "editable_until": rfc3339(editable_until(comment, site)),
        "decision": author_decision(verdict) if verdict is not None else None,
        "statement": statement,
    }


def author_decision(decision: Decision) -> r.AuthorDecision:
    """A moderator's decision as its author reads it: what, why, their words."""
    return {
        "action": decision.action.value,
        "reason": decision.reason.value if decision.reason else None,
        "explanation": decision.explanation,
        "decided_at": rfc3339(decision.created_at),
    }


def mail_notice(subscription: MailSubscription | None) -> r.MailNotice | None:
    """What a new comment's author asked to be mailed of, and whether they must confirm."""
    if subscription is None:
        return None
    lists: list[Any] = [
        name
        for name, wanted in (
            ("replies", subscription.replies),
            ("decisions", subscription.decisions),
        )
        if wanted
    ]
    return {"lists": lists, "confirmed": subscription.confirmed_at is not None}


def flag_receipt(flag: Flag) -> r.FlagReceipt:
    return {
        "comment_id": flag.comment_id,
        "reason": flag.reason.value,
        "note": flag.note,
        "created_at": rfc3339(flag.created_at),
    }


def reader_report(flag: Any) -> r.ReaderReport:
    return {
        "reason": flag.reason.value,
        "note": flag.note,
        "created_at": rfc3339(flag.created_at),
        "resolved": flag.resolved_at is not None,
    }


def log_entry(decision: Any) -> r.LogEntry:
    return {
        "id": decision.id,
        "comment_id": decision.comment_id,
        "actor": decision.actor,
        "action": decision.action.value,
        "from_status": decision.from_status.value if decision.from_status else None,
        "to_status": decision.to_status.value,
        "reason": decision.reason.value if decision.reason else None,
        "explanation": decision.explanation,
        "created_at": rfc3339(decision.created_at),
    }


def moderator_comment(
    comment: QueuedComment, flags: Iterable[Any] = (), history: Iterable[Any] = ()
) -> r.ModeratorComment:
    """Everything a moderator needs to decide, from a queue row (``comments.listing``) with its
    reader reports and log."""
    return {
        **public_comment(comment),
        "status": comment.status.value,
        "held_because": list(comment.held_because),
        "spam_score": comment.spam_score,
        "abuse_score": comment.abuse_score,
        "author_email": comment.author_email,
        "author_key": comment.author_key,
        "body_text": comment.body_text,
        "decided_at": _maybe(comment.decided_at),
        "open_flag_count": comment.open_flag_count,
        "article": {
            "key": comment.article_key,
            "title": comment.article_title,
            "url": comment.article_url,
        },
        "flags": [reader_report(f) for f in flags],
        "history": [log_entry(d) for d in history],
    }


def ban(record: Ban) -> r.Ban:
    return {
        "id": record.id,
        "kind": record.kind.value,
        "label": record.label,
        "reason": record.reason,
        "comment_id": record.comment_id,
        "created_by": record.created_by,
        "created_at": rfc3339(record.created_at),
        "expires_at": _maybe(record.expires_at),
    }


def standing(record: AuthorStanding) -> r.AuthorStanding:
    return {
        "standing": record.standing.value,  # type: ignore[typeddict-item]
        "reason": record.reason,
        "created_by": record.created_by,
        "created_at": rfc3339(record.created_at),
        "expires_at": _maybe(record.expires_at),
    }


def note(record: AuthorNote) -> r.AuthorNote:
    return {
        "id": record.id,
        "body": record.body,
        "created_by": record.created_by,
        "created_at": rfc3339(record.created_at),
    }


def author(page: AuthorPage) -> r.Author:
    """An author as their page knows them (``comments.authors``)."""
    return {
        "author_key": page.author_key,
        "name": page.name,
        "names": page.names,
        "emails": page.emails,
        "record": {
            "approved": page.record.approved,
            "rejected": page.record.rejected,
            "spam": page.record.spam,
            "total": page.record.total,
        },
        "standing": standing(page.standing) if page.standing else None,
        "bans": [ban(b) for b in page.bans],
        "notes": [note(n) for n in page.notes],
    }
