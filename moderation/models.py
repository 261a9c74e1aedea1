"""The tables: sites, articles, comments, reader flags, moderators, API tokens, the decision log."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    DDL,
    JSON,
    Boolean,
    Column,
    DateTime,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from .db import Base

#: The largest id a table holds: ids are INTEGER columns, 32 bits on PostgreSQL. An id a client
#: sends beyond it names nothing (a path answers 404, a body field 400), never a database error.
MAX_ID = 2**31 - 1


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC and always gives back aware datetimes (SQLite would drop the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetime; use moderation.models.utcnow()")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class WordList(TypeDecorator[list[str]]):
    """A JSON list of short strings (a comment's badges, the rules that held it), read without
    the JSON decoder when it is empty, as nearly every one is: a queue page decoded two JSON
    values a row, a tenth of its cost. Any other value is decoded as JSON reads it."""

    impl = JSON
    cache_ok = True

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        decode = self.impl_instance.result_processor(dialect, coltype)
        if decode is None:  # the driver decodes JSON itself (psycopg)
            return None

        def process(value: Any) -> Any:
            return [] if value == "[]" else decode(value)

        return process


class ModerationMode(enum.StrEnum):
    PRE = "pre"  # nothing is public until a moderator approves it
    POST = "post"  # public at once unless a rule holds it; moderators decide afterwards


class Status(enum.StrEnum):
    PENDING = "pending"
    PUBLISHED = "published"
    APPROVED = "approved"
    REJECTED = "rejected"
    SPAM = "spam"
    DELETED = "deleted"

    @property
    def is_public(self) -> bool:
        return self in PUBLIC_STATUSES


PUBLIC_STATUSES = frozenset({Status.PUBLISHED, Status.APPROVED})


class Action(enum.StrEnum):
    """What a decision did. The first four are the moderators'; the rest are recorded for them."""

    APPROVE = "approve"
    REJECT = "reject"
    SPAM = "spam"
    RESTORE = "restore"
    HOLD = "hold"  # a rule held a submission or an edit for review
    PUBLISH = "publish"  # post-moderation let a submission or an edit through
    EDIT = "edit"  # the author edited within the window
    DELETE = "delete"  # the author deleted within the window
    FEATURE = "feature"  # an editor's pick: approved, and shown first
    UNFEATURE = "unfeature"
    # Measures about the author, logged on the comment they were taken from (the comment's
    # status does not change): a ban, a suspension (a ban with an end), always pre-moderate,
    # trust, and lifting one of them.
    BAN = "ban"
    SUSPEND = "suspend"
    PREMODERATE = "premoderate"
    TRUST = "trust"
    LIFT = "lift"
    # DSA: a notice of illegal content assessed, and an appeal decided with the decision kept
    # (an appeal that succeeds is a restore).
    ASSESS = "assess"
    UPHOLD = "uphold"


MODERATOR_ACTIONS = (
    Action.APPROVE,
    Action.REJECT,
    Action.SPAM,
    Action.RESTORE,
    Action.FEATURE,
    Action.UNFEATURE,
)


class Commenters(enum.StrEnum):
    """Who may comment on a site."""

    GUESTS = "guests"  # anyone who types a name (signed-in readers too)
    READERS = "readers"  # only readers signed in with the site's own login (SSO)
    MIXED = "mixed"  # both, but guests' comments are held for a moderator


class Role(enum.StrEnum):
    COMMENTER = "commenter"
    STAFF = "staff"  # the newsroom's own: published at once, marked as staff


class Reason(enum.StrEnum):
    """Why a moderator rejected a comment (also the vocabulary of reader flags)."""

    SPAM = "spam"
    ABUSE = "abuse"
    OFF_TOPIC = "off_topic"
    ILLEGAL = "illegal"
    PERSONAL_DATA = "personal_data"
    OTHER = "other"


class Assessment(enum.StrEnum):
    """A moderator's assessment of a notice of illegal content."""

    ILLEGAL = "illegal"
    HOUSE_RULES = "house_rules"  # not illegal, but against the site's rules
    NO_ACTION = "no_action"


FLAG_REASONS = (Reason.SPAM, Reason.ABUSE, Reason.OFF_TOPIC, Reason.ILLEGAL, Reason.OTHER)


def _enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    # Stored as VARCHAR with a CHECK constraint: portable, and new members need no type migration
    # on PostgreSQL.
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


moderator_sites = Table(
    "moderator_sites",
    Base.metadata,
    Column("moderator_id", ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class Site(Base):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # Normalised origins ("https://news.example"): pages that may embed the widget and the only
    # places an article URL may point to.
    origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    moderation_mode: Mapped[ModerationMode] = mapped_column(
        _enum(ModerationMode, "moderation_mode"), default=ModerationMode.PRE
    )
    edit_window_minutes: Mapped[int] = mapped_column(Integer, default=15)
    # Commenting closed on the whole site (a newsroom's night or an emergency).
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    # This site's screening-rule settings, over the configured defaults (see rules.RuleSettings).
    rule_settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Moves on in the same transaction as anything a moderation queue page shows (a submission,
    # an edit, a report, a decision), so a page cached under it is never stale.
    queue_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    commenters: Mapped[Commenters] = mapped_column(
        _enum(Commenters, "site_commenters"), default=Commenters.GUESTS, server_default="guests"
    )
    # Where the widget sends a reader to sign in when guests may not post.
    login_url: Mapped[str | None] = mapped_column(String(2048))
    reaction_label: Mapped[str] = mapped_column(
        String(40), default="Respect", server_default="Respect"
    )
    # The shared secret the publisher signs readers' tokens with (HS256), and the one it
    # replaced, still accepted until ``sso_previous_until`` so a rotation needs no downtime.
    sso_secret: Mapped[str | None] = mapped_column(String(100))
    sso_previous_secret: Mapped[str | None] = mapped_column(String(100))
    sso_previous_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Moves on with any setting a public thread shows (who may comment, the sign-in link, the
    # reaction's label), so cached threads are keyed by it as by the article's version.
    settings_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("site_id", "key", name="uq_articles_site_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(512))
    url: Mapped[str | None] = mapped_column(String(2048))
    title: Mapped[str | None] = mapped_column(String(300))
    closed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Overrides the site's mode for this article when set.
    moderation_mode: Mapped[ModerationMode | None] = mapped_column(
        _enum(ModerationMode, "article_moderation_mode")
    )
    # Public comments (published or approved), kept with every status change.
    public_count: Mapped[int] = mapped_column(Integer, default=0)
    # Bumped in the same transaction as anything that changes the public thread; thread ETags and
    # cache keys are built from it, so a stale thread can never be served after a commit.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The second (Unix time) of the latest reaction to one of its comments, and the one before
    # it. Reactions do not move ``version``: cached threads are keyed by these too, coarsened
    # (``threads.reaction_mark``), so a thread with reactions pouring in is rendered again at
    # most once a second, and once for a lone reaction.
    reacted_second: Mapped[int | None] = mapped_column(Integer)
    reacted_before: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    site: Mapped[Site] = relationship(lazy="raise")


class Reader(Base):
    """A reader signed in with the site's own login (SSO): one per site and ``subject``, its
    name, email, badges and role refreshed from each token."""

    __tablename__ = "readers"
    __table_args__ = (UniqueConstraint("site_id", "subject", name="uq_readers_site_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    badges: Mapped[list[str]] = mapped_column(JSON, default=list)
    role: Mapped[Role] = mapped_column(_enum(Role, "reader_role"), default=Role.COMMENTER)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class RevokedToken(Base):
    """A reader token signed out (its ``jti``, hashed), refused until it would have expired."""

    __tablename__ = "revoked_tokens"
    __table_args__ = (Index("ix_revoked_tokens_expires", "expires_at"),)

    jti_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Reaction(Base):
    """One reader's reaction to one comment; the unique key is the "one per reader" rule.

    ``reactor_key`` is a keyed hash of the signed-in reader or of the guest's browser key.
    """

    __tablename__ = "reactions"
    __table_args__ = (UniqueConstraint("comment_id", "reactor_key", name="uq_reactions_reactor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reactor_key: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


FLAGGED_CONDITION = "open_flag_count > 0"
AUTHOR_INDEX_COLUMNS = ("site_id", "author_key", "id", "status", "decided_at", "created_at")


class Comment(Base):
    __tablename__ = "comments"
    __table_args__ = (
        # The moderation queue: one site, one status, oldest first.
        Index("ix_comments_queue", "site_id", "status", "id"),
        Index("ix_comments_article_queue", "article_id", "status", "id"),
        # The public thread: an article's top-level comments (root_id NULL) or one root's replies.
        Index("ix_comments_thread", "article_id", "root_id", "id"),
        # The author's record (screening.author_history) is read from this index alone.
        Index("ix_comments_author_record", *AUTHOR_INDEX_COLUMNS),
        Index("ix_comments_ip", "site_id", "ip_hash", "id"),
        # Threads by reactions (sort=best): an article's top-level comments, most reacted first.
        Index("ix_comments_best", "article_id", "root_id", "reactions", "id"),
        Index("ix_comments_reader", "reader_id"),
        # The few comments with open reports, for the dashboard's "flagged" count.
        Index(
            "ix_comments_flagged",
            "site_id",
            "status",
            sqlite_where=text(FLAGGED_CONDITION),
            postgresql_where=text(FLAGGED_CONDITION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    # The top-level comment of this reply's thread (NULL for a top-level comment), so one query
    # fetches all the replies of a page of threads.
    root_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    depth: Mapped[int] = mapped_column(Integer, default=0)
    author_name: Mapped[str] = mapped_column(String(100))
    author_email: Mapped[str | None] = mapped_column(String(254))
    # Keyed hashes: who the author is across comments and where they posted from. The author is
    # something they cannot borrow: their account (``reader_id``) or their browser's own random
    # key; never a typed email or name (``identity.author_key``). The IP address is never stored.
    author_key: Mapped[str] = mapped_column(String(64))
    reader_id: Mapped[int | None] = mapped_column(ForeignKey("readers.id", ondelete="SET NULL"))
    # The newsroom's own voice, and the badges the publisher's login gave the author.
    staff: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    badges: Mapped[list[str]] = mapped_column(WordList, default=list)
    featured: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    reactions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    ip_hash: Mapped[str | None] = mapped_column(String(64))
    # What the reader typed, for moderators only and never rendered as HTML.
    body_text: Mapped[str] = mapped_column(Text)
    # The sanitized HTML: the only rendering of the body anyone ever gets.
    html: Mapped[str] = mapped_column(Text)
    status: Mapped[Status] = mapped_column(_enum(Status, "comment_status"))
    held_because: Mapped[list[str]] = mapped_column(WordList, default=list)
    # Probability of spam from the site's learned classifier; None until it has learned enough.
    spam_score: Mapped[float | None] = mapped_column(Float)
    # Probability that moderators would reject it for abuse (or off topic, personal data, ...),
    # from the same features; None until the site has learned enough.
    abuse_score: Mapped[float | None] = mapped_column(Float)
    edit_token_hash: Mapped[str] = mapped_column(String(64))
    # Reader reports not yet answered by a moderator's decision.
    open_flag_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    article: Mapped[Article] = relationship(lazy="raise")


class Flag(Base):
    """A reader's report on a comment; one per reader (keyed IP hash) and comment."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("comment_id", "reporter_hash", name="uq_flags_reporter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reason: Mapped[Reason] = mapped_column(_enum(Reason, "flag_reason"))
    note: Mapped[str | None] = mapped_column(String(500))
    reporter_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A notice of illegal content (DSA Art. 16), for reason "illegal": what the notifier must
    # give, the receipt they are handed, and how a moderator assessed it.
    law: Mapped[str | None] = mapped_column(String(300))
    category: Mapped[str | None] = mapped_column(String(40))
    explanation: Mapped[str | None] = mapped_column(Text)
    notifier_name: Mapped[str | None] = mapped_column(String(200))
    notifier_email: Mapped[str | None] = mapped_column(String(254))
    notifier_lang: Mapped[str | None] = mapped_column(String(5))
    good_faith: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    receipt: Mapped[str | None] = mapped_column(String(40), unique=True)
    assessment: Mapped[Assessment | None] = mapped_column(_enum(Assessment, "flag_assessment"))
    legal_ground: Mapped[str | None] = mapped_column(Text)
    assessed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assessed_by: Mapped[str | None] = mapped_column(String(300))

    @property
    def is_notice(self) -> bool:
        return self.receipt is not None


class Restriction(enum.StrEnum):
    """What a statement of reasons is about (DSA Art. 17(1))."""

    REMOVAL = "removal"  # rejected or marked spam: not shown
    DEMOTION = "demotion"  # withheld for a moderator by a rule
    SUSPENSION = "suspension"  # the author may not comment for a while
    BAN = "ban"  # the author may not comment


class Statement(Base):
    """A statement of reasons (DSA Art. 17): why a comment was removed or restricted, written
    with the decision. Shown to the comment's author only."""

    __tablename__ = "statements"
    __table_args__ = (
        Index("ix_statements_comment", "comment_id", "id"),
        Index("ix_statements_site", "site_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    restriction: Mapped[Restriction] = mapped_column(_enum(Restriction, "statement_restriction"))
    action: Mapped[Action] = mapped_column(_enum(Action, "statement_action"))
    reason: Mapped[Reason | None] = mapped_column(_enum(Reason, "statement_reason"))
    # The facts and circumstances, in words; the moderator's explanation when they gave one.
    facts: Mapped[str] = mapped_column(Text)
    automated: Mapped[bool] = mapped_column(Boolean, default=False)
    # "law" with the legal ground, or "house_rule" with the rule the comment broke.
    ground_kind: Mapped[str] = mapped_column(String(16))
    ground: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(300))
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the decision stands
    REVERSED = "reversed"  # the comment is restored


class Appeal(Base):
    """An author contests a decision (DSA Art. 20), within six months of it; decided by another
    moderator than the one who decided first."""

    __tablename__ = "appeals"
    __table_args__ = (
        Index("ix_appeals_site", "site_id", "status", "id"),
        Index("ix_appeals_statement", "statement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    statement_id: Mapped[int] = mapped_column(ForeignKey("statements.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[AppealStatus] = mapped_column(
        _enum(AppealStatus, "appeal_status"), default=AppealStatus.OPEN
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(300))
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL")
    )
    outcome: Mapped[str | None] = mapped_column(Text)


class BanKind(enum.StrEnum):
    EMAIL = "email"
    AUTHOR = "author"  # the author identity: email if they gave one, else their name
    IP = "ip"


class Ban(Base):
    """An author who may not comment on a site, until ``expires_at`` if set.

    ``value_hash`` is a keyed hash (of the email, the author key or the IP address), so a ban
    list reveals no one's address.
    """

    __tablename__ = "bans"
    __table_args__ = (Index("ix_bans_lookup", "site_id", "kind", "value_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[BanKind] = mapped_column(_enum(BanKind, "ban_kind"))
    value_hash: Mapped[str] = mapped_column(String(64))
    # What moderators see: the email, the author's name, or "IP of comment 123".
    label: Mapped[str] = mapped_column(String(300))
    reason: Mapped[str | None] = mapped_column(Text)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Standing(enum.StrEnum):
    """A moderator's word on an author, over what the rules make of their record."""

    PREMODERATED = "premoderated"  # every comment waits for a moderator, whatever the record
    TRUSTED = "trusted"  # published as the site's mode allows, without the record's holds


class AuthorStanding(Base):
    """An author's standing on a site (one at most), until ``expires_at`` if set."""

    __tablename__ = "author_standings"
    __table_args__ = (UniqueConstraint("site_id", "author_key", name="uq_author_standings_author"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    author_key: Mapped[str] = mapped_column(String(64))
    standing: Mapped[Standing] = mapped_column(_enum(Standing, "author_standing"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuthorNote(Base):
    """A moderator's note about an author, for the other moderators: never shown to readers,
    never edited (a correction is a new note)."""

    __tablename__ = "author_notes"
    __table_args__ = (Index("ix_author_notes_author", "site_id", "author_key", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    author_key: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SpamFeature(Base):
    """How often a feature appeared in comments a site's moderators approved (ham), marked as
    spam (spam), or rejected for any other reason (abuse): the counts of both learned scores in
    one row, so one query scores a comment for both. The row ``feature == TOTAL_FEATURE`` counts
    the comments learned."""

    __tablename__ = "spam_features"

    site_id: Mapped[int] = mapped_column(
        ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True
    )
    feature: Mapped[str] = mapped_column(String(200), primary_key=True)
    spam: Mapped[int] = mapped_column(Integer, default=0)
    ham: Mapped[int] = mapped_column(Integer, default=0)
    abuse: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


TOTAL_FEATURE = "__total__"


class Moderator(Base):
    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # What the moderator asked to be mailed (their account page): each new report, a pending
    # queue older than ``notify_queue_minutes`` (None: never), a daily digest.
    notify_reports: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    notify_queue_minutes: Mapped[int | None] = mapped_column(Integer)
    notify_digest: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # When the worker last mailed them about an old queue and their digest, so neither repeats.
    queue_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    sites: Mapped[list[Site]] = relationship(secondary=moderator_sites, lazy="selectin")


class LoginFailure(Base):
    """One failed dashboard login, kept a short while to throttle password guessing.

    ``key`` is ``account:<keyed hash of the email typed>`` or ``ip:<keyed hash of the address>``,
    so the table holds neither addresses nor the emails people mistype. Rows live in the database
    (not in one process's memory) so that every service process sees the same count.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_key", "key", "created_at"),
        Index("ix_login_failures_created", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotentRequest(Base):
    """The first answer to a request sent with an ``Idempotency-Key``, replayed to its retries.

    ``key_hash`` is a keyed hash of the method, the path and the key; ``fingerprint`` the SHA-256
    of the request's JSON in a canonical form, so that the key cannot be reused for another
    request. A new comment's edit token is not kept: it is derived again from the key
    (``api.idempotency``). Rows go when their comment does, and are forgotten a day after.
    """

    __tablename__ = "idempotent_requests"
    __table_args__ = (Index("ix_idempotent_requests_created", "created_at"),)

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    status_code: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiToken(Base):
    """A bearer token for the moderation API, bound to one site. Only its SHA-256 is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship(lazy="joined")


class Decision(Base):
    """One entry of the append-only moderation log: never updated, never deleted."""

    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decisions_comment", "comment_id", "id"),
        Index("ix_decisions_site", "site_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    moderator_id: Mapped[int | None] = mapped_column(
        ForeignKey("moderators.id", ondelete="SET NULL")
    )
    # "moderator:<email>", "token:<label or id>", "author" or "system:<rule>".
    actor: Mapped[str] = mapped_column(String(300))
    action: Mapped[Action] = mapped_column(_enum(Action, "decision_action"))
    from_status: Mapped[Status | None] = mapped_column(_enum(Status, "decision_from_status"))
    to_status: Mapped[Status] = mapped_column(_enum(Status, "decision_to_status"))
    reason: Mapped[Reason | None] = mapped_column(_enum(Reason, "decision_reason"))
    # For a moderator, the explanation for the author; for a rule, what it saw ("3 links").
    explanation: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AppendOnlyError(RuntimeError):
    """Raised when code tries to rewrite or remove an entry of the decision log."""


@event.listens_for(Decision, "before_update")
def _refuse_update(_mapper: Any, _connection: Any, target: Decision) -> None:
    raise AppendOnlyError(f"decision {target.id} is part of the log and cannot be changed")


@event.listens_for(Decision, "before_delete")
def _refuse_delete(_mapper: Any, _connection: Any, target: Decision) -> None:
    raise AppendOnlyError(f"decision {target.id} is part of the log and cannot be removed")


class EndpointKind(enum.StrEnum):
    WEBHOOK = "webhook"  # Standard Webhooks: signed JSON events
    SLACK = "slack"  # a Slack incoming webhook: messages for people


class Endpoint(Base):
    """Where a site's events go: a signed webhook or a Slack channel.

    ``events`` filters what it receives (empty: every event type); for Slack, the topics
    ``pending``, ``reported`` and ``staff``. ``secret`` (``whsec_...``) signs webhooks; after a
    rotation the previous one signs too until ``previous_until``, so receivers can move over.
    """

    __tablename__ = "endpoints"
    __table_args__ = (Index("ix_endpoints_site", "site_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    kind: Mapped[EndpointKind] = mapped_column(_enum(EndpointKind, "endpoint_kind"))
    url: Mapped[str] = mapped_column(String(2048))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Event(Base):
    """One entry of the outbox: something happened, written in the transaction that made it
    happen, so it exists exactly when the change does. The worker fans it out into deliveries.

    ``message_id`` is the ``webhook-id`` receivers see: the same on every retry and for every
    endpoint, so a receiver can drop repeats.
    """

    __tablename__ = "events"
    __table_args__ = (
        # The worker's scan for events not yet fanned out stays on the few that are.
        Index(
            "ix_events_unrouted",
            "id",
            postgresql_where=text("NOT routed"),
            sqlite_where=text("NOT routed"),
        ),
        Index("ix_events_site", "site_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(40))
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    routed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Channel(enum.StrEnum):
    WEBHOOK = "webhook"
    SLACK = "slack"
    MAIL = "mail"


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # due at ``next_attempt_at`` (again, after a failed try)
    SENT = "sent"
    FAILED = "failed"  # every try failed; a moderator can send it again


class Delivery(Base):
    """One event on its way to one place: an endpoint, or a mail to one address.

    A worker leases a delivery (``leased_until``) in a short transaction and sends it outside
    any, so a worker killed mid-send leaves a lease that runs out and another worker sends the
    delivery again: at least once, never lost. ``mail`` names the mail's template.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        Index(
            "ix_deliveries_due",
            "next_attempt_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        Index("ix_deliveries_site", "site_id", "id"),
        Index("ix_deliveries_endpoint", "endpoint_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel, "delivery_channel"))
    endpoint_id: Mapped[int | None] = mapped_column(ForeignKey("endpoints.id", ondelete="CASCADE"))
    recipient: Mapped[str | None] = mapped_column(String(254))
    mail: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[DeliveryStatus] = mapped_column(
        _enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last try's outcome: the HTTP status, or the error in words, and the start of the answer.
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_response: Mapped[str | None] = mapped_column(String(500))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MailSubscription(Base):
    """A reader's address and what they asked to be told of, per site.

    Nothing is sent to it before ``confirmed_at``: the reader follows a signed link mailed to the
    address first (double opt-in), so nobody can have the service mail a stranger. An address
    from the publisher's sign-in is the publisher's to vouch for and counts as confirmed.
    """

    __tablename__ = "mail_subscriptions"
    __table_args__ = (UniqueConstraint("site_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(254))
    lang: Mapped[str] = mapped_column(String(5), default="en")
    replies: Mapped[bool] = mapped_column(Boolean, default=False)
    decisions: Mapped[bool] = mapped_column(Boolean, default=False)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the last confirmation mail went out, so a flood of submissions sends one, not many.
    confirm_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportKind(enum.StrEnum):
    ARTICLE = "article"
    COMMENT = "comment"


#: A comment's reply link still to make (``ImportKey.parent_source_id`` set): only inside an
#: import's transaction, so the partial index is empty between imports.
PENDING_PARENT_CONDITION = "parent_source_id IS NOT NULL"


class ImportKey(Base):
    """What an import made of a source's article or comment: a second run of the same file finds
    its records here and adds nothing, and a reply finds its parent here by the source's id.

    ``target_id`` is the article's or the comment's id (no foreign key: it names either table).
    ``parent_source_id`` is a comment's parent in the source, kept only until the import that
    wrote it links the reply, before it commits (see ``importers.replies``).
    """

    __tablename__ = "import_keys"
    __table_args__ = (
        UniqueConstraint("site_id", "source", "kind", "source_id", name="uq_import_keys_source"),
        Index(
            "ix_import_keys_pending",
            "site_id",
            "source",
            "id",
            sqlite_where=text(PENDING_PARENT_CONDITION),
            postgresql_where=text(PENDING_PARENT_CONDITION),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))
    kind: Mapped[ImportKind] = mapped_column(_enum(ImportKind, "import_kind"))
    source_id: Mapped[str] = mapped_column(String(255))
    target_id: Mapped[int] = mapped_column(Integer)
    parent_source_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


#: On PostgreSQL, a statement writing events also notifies the processes streaming live updates
#: (``live.bus``): at commit, and only at commit. Made with the table and by migration 0013.
EVENTS_NOTIFY_DDL = (
    "CREATE OR REPLACE FUNCTION moderation_events_notify() RETURNS trigger"
    " LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_notify('moderation_events', '');"
    " RETURN NULL; END $$",
    "CREATE TRIGGER events_notify AFTER INSERT ON events"
    " FOR EACH STATEMENT EXECUTE FUNCTION moderation_events_notify()",
)
for _statement in EVENTS_NOTIFY_DDL:
    event.listen(Event.__table__, "after_create", DDL(_statement).execute_if(dialect="postgresql"))
