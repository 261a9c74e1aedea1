"""Comments and articles as JSON, in the three views the API has: public, author and moderator.

The public view never carries an email address, an IP hash or the original text.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Row

from .models import Article, Comment, Decision, Flag, Site

#: A comment, a reader report or a log entry as an ORM object or as a row of the same columns
#: (the moderation API's queue page reads rows: see ``queue.QUEUE_COLUMNS``).
CommentLike = Comment | Row[*tuple[Any, ...]]
FlagLike = Flag | Row[*tuple[Any, ...]]
DecisionLike = Decision | Row[*tuple[Any, ...]]


class ArticleRef(NamedTuple):
    """What a moderator sees of a comment's article."""

    key: str
    title: str | None
    url: str | None


def rfc3339(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def public_article(article: Article | None, key: str, closed_site: bool = False) -> dict[str, Any]:
    if article is None:
        return {"key": key, "title": None, "url": None, "closed": closed_site}
    return {
        "key": article.key,
        "title": article.title,
        "url": article.url,
        "closed": article.closed or closed_site,
    }


def public_comment(comment: CommentLike) -> dict[str, Any]:
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "depth": comment.depth,
        "author_name": comment.author_name,
        # A seed for the identicon the widget draws; a keyed hash, so it reveals no email.
        "avatar": comment.author_key[:16],
        "html": comment.html,
        "created_at": rfc3339(comment.created_at),
        "edited_at": rfc3339(comment.edited_at),
    }


def editable_until(comment: Comment, site: Site) -> datetime:
    return comment.created_at + timedelta(minutes=site.edit_window_minutes)


def author_comment(comment: Comment, site: Site) -> dict[str, Any]:
    """What the author sees of their own comment: its status and for how long they may edit it."""
    data = public_comment(comment)
    data.update(
        {
            "status": comment.status.value,
            "held_because": list(comment.held_because),
            "author_email": comment.author_email,
            # Their own words, to edit them; the widget puts them in a text box, never in HTML.
            "body_text": comment.body_text,
            "editable_until": rfc3339(editable_until(comment, site)),
        }
    )
    return data


def flag_json(flag: FlagLike) -> dict[str, Any]:
    return {
        "reason": flag.reason.value,
        "note": flag.note,
        "created_at": rfc3339(flag.created_at),
        "resolved": flag.resolved_at is not None,
    }


def decision_json(decision: DecisionLike) -> dict[str, Any]:
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
    comment: CommentLike,
    article: Article | ArticleRef,
    flags: Iterable[FlagLike] = (),
    history: Iterable[DecisionLike] = (),
) -> dict[str, Any]:
    """Everything a moderator needs to decide: the author's email, the original text (to be shown
    as text), reader reports and the comment's moderation history."""
    data = public_comment(comment)
    data.update(
        {
            "status": comment.status.value,
            "held_because": list(comment.held_because),
            "spam_score": comment.spam_score,
            "author_email": comment.author_email,
            "author_key": comment.author_key,
            "body_text": comment.body_text,
            "decided_at": rfc3339(comment.decided_at),
            "open_flag_count": comment.open_flag_count,
            "article": {"key": article.key, "title": article.title, "url": article.url},
            "flags": [flag_json(f) for f in flags],
            "history": [decision_json(d) for d in history],
        }
    )
    return data


def queued_comment(
    row: Row[*tuple[Any, ...]], flags: Iterable[FlagLike] = (), history: Iterable[DecisionLike] = ()
) -> dict[str, Any]:
    """:func:`moderator_comment` of a queue row, which carries its article's columns."""
    article = ArticleRef(row.article_key, row.article_title, row.article_url)
    return moderator_comment(row, article, flags, history)
