"""A reader's new comment: checked, sanitized, screened, then stored with its log and counts.

A submission reads a dozen things to screen itself and writes a few rows. The two halves are
apart (:func:`screen_submission`, :func:`store_submission`) so that on SQLite the screening runs
before the database's one write lock is taken (see :func:`moderation.db.read_phase`);
:func:`submit` runs both in that order.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .. import rules
from ..db import read_phase
from ..errors import ArticleClosed, Forbidden, NotFound, SignInRequired, ValidationError
from ..identity import author_key, new_token, token_hash
from ..models import (
    PUBLIC_STATUSES,
    Action,
    Article,
    Comment,
    Commenters,
    MailSubscription,
    ModerationMode,
    Site,
    Status,
    utcnow,
)
from ..outbox import events, subscriptions
from ..prepared import Prepared, as_loaded, entity_columns
from ..sanitize import sanitize_comment, visible_text
from ..urls import origin_of
from . import readers, screening, writes
from .bans import check_banned


@dataclass(frozen=True)
class NewComment:
    """A submission whose fields have been checked one by one (``schemas.SubmitComment``)."""

    body: str
    author_name: str
    author_email: str | None = None
    parent_id: int | None = None
    article_url: str | None = None
    article_title: str | None = None
    #: What the author asked to be mailed of (``replies``, ``decisions``), in ``lang``.
    notify: tuple[str, ...] = ()
    lang: str = "en"


@dataclass(frozen=True)
class Submitted:
    comment: Comment
    site: Site
    edit_token: str
    #: The author's mail subscription, when they asked to be told of something.
    mail: MailSubscription | None = None


@dataclass(frozen=True)
class Screened:
    """A submission checked and screened, not stored yet: all the write needs."""

    site: Site
    article_key: str
    new: NewComment
    html: str
    author_key: str
    ip_hash: str | None
    signed_in: readers.SignedIn | None
    parent: Comment | None
    outcome: rules.Screening
    spam_score: float | None
    abuse_score: float | None
    now: datetime


# The submission path's reads, run on the driver (see ``prepared``): through the session, they
# cost more than the rest of a submission together.
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


def get_site(session: Session, slug: str) -> Site:
    """The site of this slug, as the session's object; not found otherwise."""
    row = _SITE_BY_SLUG.one_or_none(session, {"slug": slug})
    if row is None:
        raise NotFound(f"There is no site {slug!r}.")
    return as_loaded(session, Site, row)


def check_origin(site: Site, origin: str | None) -> None:
    """Browsers name the page a request comes from; only the site's own pages may post."""
    if origin is not None and origin_of(origin) not in site.origins:
        raise Forbidden(f"Pages on {origin} may not post comments to {site.slug!r}.")


def check_article_url(site: Site, url: str | None) -> None:
    """An article's address must be on one of the site's origins, like the pages that embed it."""
    if url is not None and origin_of(url) not in site.origins:
        raise Forbidden("The article URL is not on one of the site's origins.", field="article_url")


def check_open(site: Site, article_closed: bool) -> None:
    """Refuse a comment on a closed site or article."""
    if site.closed or article_closed:
        raise ArticleClosed()


def moderation_mode(site: Site, article: Article | None) -> ModerationMode:
    """The article's own mode when it has one, else its site's."""
    return (article.moderation_mode if article else None) or site.moderation_mode


def check_guest_allowed(site: Site) -> None:
    """Refuse a guest where only signed-in readers may comment, saying where to sign in."""
    if site.commenters is Commenters.READERS:
        where = f" at {site.login_url}" if site.login_url else ""
        raise SignInRequired(
            f"Only signed-in readers may comment on {site.name}: sign in{where} first.",
            details={"login_url": site.login_url},
        )


def cleaned_body(body: str) -> str:
    """The body as sanitized HTML; refused if nothing visible is left of it."""
    html = sanitize_comment(body)
    if not visible_text(html):
        raise ValidationError("body", "The comment is empty.")
    return html


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
    html = cleaned_body(new.body)
    site = get_site(session, site_slug)
    check_origin(site, client.origin)
    check_article_url(site, new.article_url)
    row = _ARTICLE_BY_KEY.one_or_none(session, {"site_id": site.id, "key": article_key})
    article = as_loaded(session, Article, row) if row else None
    check_open(site, article is not None and article.closed)
    parent = _parent(session, article, new.parent_id)

    signed_in = readers.identify(session, site, client.reader_token, now)
    if signed_in is None:
        check_guest_allowed(site)
    else:
        # The publisher's login speaks for the reader: its name and email over what was typed.
        new = replace(
            new,
            author_name=signed_in.claims.name or new.author_name,
            author_email=signed_in.claims.email or new.author_email,
        )
    if new.notify and not new.author_email:
        raise ValidationError(
            "notify", "Give your email address to be told of replies or decisions."
        )
    key = author_key(
        policy.secret_key,
        site.id,
        subject=signed_in.claims.subject if signed_in else None,
        guest_key=client.guest_key,
    )
    standing = check_banned(
        session,
        site,
        policy.secret_key,
        author_key=key,
        email=new.author_email,
        ip_hash=client.ip_hash,
        now=now,
    )
    candidate, settings = screening.prepare(
        session,
        site,
        moderation_mode(site, article),
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
    candidate = replace(
        candidate,
        history=replace(candidate.history, standing=standing),
        staff=signed_in is not None and signed_in.staff,
        guest_held=signed_in is None and site.commenters is Commenters.MIXED,
    )
    return Screened(
        site=site,
        article_key=article_key,
        new=new,
        html=html,
        author_key=key,
        ip_hash=client.ip_hash,
        signed_in=signed_in,
        parent=parent,
        outcome=rules.screen(candidate, settings),
        spam_score=candidate.spam_score,
        abuse_score=candidate.abuse_score,
        now=now,
    )


def _parent(session: Session, article: Article | None, parent_id: int | None) -> Comment | None:
    """The public comment of this article that a reply answers."""
    if parent_id is None:
        return None
    parent = session.get(Comment, parent_id)
    if parent is None or article is None or parent.article_id != article.id:
        raise NotFound("The comment you reply to is not in this article.", field="parent_id")
    if parent.status not in PUBLIC_STATUSES:
        raise NotFound("The comment you reply to is not published.", field="parent_id")
    return parent


def store_submission(
    session: Session, screened: Screened, edit_token: str | None = None
) -> Submitted:
    """Store a screened comment: logged, and counted if public. The article is read again (or
    created), so a thread closed since the screening refuses it. ``edit_token``: the one to hand
    out (a retried request's, see ``api.idempotency``); a new random one by default."""
    site, new, parent, outcome = screened.site, screened.new, screened.parent, screened.outcome
    article_id, closed, url, title = _article_for_write(
        session, site, screened.article_key, new.article_url, new.article_title
    )
    check_open(site, closed)
    token = edit_token or new_token()
    signed_in = screened.signed_in
    reader = readers.remember(session, site, signed_in, new.author_name) if signed_in else None
    comment = writes.insert_comment(
        session,
        site_id=site.id,
        article_id=article_id,
        parent_id=parent.id if parent else None,
        root_id=(parent.root_id or parent.id) if parent else None,
        depth=parent.depth + 1 if parent else 0,
        author_name=new.author_name,
        author_email=new.author_email,
        author_key=screened.author_key,
        reader_id=reader.id if reader else None,
        staff=signed_in is not None and signed_in.staff,
        badges=list(reader.badges) if reader else [],
        ip_hash=screened.ip_hash,
        body_text=new.body,
        html=screened.html,
        status=outcome.status,
        held_because=outcome.held_because,
        spam_score=screened.spam_score,
        abuse_score=screened.abuse_score,
        edit_token_hash=token_hash(token),
        created_at=screened.now,
        decided_at=screened.now if outcome.status is Status.APPROVED else None,
    )
    record_screening(session, comment, None, outcome)
    article = {"id": article_id, "key": screened.article_key, "url": url, "title": title}
    events.comment_created(session, comment, article)
    mail = _subscribe(session, screened, article)
    if comment.status in PUBLIC_STATUSES:
        writes.adjust_articles(session, {article_id: +1})
    writes.queue_changed(session, [site.id])
    return Submitted(comment=comment, site=site, edit_token=token, mail=mail)


def _subscribe(
    session: Session, screened: Screened, article: dict[str, Any]
) -> MailSubscription | None:
    """The author's wish to be mailed, kept. Not for what the rules took for spam: a bot
    naming a stranger's address would have them sent a confirmation mail."""
    new = screened.new
    if not new.notify or not new.author_email or screened.outcome.status is Status.SPAM:
        return None
    signed_in = screened.signed_in
    # The publisher's sign-in vouches for the address it gives; a typed one is confirmed first.
    verified = signed_in is not None and signed_in.claims.email == new.author_email
    return subscriptions.subscribe(
        session,
        screened.site,
        new.author_email,
        new.notify,
        lang=new.lang,
        verified=verified,
        article=article,
        now=screened.now,
    )


def submit(
    session: Session,
    *,
    site_slug: str,
    article_key: str,
    new: NewComment,
    policy: screening.Policy,
    client: screening.Client | None = None,
    now: datetime | None = None,
    edit_token: str | None = None,
) -> Submitted:
    """Store a reader's comment: checked, sanitized, screened, logged and counted.

    The screening's reads run in a transaction of their own before the write's (on SQLite, so the
    write lock is held only for the write), when the session has none open yet; inside a caller's
    transaction both run in it. The caller commits.
    """
    phase = nullcontext() if session.in_transaction() else read_phase(session)
    with phase:
        screened = screen_submission(
            session,
            site_slug=site_slug,
            article_key=article_key,
            new=new,
            policy=policy,
            client=client,
            now=now,
        )
    return store_submission(session, screened, edit_token)


def _article_for_write(
    session: Session, site: Site, key: str, url: str | None, title: str | None
) -> tuple[int, bool, str | None, str | None]:
    """The article's id, whether it is closed, its URL and title, read afresh under the write
    lock (even if loaded before): whether it is closed must be current when writing. Created
    (and its event written) if new."""
    check_article_url(site, url)
    params = {"site_id": site.id, "key": key}
    row = _ARTICLE_FOR_WRITE.one_or_none(session, params)
    if row is None:
        article = Article(site_id=site.id, key=key, url=url, title=title)
        try:
            # A savepoint, so losing the race to another writer creating the same article does
            # not roll back the caller's transaction.
            with session.begin_nested():
                session.add(article)
                session.flush()
                events.emit(
                    session, site.id, "article.created", {"article": events.article_data(article)}
                )
            return article.id, article.closed, url, title
        except IntegrityError:
            row = _ARTICLE_FOR_WRITE.one_or_none(session, params)
            assert row is not None  # the other writer's article
    article_id, closed, known_url, known_title = row
    # The first page to mention an article names it; later submissions only fill gaps, so a
    # reader cannot retitle an article by posting with another title.
    if (known_url is None and url is not None) or (known_title is None and title is not None):
        writes.fill_article(session, article_id, url, title)
    return article_id, closed, known_url or url, known_title or title


def record_screening(
    session: Session, comment: Comment, before: Status | None, outcome: rules.Screening
) -> None:
    """Log what the rules did: one system entry per finding, or the plain publication."""
    entries = [
        writes.LogEntry(
            site_id=comment.site_id,
            comment_id=comment.id,
            actor=f"{writes.SYSTEM}:{finding.rule}",
            action=finding.action,
            from_status=before,
            to_status=outcome.status,
            explanation=finding.explanation,
        )
        for finding in outcome.findings
    ]
    if not entries and outcome.status is Status.PUBLISHED:
        entries.append(
            writes.LogEntry(
                site_id=comment.site_id,
                comment_id=comment.id,
                actor=f"{writes.SYSTEM}:postmod",
                action=Action.PUBLISH,
                from_status=before,
                to_status=outcome.status,
            )
        )
    writes.log(session, entries)
