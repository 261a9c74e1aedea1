"""The author's own comment: read it, edit it and delete it, with its edit token, within the
site's edit window."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import rules
from ..errors import AlreadyDecided, EditWindowClosed, InvalidEditToken, NotFound
from ..identity import token_matches
from ..models import PUBLIC_STATUSES, Action, Article, Comment, Decision, Site, Status, utcnow
from . import readers, screening, writes
from .status import change_status
from .submit import check_open, cleaned_body, moderation_mode, record_screening


def editable_until(comment: Comment, site: Site) -> datetime:
    """When the author's edit window closes."""
    return comment.created_at + timedelta(minutes=site.edit_window_minutes)


def load_own_comment(
    session: Session, comment_id: int, edit_token: str | None
) -> tuple[Comment, Site]:
    """The author's comment, whatever its status, for the holder of its edit token."""
    row = session.execute(
        select(Comment, Site).join(Site, Site.id == Comment.site_id).where(Comment.id == comment_id)
    ).first()
    if row is None or row[0].status is Status.DELETED:
        raise NotFound("There is no such comment.")
    comment, site = row
    if not token_matches(edit_token, comment.edit_token_hash):
        raise InvalidEditToken()
    return comment, site


def load_for_author(
    session: Session,
    comment_id: int,
    *,
    edit_token: str | None,
    reader_token: str | None,
    now: datetime | None = None,
) -> tuple[Comment, Site]:
    """The author's comment for the holder of its edit token or, failing that, for the
    signed-in reader who wrote it (their ``X-Reader-Token``): to read it and contest a
    decision from any browser they sign in on."""
    if edit_token is not None or reader_token is None:
        return load_own_comment(session, comment_id, edit_token)
    row = session.execute(
        select(Comment, Site).join(Site, Site.id == Comment.site_id).where(Comment.id == comment_id)
    ).first()
    if row is None or row[0].status is Status.DELETED:
        raise NotFound("There is no such comment.")
    comment, site = row
    signed_in = readers.identify(session, site, reader_token, now or utcnow())
    if signed_in is None or signed_in.reader is None or signed_in.reader.id != comment.reader_id:
        raise InvalidEditToken("This comment is not yours.")
    return comment, site


def verdict(session: Session, comment: Comment) -> Decision | None:
    """The person's decision that keeps the comment from the public (a rejection or a spam
    verdict by a moderator), for its author to read; no query for any other comment."""
    if comment.status not in (Status.REJECTED, Status.SPAM) or comment.decided_at is None:
        return None
    return session.scalar(
        select(Decision)
        .where(
            Decision.comment_id == comment.id,
            Decision.action.in_([Action.REJECT, Action.SPAM]),
            ~Decision.actor.startswith(f"{writes.SYSTEM}:"),
        )
        .order_by(Decision.id.desc())
        .limit(1)
    )


def _check_edit_window(comment: Comment, site: Site, now: datetime) -> None:
    if now > editable_until(comment, site):
        raise EditWindowClosed(
            f"Comments can be changed for {site.edit_window_minutes} minutes after posting; "
            "that time is over."
        )


def edit(
    session: Session,
    comment_id: int,
    edit_token: str | None,
    body: str,
    policy: screening.Policy,
    client: screening.Client | None = None,
    now: datetime | None = None,
) -> tuple[Comment, Site]:
    """The author rewrites their comment inside the window; it is sanitized and screened again."""
    now = now or utcnow()
    html = cleaned_body(body)  # before the first query, as a submission does
    comment, site = load_own_comment(session, comment_id, edit_token)
    _check_edit_window(comment, site, now)
    if comment.status in (Status.REJECTED, Status.SPAM):
        # Editing must not be a way to put a rejected comment back in front of moderators.
        raise AlreadyDecided()
    article = session.get_one(Article, comment.article_id)
    check_open(site, article.closed)
    candidate, settings = screening.prepare(
        session,
        site,
        moderation_mode(site, article),
        policy,
        client or screening.Client(),
        body_text=body,
        html=html,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_key=comment.author_key,
        now=now,
        article_url=article.url,
        edited_id=comment.id,
    )
    screening.check_length(body, settings)
    # The newsroom's staff edit their answers as they wrote them: published at once.
    outcome = rules.screen(replace(candidate, staff=comment.staff), settings)
    before = comment.status
    was_public = before in PUBLIC_STATUSES
    comment.body_text = body
    comment.html = html
    comment.edited_at = now
    comment.held_because = outcome.held_because
    comment.spam_score = candidate.spam_score
    comment.abuse_score = candidate.abuse_score
    comment.status = outcome.status
    if outcome.status is not Status.APPROVED:
        comment.featured = False  # the pick was of the words before; a moderator picks again
    comment.decided_at = now if outcome.status is Status.APPROVED else None
    writes.log(
        session,
        [
            writes.LogEntry(
                site_id=comment.site_id,
                comment_id=comment.id,
                actor=writes.AUTHOR,
                action=Action.EDIT,
                from_status=before,
                to_status=outcome.status,
                created_at=now,
            )
        ],
    )
    record_screening(session, comment, before, outcome)
    delta = int(comment.status in PUBLIC_STATUSES) - int(was_public)
    if was_public or delta:
        writes.adjust_articles(session, {article.id: delta})
    writes.queue_changed(session, [site.id])
    return comment, site


def delete_own(
    session: Session, comment_id: int, edit_token: str | None, now: datetime | None = None
) -> Comment:
    """The author withdraws their comment inside the window."""
    now = now or utcnow()
    comment, site = load_own_comment(session, comment_id, edit_token)
    _check_edit_window(comment, site, now)
    change_status(
        session, [comment], Status.DELETED, actor=writes.AUTHOR, action=Action.DELETE, now=now
    )
    return comment
