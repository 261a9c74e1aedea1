"""Notices, statements of reasons and appeals as the API shows them (the shapes are declared in
``schemas.responses``): the statement to its author, notices and appeals to moderators."""

from __future__ import annotations

from .comments.statements import appeal_until
from .models import Appeal, Article, Comment, Flag, Statement
from .schemas import responses as r
from .serializers import rfc3339


def _maybe(value: object) -> str | None:
    return rfc3339(value) if value is not None else None  # type: ignore[arg-type]


def appeal_state(appeal: Appeal) -> r.AppealState:
    return {
        "id": appeal.id,
        "status": appeal.status.value,  # type: ignore[typeddict-item]
        "created_at": rfc3339(appeal.created_at),
        "decided_at": _maybe(appeal.decided_at),
        "outcome": appeal.outcome,
    }


def statement(found: Statement, appeal: Appeal | None = None) -> r.StatementOfReasons:
    """A statement of reasons, with the author's latest appeal of it."""
    return {
        "restriction": found.restriction.value,  # type: ignore[typeddict-item]
        "action": found.action.value,
        "reason": found.reason.value if found.reason else None,
        "facts": found.facts,
        "automated": found.automated,
        "ground_kind": found.ground_kind,  # type: ignore[typeddict-item]
        "ground": found.ground,
        "decided_at": rfc3339(found.created_at),
        "appeal_until": rfc3339(appeal_until(found)),
        "appeal": appeal_state(appeal) if appeal is not None else None,
    }


def comment_brief(comment: Comment, article: Article) -> r.CommentBrief:
    return {
        "id": comment.id,
        "status": comment.status.value,
        "author_name": comment.author_name,
        "html": comment.html,
        "body_text": comment.body_text,
        "created_at": rfc3339(comment.created_at),
        "article_key": article.key,
        "article_title": article.title,
        "article_url": article.url,
    }


def notice(flag: Flag, comment: Comment, article: Article) -> r.Notice:
    return {
        "id": flag.id,
        "receipt": flag.receipt or "",
        "comment": comment_brief(comment, article),
        "category": flag.category,
        "law": flag.law,
        "explanation": flag.explanation,
        "notifier_name": flag.notifier_name,
        "notifier_email": flag.notifier_email,
        "created_at": rfc3339(flag.created_at),
        "assessment": flag.assessment.value if flag.assessment else None,  # type: ignore[typeddict-item]
        "legal_ground": flag.legal_ground,
        "assessed_at": _maybe(flag.assessed_at),
        "assessed_by": flag.assessed_by,
    }


def appeal(found: Appeal, contested: Statement, comment: Comment, article: Article) -> r.Appeal:
    return {
        "id": found.id,
        "comment": comment_brief(comment, article),
        "statement": statement(contested),
        "body": found.body,
        "status": found.status.value,  # type: ignore[typeddict-item]
        "created_at": rfc3339(found.created_at),
        "decided_at": _maybe(found.decided_at),
        "decided_by": found.decided_by,
        "outcome": found.outcome,
    }
