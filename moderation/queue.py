"""The business of moderation: submit, edit, delete, report, decide and list the queue.

Functions take plain arguments and a session and never commit: the caller (a request, a command)
owns the transaction, so a submission or a bulk decision is stored whole or not at all. Every status
change goes through :func:`_set_status`, which keeps the article's public count and version in
step in the same transaction.
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    true,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from . import rules, screening
from .api.errors import ApiError, conflict, forbidden, not_found, validation_error
from .identity import author_key, new_token, token_hash, token_matches
from .models import (
    FLAGGED_CONDITION,
    PUBLIC_STATUSES,
    Action,
    Article,
    Comment,
    Decision,
    Flag,
    ModerationMode,
    Reason,
    Site,
    Status,
    utcnow,
)
from .prepared import Prepared, as_loaded, entity_columns
from .sanitize import sanitize_comment, visible_text
from .serializers import editable_until
from .validate import origin_of

SYSTEM = "system"
AUTHOR = "author"


# --- Submission -------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewComment:
    """A submission whose fields have been checked one by one (see ``validate``)."""

    body: str
    author_name: str
    author_email: str | None = None
    parent_id: int | None = None
    article_url: str | None = None
    article_title: str | None = None


@dataclass(frozen=True)
class Submitted:
    comment: Comment
    site: Site
    edit_token: str


# The submission path's statements, run on the driver (see ``prepared``): through the session,
# they cost more than the rest of a submission together.
_SITE_BY_SLUG = Prepared(select(*entity_columns(Site)).where(Site.slug == bindparam("slug")))
_ARTICLE_BY_KEY = Prepared(
    select(*entity_columns(Article)).where(
        Article.site_id == bindparam("site_id"), Article.key == bindparam("key")
    )
)
# What the write needs of the article, read again under the write lock.
_ARTICLE_FOR_WRITE = Prepared(
    select(Article.id, Article.closed, Article.url, Article.title).where(
        Article.site_id == bindparam("site_id"), Article.key == bindparam("key")
    )
)
_FILL_ARTICLE = Prepared(
    update(Article)
    .where(Article.id == bindparam("article_id"))
    .values(
        url=func.coalesce(Article.url, bindparam("new_url")),
        title=func.coalesce(Article.title, bindparam("new_title")),
    )
)
_COMMENT_COLUMNS = [c.key for c in entity_columns(Comment) if c.key != "id"]
_INSERT_COMMENT = Prepared(insert(Comment).returning(Comment.id), column_keys=_COMMENT_COLUMNS)
_DECISION_COLUMNS = [c.key for c in entity_columns(Decision) if c.key != "id"]
_INSERT_DECISION = Prepared(insert(Decision), column_keys=_DECISION_COLUMNS)


def get_site(session: Session, slug: str) -> Site:
    row = _SITE_BY_SLUG.one_or_none(session, {"slug": slug})
    if row is None:
        raise not_found(f"There is no site {slug!r}.")
    return as_loaded(session, Site, row)


def check_origin(site: Site, origin: str | None) -> None:
    """Browsers name the page a request comes from; only the site's own pages may post."""
    if origin is not None and origin_of(origin) not in site.origins:
        raise forbidden(f"Pages on {origin} may not post comments to {site.slug!r}.")


def _check_article_url(site: Site, url: str | None) -> None:
    if url is not None and origin_of(url) not in site.origins:
        raise validation_error(
            "article_url", "The article URL is not on one of the site's origins."
        )


def _article_for_write(
    session: Session, site: Site, key: str, url: str | None, title: str | None
) -> tuple[int, bool]:
    """The article's id and whether it is closed, read afresh under the write lock (even if
    loaded before): whether it is closed must be current when writing. Created if new."""
    _check_article_url(site, url)
    params = {"site_id": site.id, "key": key}
    row = _ARTICLE_FOR_WRITE.one_or_none(session, params)
    if row is None:
        article = Article(site_id=site.id, key=key, url=url, title=title)
        try:
            # A savepoint, so losing the race to another writer creating the same article does
            # not roll back the caller's transaction.
            with session.begin_nested():
                session.add(article)
            return article.id, article.closed
        except IntegrityError:
            row = _ARTICLE_FOR_WRITE.one_or_none(session, params)
            assert row is not None  # the other writer's article
    article_id, closed, known_url, known_title = row
    # The first page to mention an article names it; later submissions only fill gaps, so a
    # reader cannot retitle an article by posting with another title.
    if (known_url is None and url is not None) or (known_title is None and title is not None):
        _FILL_ARTICLE.run(session, {"article_id": article_id, "new_url": url, "new_title": title})
        _expire_loaded(session, Article, {article_id}, ["url", "title"])
    return article_id, closed


def _mode(site: Site, article: Article | None) -> ModerationMode:
    return (article.moderation_mode if article else None) or site.moderation_mode


def _check_open(site: Site, article_closed: bool) -> None:
    """Refuse a comment on a closed site or article."""
    if site.closed or article_closed:
        raise ApiError(403, "article_closed", "Comments are closed on this article.")


def _cleaned_body(body: str) -> str:
    html = sanitize_comment(body)
    if not visible_text(html):
        raise validation_error("body", "The comment is empty.")
    return html


@dataclass(frozen=True)
class Screened:
    """A submission checked and screened, not stored yet: all the write needs."""

    site: Site
    article_key: str
    new: NewComment
    html: str
    author_key: str
    ip_hash: str | None
    parent: Comment | None
    outcome: rules.Screening
    spam_score: float | None
    now: datetime


def screen_submission(
    session: Session,
    *,
    site_slug: str,
    article_key: str,
    new: NewComment,
    policy: screening.Policy,
    client: screening.Client | None = None,
    now: datetime | None = None,
) -> Screened:
    """Check, sanitize and screen a reader's comment; reads only."""
    client = client or screening.Client()
    now = now or utcnow()
    html = _cleaned_body(new.body)
    site = get_site(session, site_slug)
    check_origin(site, client.origin)
    _check_article_url(site, new.article_url)
    row = _ARTICLE_BY_KEY.one_or_none(session, {"site_id": site.id, "key": article_key})
    article = as_loaded(session, Article, row) if row else None
    _check_open(site, article is not None and article.closed)

    parent = None
    if new.parent_id is not None:
        parent = session.get(Comment, new.parent_id)
        if parent is None or article is None or parent.article_id != article.id:
            raise validation_error("parent_id", "The comment you reply to is not in this article.")
        if parent.status not in PUBLIC_STATUSES:
            raise validation_error("parent_id", "The comment you reply to is not published.")

    key = author_key(policy.secret_key, site.id, new.author_name, new.author_email)
    screening.check_banned(
        session,
        site,
        policy,
        author_key=key,
        email=new.author_email,
        ip_hash=client.ip_hash,
        now=now,
    )
    candidate, settings = screening.prepare(
        session,
        site,
        _mode(site, article),
        policy,
        client,
        body_text=new.body,
        html=html,
        author_name=new.author_name,
        author_email=new.author_email,
        author_key=key,
        now=now,
        article_url=article.url if article and article.url else new.article_url,
    )
    screening.check_length(new.body, settings)
    return Screened(
        site=site,
        article_key=article_key,
        new=new,
        html=html,
        author_key=key,
        ip_hash=client.ip_hash,
        parent=parent,
        outcome=rules.screen(candidate, settings),
        spam_score=candidate.spam_score,
        now=now,
    )


def store_submission(session: Session, screened: Screened) -> Submitted:
    """Store a screened comment: logged, and counted if public. The article is read again (or
    created), so a thread closed since the screening refuses it."""
    site, new, parent, outcome = screened.site, screened.new, screened.parent, screened.outcome
    article_id, closed = _article_for_write(
        session, site, screened.article_key, new.article_url, new.article_title
    )
    _check_open(site, closed)
    token = new_token()
    values: dict[str, Any] = {
        "site_id": site.id,
        "article_id": article_id,
        "parent_id": parent.id if parent else None,
        "root_id": (parent.root_id or parent.id) if parent else None,
        "depth": parent.depth + 1 if parent else 0,
        "author_name": new.author_name,
        "author_email": new.author_email,
        "author_key": screened.author_key,
        "ip_hash": screened.ip_hash,
        "body_text": new.body,
        "html": screened.html,
        "status": outcome.status,
        "held_because": outcome.held_because,
        "spam_score": screened.spam_score,
        "edit_token_hash": token_hash(token),
        "open_flag_count": 0,
        "created_at": screened.now,
        "edited_at": None,
        "decided_at": screened.now if outcome.status is Status.APPROVED else None,
    }
    # Written as one INSERT, then handed to the session as if loaded: the unit of work's flush
    # of a new object cost more than the rest of the write.
    session.flush()  # whatever the article needs written goes first
    comment_id = _INSERT_COMMENT.scalar(session, values)
    comment = as_loaded(session, Comment, {"id": comment_id, **values})
    _record_screening(session, comment, None, outcome)
    if comment.status in PUBLIC_STATUSES:
        _adjust_articles(session, {article_id: +1})
    _queue_changed(session, [site.id])
    return Submitted(comment=comment, site=site, edit_token=token)


def submit(
    session: Session,
    *,
    site_slug: str,
    article_key: str,
    new: NewComment,
    policy: screening.Policy,
    client: screening.Client | None = None,
    now: datetime | None = None,
) -> Submitted:
    """Store a reader's comment: checked, sanitized, screened, logged and counted, in one
    transaction. The API runs the two halves apart, the screening before SQLite's write lock
    (see :func:`moderation.extensions.read_phase`)."""
    screened = screen_submission(
        session,
        site_slug=site_slug,
        article_key=article_key,
        new=new,
        policy=policy,
        client=client,
        now=now,
    )
    return store_submission(session, screened)


def _record_screening(
    session: Session, comment: Comment, before: Status | None, outcome: rules.Screening
) -> None:
    """Log what the rules did: one system entry per finding, or the plain publication."""
    entries: list[tuple[str, Action, str | None]] = [
        (f"{SYSTEM}:{finding.rule}", finding.action, finding.explanation)
        for finding in outcome.findings
    ]
    if not entries and outcome.status is Status.PUBLISHED:
        entries.append((SYSTEM + ":postmod", Action.PUBLISH, None))
    if not entries:
        return
    session.flush()  # entries logged before these keep their place in the log
    now = utcnow()
    _INSERT_DECISION.run_many(
        session,
        [
            {
                "site_id": comment.site_id,
                "comment_id": comment.id,
                "moderator_id": None,
                "actor": actor,
                "action": action,
                "from_status": before,
                "to_status": outcome.status,
                "reason": None,
                "explanation": explanation,
                "created_at": now,
            }
            for actor, action, explanation in entries
        ],
    )


# --- The author's own comment -----------------------------------------------------------------


def load_own_comment(
    session: Session, comment_id: int, edit_token: str | None
) -> tuple[Comment, Site]:
    """The author's comment, whatever its status, for the holder of its edit token."""
    row = session.execute(
        select(Comment, Site).join(Site, Site.id == Comment.site_id).where(Comment.id == comment_id)
    ).first()
    if row is None or row[0].status is Status.DELETED:
        raise not_found("There is no such comment.")
    comment, site = row
    if not token_matches(edit_token, comment.edit_token_hash):
        raise forbidden("This edit token does not match the comment.", code="invalid_edit_token")
    return comment, site


def _check_edit_window(comment: Comment, site: Site, now: datetime) -> None:
    if now > editable_until(comment, site):
        raise forbidden(
            f"Comments can be changed for {site.edit_window_minutes} minutes after posting; "
            "that time is over.",
            code="edit_window_closed",
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
    html = _cleaned_body(body)  # before the first query, as in submit()
    comment, site = load_own_comment(session, comment_id, edit_token)
    _check_edit_window(comment, site, now)
    if comment.status in (Status.REJECTED, Status.SPAM):
        # Editing must not be a way to put a rejected comment back in front of moderators.
        raise conflict("A moderator has already decided on this comment.", code="already_decided")
    article = session.get_one(Article, comment.article_id)
    _check_open(site, article.closed)
    candidate, settings = screening.prepare(
        session,
        site,
        _mode(site, article),
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
    outcome = rules.screen(candidate, settings)
    before = comment.status
    was_public = before in PUBLIC_STATUSES
    comment.body_text = body
    comment.html = html
    comment.edited_at = now
    comment.held_because = outcome.held_because
    comment.spam_score = candidate.spam_score
    comment.status = outcome.status
    comment.decided_at = now if outcome.status is Status.APPROVED else None
    _log(session, comment, AUTHOR, Action.EDIT, before, None, None, to_status=outcome.status)
    _record_screening(session, comment, before, outcome)
    delta = int(comment.status in PUBLIC_STATUSES) - int(was_public)
    if was_public or delta:
        _adjust_articles(session, {article.id: delta})
    _queue_changed(session, [site.id])
    return comment, site


def delete_own(
    session: Session, comment_id: int, edit_token: str | None, now: datetime | None = None
) -> None:
    """The author withdraws their comment inside the window."""
    now = now or utcnow()
    comment, site = load_own_comment(session, comment_id, edit_token)
    _check_edit_window(comment, site, now)
    _set_status(session, [comment], Status.DELETED, AUTHOR, Action.DELETE, None, None, None)


# --- Reader reports ---------------------------------------------------------------------------


def report(
    session: Session,
    comment_id: int,
    reason: Reason,
    note: str | None,
    reporter_hash: str,
    policy: screening.Policy,
) -> Flag:
    """A reader reports a public comment; it then shows in the moderators' ``flagged`` view.

    A comment no moderator has reviewed yet (post-moderation) is withheld once enough distinct
    readers report it; an approved one stays up, flagged, for a moderator to look at again.
    """
    comment = session.get(Comment, comment_id)
    if comment is None or comment.status not in PUBLIC_STATUSES:
        raise not_found("There is no such published comment.")
    exists = session.scalar(
        select(Flag.id).where(Flag.comment_id == comment.id, Flag.reporter_hash == reporter_hash)
    )
    if exists is not None:
        raise conflict("You have already reported this comment.", code="already_reported")
    flag = Flag(
        comment_id=comment.id,
        reason=reason,
        note=note,
        reporter_hash=reporter_hash,
        created_at=utcnow(),
    )
    session.add(flag)
    session.flush()
    open_reports = (
        session.scalar(
            select(func.count(Flag.id)).where(
                Flag.comment_id == comment.id, Flag.resolved_at.is_(None)
            )
        )
        or 0
    )
    comment.open_flag_count = open_reports
    if comment.status is Status.PUBLISHED:
        site = session.get_one(Site, comment.site_id)
        threshold = screening.settings_for(site, policy).report_threshold
        if threshold and open_reports >= threshold:
            _set_status(
                session,
                [comment],
                Status.PENDING,
                f"{SYSTEM}:reports",
                Action.HOLD,
                None,
                None,
                f"{open_reports} readers reported it",
            )
            comment.held_because = [*comment.held_because, "reports"]
    _queue_changed(session, [comment.site_id])
    return flag


# --- Decisions --------------------------------------------------------------------------------

# Which statuses each moderator action may start from, and where it leads.
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status]] = {
    Action.APPROVE: (
        frozenset({Status.PENDING, Status.PUBLISHED, Status.REJECTED, Status.SPAM}),
        Status.APPROVED,
    ),
    Action.REJECT: (
        frozenset({Status.PENDING, Status.PUBLISHED, Status.APPROVED, Status.SPAM}),
        Status.REJECTED,
    ),
    Action.SPAM: (
        frozenset({Status.PENDING, Status.PUBLISHED, Status.APPROVED, Status.REJECTED}),
        Status.SPAM,
    ),
    # Back into the queue, to be decided again.
    Action.RESTORE: (frozenset({Status.REJECTED, Status.SPAM}), Status.PENDING),
}
DEFAULT_REASON = {Action.REJECT: Reason.OTHER, Action.SPAM: Reason.SPAM}
MAX_BULK = 200


def decide(
    session: Session,
    *,
    site_id: int | None,
    comment_ids: Sequence[int],
    action: Action,
    actor: str,
    moderator_id: int | None = None,
    reason: Reason | None = None,
    explanation: str | None = None,
    site_ids: Collection[int] | None = None,
    keep_reported: bool = False,
) -> list[Comment]:
    """Apply one moderator action to one or many comments, all or none.

    ``site_id`` limits the decision to one site's comments (an API token's), ``site_ids`` to
    several (a dashboard moderator's); a comment of another site is reported as not found, so its
    existence does not leak. With ``keep_reported``, approving an already approved comment that
    readers reported is allowed: it stays up and their reports count as answered (the dashboard's
    flagged tab needs a way to clear a report it disagrees with).
    """
    if action not in TRANSITIONS:
        raise validation_error("action", "action must be approve, reject, spam or restore.")
    ids = list(dict.fromkeys(comment_ids))
    if not ids:
        raise validation_error("ids", "Name at least one comment.")
    if len(ids) > MAX_BULK:
        raise validation_error("ids", f"At most {MAX_BULK} comments per decision.")
    stmt = select(Comment).where(Comment.id.in_(ids))
    if site_id is not None:
        stmt = stmt.where(Comment.site_id == site_id)
    if site_ids is not None:
        stmt = stmt.where(Comment.site_id.in_(list(site_ids)))
    comments = {c.id: c for c in session.scalars(stmt.with_for_update())}
    missing = [i for i in ids if i not in comments]
    if missing:
        raise ApiError(
            404,
            "not_found",
            f"No such comment: {', '.join(map(str, missing))}.",
            details={"ids": missing},
        )
    sources, target = TRANSITIONS[action]
    kept = keep_reported and action is Action.APPROVE
    stuck = [
        c
        for c in comments.values()
        if c.status not in sources
        and not (kept and c.status is Status.APPROVED and c.open_flag_count > 0)
    ]
    if stuck:
        described = ", ".join(f"{c.id} is {c.status.value}" for c in stuck)
        raise conflict(
            f"Cannot {action.value} {described}.",
            code="invalid_transition",
        )
    reason = reason or DEFAULT_REASON.get(action)
    ordered = [comments[i] for i in ids]
    first_decisions = [c for c in ordered if c.decided_at is None]
    _set_status(session, ordered, target, actor, action, moderator_id, reason, explanation)
    _learn(session, first_decisions, action, reason)
    return ordered


def _learn(
    session: Session, comments: Sequence[Comment], action: Action, reason: Reason | None
) -> None:
    """Teach the spam score a moderator's first verdict on each comment: an approval is ham, a
    spam decision (or a rejection for spam) is spam; other rejections say nothing about spam."""
    if action is Action.APPROVE:
        is_spam = False
    elif action is Action.SPAM or (action is Action.REJECT and reason is Reason.SPAM):
        is_spam = True
    else:
        return
    by_site: dict[int, list[tuple[Comment, bool]]] = defaultdict(list)
    for comment in comments:
        by_site[comment.site_id].append((comment, is_spam))
    for site_id, labelled in by_site.items():
        screening.learn(session, site_id, labelled)


def _set_status(
    session: Session,
    comments: Sequence[Comment],
    target: Status,
    actor: str,
    action: Action,
    moderator_id: int | None,
    reason: Reason | None,
    explanation: str | None,
) -> None:
    """Change status, log it, resolve reader reports and keep article counts and versions."""
    now = utcnow()
    deltas: dict[int, int] = defaultdict(int)
    touched: set[int] = set()
    flagged: list[int] = []
    for comment in comments:
        before = comment.status
        comment.status = target
        if action in TRANSITIONS:
            comment.decided_at = now
            if comment.open_flag_count:
                flagged.append(comment.id)
                comment.open_flag_count = 0
        _log(session, comment, actor, action, before, reason, explanation, moderator_id, target)
        delta = int(target in PUBLIC_STATUSES) - int(before in PUBLIC_STATUSES)
        if delta or before in PUBLIC_STATUSES:
            deltas[comment.article_id] += delta
            touched.add(comment.article_id)
    if flagged:
        session.execute(
            update(Flag)
            .where(Flag.comment_id.in_(flagged), Flag.resolved_at.is_(None))
            .values(resolved_at=now)
            .execution_options(synchronize_session=False)
        )
    if touched:
        _adjust_articles(session, {a: deltas[a] for a in touched})
    _queue_changed(session, {c.site_id for c in comments})


_BUMP_QUEUE_VERSION = Prepared(
    update(Site).where(Site.id == bindparam("site_id")).values(queue_version=Site.queue_version + 1)
)
_ADJUST_ARTICLE = Prepared(
    update(Article)
    .where(Article.id == bindparam("article_id"))
    .values(public_count=Article.public_count + bindparam("delta"), version=Article.version + 1)
)


def _queue_changed(session: Session, site_ids: Collection[int]) -> None:
    """Move the sites' queue versions on, so no cached queue page of theirs is served again.

    Called last in its transaction where it can be: on PostgreSQL the update holds the site's
    row until the commit, and concurrent writers to the site queue up behind it. Sites in id
    order, so two transactions never wait for each other's rows.
    """
    if not site_ids:
        return
    session.flush()  # the changes the new version stands for go first
    for site_id in sorted(set(site_ids)):
        _BUMP_QUEUE_VERSION.run(session, {"site_id": site_id})
    _expire_loaded(session, Site, site_ids, ["queue_version"])


def _adjust_articles(session: Session, deltas: dict[int, int]) -> None:
    """Shift public counts and bump versions in SQL (never read-modify-write), so concurrent
    writers on PostgreSQL cannot lose an increment."""
    session.flush()
    for article_id, delta in sorted(deltas.items()):
        _ADJUST_ARTICLE.run(session, {"article_id": article_id, "delta": delta})
    _expire_loaded(session, Article, deltas, ["public_count", "version"])


def _expire_loaded(
    session: Session, cls: type, ids: Collection[int], attributes: list[str]
) -> None:
    """Objects already loaded must not show the old values of what SQL just changed."""
    for obj in session.identity_map.values():
        if isinstance(obj, cls) and obj.id in ids:  # type: ignore[attr-defined]
            session.expire(obj, attributes)


def _log(
    session: Session,
    comment: Comment,
    actor: str,
    action: Action,
    before: Status | None,
    reason: Reason | None,
    explanation: str | None,
    moderator_id: int | None = None,
    to_status: Status | None = None,
) -> None:
    session.add(
        Decision(
            site_id=comment.site_id,
            comment_id=comment.id,
            moderator_id=moderator_id,
            actor=actor,
            action=action,
            from_status=before,
            to_status=to_status or comment.status,
            reason=reason,
            explanation=explanation,
            created_at=utcnow(),
        )
    )


# --- The queue --------------------------------------------------------------------------------

QUEUE_VIEWS = ("pending", "flagged", "unreviewed", "approved", "rejected", "spam")
# Every status at once: what a dashboard search looks through (not a view of the API).
ALL_VIEW = "all"


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"c1:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if not cursor:
        return None
    prefix, value = _cursor_parts(cursor)
    if prefix != "c1":
        raise validation_error("cursor", "This cursor is not one the service handed out.")
    try:
        return int(value)
    except ValueError:
        raise validation_error("cursor", "This cursor is not one the service handed out.") from None


def _cursor_parts(cursor: str) -> tuple[str, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise validation_error("cursor", "This cursor is not one the service handed out.") from None
    prefix, _, value = raw.partition(":")
    return prefix, value


# Comments the classifier has not scored sort below every scored one.
_UNSCORED = -1.0


def _encode_score_cursor(score: float | None, last_id: int) -> str:
    raw = f"s1:{score if score is not None else _UNSCORED!r}:{last_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_score_cursor(cursor: str) -> tuple[float, int]:
    prefix, value = _cursor_parts(cursor)
    score, _, last_id = value.partition(":")
    try:
        if prefix != "s1":
            raise ValueError(prefix)
        return float(score), int(last_id)
    except ValueError:
        raise validation_error("cursor", "This cursor is not one the service handed out.") from None


@dataclass
class Details:
    """What moderators see beside each comment, loaded for a whole page at once."""

    articles: dict[int, Article]
    flags: dict[int, list[Flag]]
    history: dict[int, list[Decision]]


@dataclass
class QueuePage:
    comments: list[Comment]
    details: Details
    next_cursor: str | None


def load_details(
    session: Session, comments: Sequence[Comment], articles: dict[int, Article] | None = None
) -> Details:
    """Articles (unless given), reader reports and decision history for many comments: three
    queries at most, however many comments."""
    ids = [c.id for c in comments]
    article_ids = {c.article_id for c in comments}
    details = Details({}, defaultdict(list), defaultdict(list))
    if not ids:
        return details
    details.articles = articles or {
        a.id: a for a in session.scalars(select(Article).where(Article.id.in_(article_ids)))
    }
    for flag in session.scalars(select(Flag).where(Flag.comment_id.in_(ids)).order_by(Flag.id)):
        details.flags[flag.comment_id].append(flag)
    for decision in session.scalars(
        select(Decision).where(Decision.comment_id.in_(ids)).order_by(Decision.id)
    ):
        details.history[decision.comment_id].append(decision)
    return details


def list_queue(
    session: Session,
    *,
    site_id: int | None = None,
    view: str = "pending",
    article_key: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    newest_first: bool = False,
    by_spam_score: bool = False,
    site_ids: Collection[int] | None = None,
    article_id: int | None = None,
    search: str | None = None,
) -> QueuePage:
    """One page of a queue view, oldest first (or newest first, or most likely spam first); a
    fixed number of queries whatever its size.

    An API token names one site (``site_id``); a dashboard moderator works on several at once
    (``site_ids``). ``view`` is one of :data:`QUEUE_VIEWS`, or :data:`ALL_VIEW` for a search over
    every status; ``search`` matches the original text, the author's name or email.
    """
    base = (
        select(Comment)
        .join(Article, Article.id == Comment.article_id)
        .options(contains_eager(Comment.article))
    )
    stmt = _queue_statement(
        base,
        dialect=session.get_bind().dialect.name,
        site_id=site_id,
        view=view,
        article_key=article_key,
        limit=limit,
        cursor=cursor,
        newest_first=newest_first,
        by_spam_score=by_spam_score,
        site_ids=site_ids,
        article_id=article_id,
        search=search,
    )
    comments = list(session.scalars(stmt))
    next_cursor = _next_cursor(comments, limit, by_spam_score)
    comments = comments[:limit]
    articles = {c.article_id: c.article for c in comments}
    return QueuePage(comments, load_details(session, comments, articles), next_cursor)


#: What the moderation API shows of a queued comment, read as plain rows: a page of fifty built as
#: ORM objects (a comment, its article, their identity map) cost more than all its queries.
QUEUE_COLUMNS = (
    Comment.id,
    Comment.site_id,
    Comment.article_id,
    Comment.parent_id,
    Comment.depth,
    Comment.author_name,
    Comment.author_email,
    Comment.author_key,
    Comment.body_text,
    Comment.html,
    Comment.status,
    Comment.held_because,
    Comment.spam_score,
    Comment.open_flag_count,
    Comment.created_at,
    Comment.edited_at,
    Comment.decided_at,
    Article.key.label("article_key"),
    Article.title.label("article_title"),
    Article.url.label("article_url"),
)
_FLAG_ROWS = (
    select(Flag.comment_id, Flag.reason, Flag.note, Flag.created_at, Flag.resolved_at)
    .where(Flag.comment_id.in_(bindparam("ids", expanding=True)))
    .order_by(Flag.id)
)
_DECISION_ROWS = (
    select(
        Decision.id,
        Decision.comment_id,
        Decision.actor,
        Decision.action,
        Decision.from_status,
        Decision.to_status,
        Decision.reason,
        Decision.explanation,
        Decision.created_at,
    )
    .where(Decision.comment_id.in_(bindparam("ids", expanding=True)))
    .order_by(Decision.id)
)


@dataclass
class QueueRows:
    """A queue page as rows (:data:`QUEUE_COLUMNS`), with each comment's reports and history."""

    comments: list[Row[*tuple[Any, ...]]]
    flags: dict[int, list[Row[*tuple[Any, ...]]]]
    history: dict[int, list[Row[*tuple[Any, ...]]]]
    next_cursor: str | None


def list_queue_rows(
    session: Session,
    *,
    site_id: int,
    view: str = "pending",
    article_key: str | None = None,
    limit: int = 50,
    cursor: str | None = None,
    newest_first: bool = False,
    by_spam_score: bool = False,
) -> QueueRows:
    """One page of a site's queue view, as :func:`list_queue` lists it, in three queries."""
    stmt = _queue_statement(
        select(*QUEUE_COLUMNS).join(Article, Article.id == Comment.article_id),
        dialect=session.get_bind().dialect.name,
        site_id=site_id,
        view=view,
        article_key=article_key,
        limit=limit,
        cursor=cursor,
        newest_first=newest_first,
        by_spam_score=by_spam_score,
    )
    # On the session's connection itself: rows are all this wants, not the ORM's loading.
    connection = session.connection()
    rows = list(connection.execute(stmt))
    page = QueueRows(rows[:limit], defaultdict(list), defaultdict(list), None)
    page.next_cursor = _next_cursor(rows, limit, by_spam_score)
    if page.comments:
        ids = {"ids": [row.id for row in page.comments]}
        for flag in connection.execute(_FLAG_ROWS, ids):
            page.flags[flag.comment_id].append(flag)
        for decision in connection.execute(_DECISION_ROWS, ids):
            page.history[decision.comment_id].append(decision)
    return page


def _next_cursor(found: Sequence[Any], limit: int, by_spam_score: bool) -> str | None:
    """The cursor after a page, read one row past its end (``found`` has ``limit + 1`` rows)."""
    if len(found) <= limit:
        return None
    last = found[limit - 1]
    if by_spam_score:
        return _encode_score_cursor(last.spam_score, last.id)
    return encode_cursor(last.id)


def _queue_statement(
    base: Select[*tuple[Any, ...]],
    *,
    dialect: str,
    site_id: int | None,
    view: str,
    article_key: str | None,
    limit: int,
    cursor: str | None,
    newest_first: bool,
    by_spam_score: bool,
    site_ids: Collection[int] | None = None,
    article_id: int | None = None,
    search: str | None = None,
) -> Select[*tuple[Any, ...]]:
    """``base`` (comments joined with their articles) narrowed to one page, plus one row."""
    # One site and one status: the page is a range of the queue index (site_id, status, id).
    # Said with "status = X ORDER BY id", PostgreSQL may rather walk the primary key and filter,
    # guessing the page's rows are spread evenly; with a site's approved comments ahead of a
    # million pending ones that read 15,000 rows for 51 (7 ms, against 0.15 ms by the index).
    # A range on status (not an equality, which the planner would fold away) ordered by
    # (status, id) leaves it only the index. SQLite, though, seeks to a cursor's id only after an
    # equality on status (with the range it walked the view from its start: 550 ms a page deep
    # in a million pending comments), and it always takes the index for one: it gets equality.
    status = _ONE_STATUS_VIEWS.get(view)
    by_index = (
        status is not None
        and site_id is not None
        and article_key is None
        and article_id is None
        and not search
        and not by_spam_score
    )
    if not by_index:
        view_clause = _view_clause(view)
    elif dialect == "sqlite":
        view_clause = Comment.status == status
    else:
        view_clause = Comment.status.between(status, status)
    stmt = base.where(_sites_clause(site_id, site_ids)).where(view_clause)
    if article_key is not None:
        stmt = stmt.where(Article.key == article_key)
    if article_id is not None:
        stmt = stmt.where(Comment.article_id == article_id)
    if search:
        stmt = stmt.where(search_clause(search))
    if by_spam_score:
        score = func.coalesce(Comment.spam_score, _UNSCORED)
        if cursor:
            last_score, last_id = _decode_score_cursor(cursor)
            stmt = stmt.where(
                or_(score < last_score, and_(score == last_score, Comment.id > last_id))
            )
        stmt = stmt.order_by(score.desc(), Comment.id)
    else:
        after = decode_cursor(cursor)
        if after is not None and by_index and dialect != "sqlite":
            # As a position in the index, (status, id), or PostgreSQL takes "id > X" to the
            # primary key and sorts every comment after the cursor to find the page.
            position = tuple_(Comment.status, Comment.id)
            mark = tuple_(literal(status, Comment.status.type), literal(after))
            stmt = stmt.where(position < mark if newest_first else position > mark)
        elif after is not None:
            stmt = stmt.where(Comment.id < after if newest_first else Comment.id > after)
        order: list[Any] = [Comment.status, Comment.id] if by_index else [Comment.id]
        stmt = stmt.order_by(*(c.desc() for c in order) if newest_first else order)
    return stmt.limit(limit + 1)


def _sites_clause(site_id: int | None, site_ids: Collection[int] | None) -> ColumnElement[bool]:
    if site_ids is not None:
        # An empty collection (a moderator with no sites yet) matches nothing.
        clause = Comment.site_id.in_(list(site_ids))
        return clause if site_id is None else and_(clause, Comment.site_id == site_id)
    if site_id is None:
        raise ValueError("name the site (site_id) or the sites (site_ids) to list")
    return Comment.site_id == site_id


# Views of one status, whose rows the index (site_id, status, id) lists in order.
_ONE_STATUS_VIEWS = {
    "pending": Status.PENDING,
    "unreviewed": Status.PUBLISHED,
    "approved": Status.APPROVED,
    "rejected": Status.REJECTED,
    "spam": Status.SPAM,
}


def _view_clause(view: str) -> ColumnElement[bool]:
    if view == "flagged":
        return and_(Comment.status.in_(PUBLIC_STATUSES), Comment.open_flag_count > 0)
    if view == "unreviewed":
        return Comment.status == Status.PUBLISHED
    if view == ALL_VIEW:
        return true()
    return Comment.status == Status(view)


def search_clause(text: str) -> ColumnElement[bool]:
    """Comments whose original text, author name or email contains ``text`` (any case).

    ``%`` and ``_`` are matched literally: a moderator searching for "50%" means the characters.
    """
    pattern = contains_pattern(text)
    return or_(
        Comment.body_text.ilike(pattern, escape="\\"),
        Comment.author_name.ilike(pattern, escape="\\"),
        Comment.author_email.ilike(pattern, escape="\\"),
    )


def contains_pattern(text: str) -> str:
    """A LIKE pattern (escape character ``\\``) for ``text`` anywhere in a value."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def queue_counts_by_site(
    session: Session, *, site_ids: Collection[int], article_id: int | None = None
) -> dict[int, dict[str, int]]:
    """How many comments each queue view holds, per site: two grouped queries, from indexes.

    Every site asked for is in the answer, with zeros when it has nothing waiting.
    """
    counts: dict[int, dict[str, int]] = {site: dict.fromkeys(QUEUE_VIEWS, 0) for site in site_ids}
    if not counts:
        return counts
    # Two counts, each read from an index alone: the statuses from the queue index, the open
    # reports from the flagged index. Counted together, every comment's row was read for its
    # report count (500 ms a page load with a million in the queue, against 50).
    by_status = select(Comment.site_id, Comment.status, func.count()).where(
        Comment.site_id.in_(list(counts))
    )
    with_reports = by_status.where(text(FLAGGED_CONDITION))
    if article_id is not None:
        by_status = by_status.where(Comment.article_id == article_id)
        with_reports = with_reports.where(Comment.article_id == article_id)
    grouped = (Comment.site_id, Comment.status)
    for site, status, number in session.execute(by_status.group_by(*grouped)):
        views = counts[site]
        status = Status(status)
        if status.value in views:
            views[status.value] += number
        if status is Status.PUBLISHED:
            views["unreviewed"] += number
    for site, status, number in session.execute(with_reports.group_by(*grouped)):
        if Status(status) in PUBLIC_STATUSES:
            counts[site]["flagged"] += number
    return counts


def queue_counts(
    session: Session, *, site_ids: Collection[int], article_id: int | None = None
) -> dict[str, int]:
    """How many comments each queue view holds over several sites (the dashboard's tabs)."""
    total = dict.fromkeys(QUEUE_VIEWS, 0)
    for views in queue_counts_by_site(session, site_ids=site_ids, article_id=article_id).values():
        for view, number in views.items():
            total[view] += number
    return total


# --- What a moderator sees beside a comment ---------------------------------------------------


@dataclass(frozen=True)
class AuthorRecord:
    """How an author's comments on one site have fared so far."""

    approved: int = 0
    rejected: int = 0
    spam: int = 0
    total: int = 0


@dataclass
class Context:
    """The parent of each reply and each author's record, for a page of comments."""

    parents: dict[int, Comment]
    authors: dict[tuple[int, str], AuthorRecord]

    def author_of(self, comment: Comment) -> AuthorRecord:
        return self.authors.get((comment.site_id, comment.author_key), AuthorRecord())


def load_context(session: Session, comments: Sequence[Comment]) -> Context:
    """Parents of replies and authors' records for many comments: two queries at most.

    An author is known by their keyed identity within one site (``author_key``), the same
    identity the screening rules judge them by.
    """
    context = Context({}, {})
    if not comments:
        return context
    parent_ids = {c.parent_id for c in comments if c.parent_id is not None}
    if parent_ids:
        context.parents = {
            c.id: c for c in session.scalars(select(Comment).where(Comment.id.in_(parent_ids)))
        }
    tallies: dict[tuple[int, str], dict[Status, int]] = defaultdict(dict)
    rows = session.execute(
        select(Comment.site_id, Comment.author_key, Comment.status, func.count(Comment.id))
        .where(
            Comment.site_id.in_({c.site_id for c in comments}),
            Comment.author_key.in_({c.author_key for c in comments}),
        )
        .group_by(Comment.site_id, Comment.author_key, Comment.status)
    )
    for site, key, status, number in rows:
        tallies[(site, key)][Status(status)] = number
    context.authors = {
        who: AuthorRecord(
            approved=by_status.get(Status.APPROVED, 0),
            rejected=by_status.get(Status.REJECTED, 0),
            spam=by_status.get(Status.SPAM, 0),
            total=sum(by_status.values()),
        )
        for who, by_status in tallies.items()
    }
    return context


# --- Articles ---------------------------------------------------------------------------------


def get_article(session: Session, article_id: int, site_ids: Collection[int]) -> Article:
    """One article of the given sites; another site's article is not found, not forbidden."""
    article = session.get(Article, article_id)
    if article is None or article.site_id not in set(site_ids):
        raise not_found("There is no such article.")
    return article


def close_article(session: Session, article: Article, closed: bool) -> Article:
    """Open or close an article to new comments; public threads say so at once (the version
    their ETags and cache keys are built from moves on)."""
    article.closed = closed
    session.flush()
    _adjust_articles(session, {article.id: 0})
    return article


def set_article_mode(session: Session, article: Article, mode: ModerationMode | None) -> Article:
    """Pre- or post-moderate one article, or follow the site's mode again (``None``)."""
    article.moderation_mode = mode
    session.flush()
    _adjust_articles(session, {article.id: 0})
    return article
