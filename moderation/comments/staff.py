"""The newsroom's own voice: a moderator answers a comment from the dashboard, as staff.

A staff answer is sanitized like any comment and published at once, marked as staff, and logged
as the moderator's approval; it is counted and moves the thread's version like any publication.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..identity import author_key, new_token, token_hash
from ..models import PUBLIC_STATUSES, Action, Comment, Status, utcnow
from . import writes
from .submit import cleaned_body

MAX_STAFF_NAME = 100


def reply_as_staff(
    session: Session,
    *,
    parent_id: int,
    body: str,
    author_name: str,
    actor: str,
    moderator_id: int | None,
    secret_key: str,
    site_ids: set[int] | None = None,
) -> Comment:
    """Publish a staff answer to a public comment of one of ``site_ids`` (None: any site)."""
    parent = session.get(Comment, parent_id)
    if parent is None or (site_ids is not None and parent.site_id not in site_ids):
        raise NotFound("There is no such comment.")
    if parent.status not in PUBLIC_STATUSES:
        raise ValidationError(
            "parent_id", "Approve the comment first: answers go under public comments."
        )
    name = " ".join(author_name.split())
    if not name or len(name) > MAX_STAFF_NAME:
        raise ValidationError("author_name", f"The name is 1 to {MAX_STAFF_NAME} characters.")
    if not body.strip():
        raise ValidationError("body", "The answer is empty.")
    html = cleaned_body(body)
    now = utcnow()
    comment = writes.insert_comment(
        session,
        site_id=parent.site_id,
        article_id=parent.article_id,
        parent_id=parent.id,
        root_id=parent.root_id or parent.id,
        depth=parent.depth + 1,
        author_name=name,
        author_key=author_key(secret_key, parent.site_id, moderator_id=moderator_id or 0),
        body_text=body,
        html=html,
        status=Status.APPROVED,
        staff=True,
        badges=[],
        # Staff answers are not edited through the widget: a token no one holds.
        edit_token_hash=token_hash(new_token()),
        created_at=now,
        decided_at=now,
    )
    writes.log(
        session,
        [
            writes.LogEntry(
                site_id=comment.site_id,
                comment_id=comment.id,
                actor=actor,
                action=Action.APPROVE,
                from_status=None,
                to_status=Status.APPROVED,
                explanation="a staff answer",
                moderator_id=moderator_id,
                created_at=now,
            )
        ],
    )
    writes.adjust_articles(session, {comment.article_id: +1})
    writes.queue_changed(session, [comment.site_id])
    return comment
