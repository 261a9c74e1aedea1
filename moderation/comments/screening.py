"""What the rules need from the database, gathered in a few queries, and what they learn back.

``submit`` and ``edit`` call :func:`prepare` before storing a comment, and ``decide`` calls
:func:`learn` when a moderator first decides on one, so the spam and abuse scores follow the
site's own judgement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Select, and_, bindparam, case, func, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from .. import rules, spam
from ..errors import ValidationError
from ..models import (
    TOTAL_FEATURE,
    Comment,
    ModerationMode,
    Site,
    SpamFeature,
    Status,
)
from ..prepared import Prepared

REJECTED = (Status.REJECTED, Status.SPAM)
DECIDED = (Status.APPROVED, Status.REJECTED, Status.SPAM)

#: Asks an outside service whether a comment is spam: True, False, or None for no answer.
SpamCheck = Callable[[Mapping[str, str]], bool | None]


@dataclass(frozen=True)
class Policy:
    """The configuration screening needs: the key for hashes, rule defaults, outside checks."""

    secret_key: str
    rule_defaults: Mapping[str, Any] = field(default_factory=dict)
    akismet: SpamCheck | None = None


@dataclass(frozen=True)
class Client:
    """What the request tells about who is submitting. The IP address itself is only ever
    passed on to Akismet when a site turned it on, and never stored."""

    ip_hash: str | None = None
    origin: str | None = None
    form_check: str | None = None
    honeypot_filled: bool = False
    ip: str | None = None
    user_agent: str | None = None
    # Who they are: the publisher's signed token (``X-Reader-Token``), or a guest's browser key.
    reader_token: str | None = None
    guest_key: str | None = None


def settings_for(site: Site, policy: Policy) -> rules.RuleSettings:
    return rules.RuleSettings.from_mappings(policy.rule_defaults, site.rule_settings or {})


def check_length(body: str, settings: rules.RuleSettings) -> None:
    length = len(body)
    if length < settings.min_length:
        raise ValidationError(
            "body", f"The comment must be at least {settings.min_length} characters."
        )
    if length > settings.max_length:
        raise ValidationError(
            "body",
            f"The comment must be at most {settings.max_length:,} characters (it has {length:,}).",
        )


#: The author's record is read from their latest comments on the site, so it costs the same for
#: a prolific commenter (or a flood) as for a newcomer. Every rule compares it with small
#: thresholds (a few approvals, a rate over recent decisions, a repeat within minutes).
AUTHOR_RECORD_COMMENTS = 200


def _author_record() -> Select[Any]:
    # Everything but the text is in the author index, so the latest comments are read from the
    # index alone; the text only of those written within the repeat window (SQLite looks a row
    # up only when a column outside the index is asked for). A flood of comments read whole was
    # most of a submission's page reads.
    same_text = case(
        (Comment.created_at >= bindparam("repeat"), Comment.body_text == bindparam("body_text"))
    ).label("same_text")
    latest = (
        select(Comment.status, Comment.decided_at, same_text)
        .where(
            Comment.site_id == bindparam("site_id"),
            Comment.author_key == bindparam("author_key"),
            Comment.id != bindparam("exclude_id"),
        )
        .order_by(Comment.id.desc())
        .limit(AUTHOR_RECORD_COMMENTS)
        .subquery()
    )

    def count(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    def one_of(statuses: tuple[Status, ...]) -> Any:
        return latest.c.status.in_([literal(s, Comment.status.type) for s in statuses])

    rejected = one_of(REJECTED)
    decided_recently = latest.c.decided_at >= bindparam("recent")
    return select(
        count(latest.c.status == Status.APPROVED),
        count(rejected),
        count(one_of(DECIDED), decided_recently),
        count(rejected, decided_recently),
        count(rejected, latest.c.decided_at >= bindparam("trust")),
        func.count(),
        count(latest.c.same_text),
    )


_AUTHOR_RECORD = Prepared(_author_record())


def author_history(
    session: Session,
    site_id: int,
    author_key: str,
    settings: rules.RuleSettings,
    now: datetime,
    *,
    body_text: str | None = None,
    exclude_id: int | None = None,
) -> rules.AuthorHistory:
    """The author's record on this site (their latest comments), in one aggregate query."""
    row = _AUTHOR_RECORD.one_or_none(
        session,
        {
            "site_id": site_id,
            "author_key": author_key,
            "exclude_id": exclude_id or 0,
            "recent": now - timedelta(days=settings.rejection_window_days),
            "trust": now - timedelta(days=settings.trusted_clean_days),
            "repeat": now - timedelta(minutes=settings.repeat_window_minutes),
            "body_text": body_text,  # None matches nothing: no repeat check
        },
    )
    assert row is not None  # an aggregate without GROUP BY returns one row
    return rules.AuthorHistory(
        approved=int(row[0]),
        rejected=int(row[1]),
        recent_decided=int(row[2]),
        recent_rejected=int(row[3]),
        rejected_since_trust_window=int(row[4]),
        comments=int(row[5]),
        same_text_recently=bool(row[6]),
    )


def _features_of(
    body_text: str, html: str, has_email: bool, history: rules.AuthorHistory
) -> set[str]:
    return spam.features(
        body_text,
        html,
        has_email=has_email,
        approved_before=history.approved,
        rejected_before=history.rejected,
    )


@cache
def _feature_counts(size: int) -> Prepared:
    """The counts of up to ``size`` features. Statements come in a few sizes, the list padded
    with a repeat, so a handful of them serve every comment (an expanding ``IN`` would be
    rendered again for every query: a third of the query's cost)."""
    return Prepared(
        select(SpamFeature.feature, SpamFeature.spam, SpamFeature.ham, SpamFeature.abuse).where(
            SpamFeature.site_id == bindparam("site_id"),
            SpamFeature.feature.in_([bindparam(f"f{n}") for n in range(size)]),
        )
    )


@dataclass(frozen=True)
class Scores:
    """A comment's learned scores (None until learned enough to say), and how many decisions
    each learned from."""

    spam: float | None = None
    abuse: float | None = None
    spam_decisions: int = 0
    abuse_decisions: int = 0


def learned_scores(session: Session, site_id: int, features: Iterable[str]) -> Scores:
    """The learned probabilities of spam and of abuse, from one query over the features
    present."""
    wanted = [*features, TOTAL_FEATURE]
    size = 16
    while size < len(wanted):
        size *= 2
    params: dict[str, Any] = {f"f{n}": TOTAL_FEATURE for n in range(len(wanted), size)}
    params.update((f"f{n}", feature) for n, feature in enumerate(wanted))
    params["site_id"] = site_id
    counts = {
        feature: spam.Counts(spam_count, ham, abuse)
        for feature, spam_count, ham, abuse in _feature_counts(size).run(session, params)
    }
    totals = counts.pop(TOTAL_FEATURE, spam.Counts())
    present = wanted[:-1]
    return Scores(
        spam=spam.score(present, counts, totals, "spam"),
        abuse=spam.score(present, counts, totals, "abuse"),
        spam_decisions=totals.decisions("spam"),
        abuse_decisions=totals.decisions("abuse"),
    )


def prepare(
    session: Session,
    site: Site,
    mode: ModerationMode,
    policy: Policy,
    client: Client,
    *,
    body_text: str,
    html: str,
    author_name: str,
    author_email: str | None,
    author_key: str,
    now: datetime,
    article_url: str | None = None,
    edited_id: int | None = None,
) -> tuple[rules.Candidate, rules.RuleSettings]:
    """Everything the rules look at for one submission (or edit, with ``edited_id``)."""
    settings = settings_for(site, policy)
    history = author_history(
        session,
        site.id,
        author_key,
        settings,
        now,
        body_text=None if edited_id else body_text,
        exclude_id=edited_id,
    )
    links = len(spam.link_domains(html))
    scores = learned_scores(
        session, site.id, _features_of(body_text, html, bool(author_email), history)
    )
    akismet_spam = None
    if settings.akismet and policy.akismet is not None:
        akismet_spam = policy.akismet(
            {
                "user_ip": client.ip or "",
                "user_agent": client.user_agent or "",
                "permalink": article_url or "",
                "comment_type": "comment",
                "comment_author": author_name,
                "comment_author_email": author_email or "",
                "comment_content": body_text,
            }
        )
    candidate = rules.Candidate(
        mode=mode,
        body_text=body_text,
        html=html,
        link_count=links,
        history=history,
        spam_score=scores.spam,
        abuse_score=scores.abuse,
        spam_decisions=scores.spam_decisions,
        abuse_decisions=scores.abuse_decisions,
        akismet_spam=akismet_spam,
        form_check=client.form_check,
        honeypot_filled=client.honeypot_filled,
        is_edit=edited_id is not None,
        author_name=author_name,
    )
    return candidate, settings


# --- Learning ---------------------------------------------------------------------------------


def _histories(
    session: Session, site_id: int, author_keys: set[str], learned_ids: set[int]
) -> dict[str, rules.AuthorHistory]:
    """Approved and rejected counts of several authors, in one grouped query, without the
    comments being learned: their own verdicts are already stored, and counted they would teach
    "a new author is spam or abuse" (every approved comment came from a known author)."""
    approved = func.sum(case((Comment.status == Status.APPROVED, 1), else_=0))
    rejected = func.sum(case((Comment.status.in_(REJECTED), 1), else_=0))
    rows = session.execute(
        select(Comment.author_key, approved, rejected)
        .where(
            Comment.site_id == site_id,
            Comment.author_key.in_(author_keys),
            Comment.id.not_in(learned_ids),
        )
        .group_by(Comment.author_key)
    )
    return {
        key: rules.AuthorHistory(approved=int(a or 0), rejected=int(r or 0)) for key, a, r in rows
    }


def learn(session: Session, site_id: int, labelled: Sequence[tuple[Comment, spam.Label]]) -> None:
    """Add moderators' verdicts (comment, "spam", "abuse" or "ham") to the site's counts, in one
    upsert."""
    if not labelled:
        return
    per_feature: dict[str, spam.Counts] = {}
    histories = _histories(
        session, site_id, {c.author_key for c, _ in labelled}, {c.id for c, _ in labelled}
    )
    for comment, label in labelled:
        history = histories.get(comment.author_key, rules.AuthorHistory())
        present = _features_of(comment.body_text, comment.html, bool(comment.author_email), history)
        for feature in (*present, TOTAL_FEATURE):
            key = feature[:200]
            per_feature[key] = per_feature.get(key, spam.Counts()).add(label)
    rows = [
        {"site_id": site_id, "feature": f, "spam": c.spam, "ham": c.ham, "abuse": c.abuse}
        for f, c in per_feature.items()
    ]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(SpamFeature)
    stmt = stmt.on_conflict_do_update(
        index_elements=[SpamFeature.site_id, SpamFeature.feature],
        set_={
            "spam": SpamFeature.spam + stmt.excluded.spam,
            "ham": SpamFeature.ham + stmt.excluded.ham,
            "abuse": SpamFeature.abuse + stmt.excluded.abuse,
        },
    )
    session.execute(stmt, rows)
