"""What clients send: every request body and query of the API, declared once.

The views parse with these (``schemas.parse``), the dashboard's forms and JSON endpoints parse
with the same ones, and the OpenAPI document is generated from them. Bodies are read strictly
(a JSON number where a number is due, never a numeric string); queries and forms, whose values
are all text, read numbers from digits.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import re
from datetime import date, datetime
from functools import cache
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema
from pydantic_core import PydanticCustomError

from ..rules import MAX_WORD_CHARS, MAX_WORDS, RuleSettings, maximum_of
from .fields import (
    MAX_COUNT_KEYS,
    VISIBLE,
    ArticleKey,
    Cursor,
    Email,
    Explanation,
    HttpUrl,
    Id,
    Name,
    Note,
    OptionalEmail,
    PageSize,
    QueryId,
    Title,
    normalised,
)

M = TypeVar("M", bound="Request")

DEFAULT_THREAD_LIMIT = 50
MAX_BULK = 200

# The values of the models' enums, which tests/schemas/test_requests.py holds them to.
FlagReason = Literal["spam", "abuse", "off_topic", "illegal", "other"]
ReasonCode = Literal["spam", "abuse", "off_topic", "illegal", "personal_data", "other"]
QueueView = Literal["pending", "flagged", "unreviewed", "approved", "rejected", "spam"]
QueueOrder = Literal["oldest", "newest", "spam", "abuse"]


class Request(BaseModel):
    """The settings of every request body: unknown fields are refused (a typo is an error, not
    silence), and patterns mean what Python's ``re`` says."""

    model_config = ConfigDict(extra="forbid", frozen=True, regex_engine="python-re")


class Query(Request):
    """The settings of every query string: as a body's, but other arguments are left alone (a
    cache-busting ``_=1732500000``, a tracker's tag), as caches and proxies expect. A query has
    no null: an argument not given takes its default."""

    model_config = ConfigDict(extra="ignore")


# --- The widget API ---------------------------------------------------------------------------


class ThreadQuery(Query):
    """Which page of a thread: an order, a size, a cursor, or the rest of one long thread."""

    sort: Literal["oldest", "newest", "best"] = Field(
        default="oldest", description="`best`: most reactions first, then newest."
    )
    limit: PageSize = Field(default=DEFAULT_THREAD_LIMIT, description="Top-level comments a page.")
    cursor: Cursor | SkipJsonSchema[None] = None
    replies_to: QueryId | SkipJsonSchema[None] = Field(
        default=None, description="The rest of one thread marked `more_replies`, flat."
    )
    featured: bool = Field(
        default=False, description="Only the editors' picks, replies among them, newest first."
    )

    def fingerprint(self) -> str:
        """A short name of the query, for thread ETags and cache keys."""
        raw = (
            f"{self.sort}|{self.limit}|{self.cursor or ''}|{self.replies_to or ''}"
            f"|{int(self.featured)}"
        )
        return hashlib.blake2s(raw.encode(), digest_size=6).hexdigest()


class PublishedThreadQuery(Query):
    """The first page of a thread as the publisher's HTML fragment: the thread's order and size
    (no cursor: crawlers read the first page, the widget loads the rest)."""

    sort: Literal["oldest", "newest", "best"] = Field(
        default="oldest", description="`best`: most reactions first, then newest."
    )
    limit: PageSize = Field(default=DEFAULT_THREAD_LIMIT, description="Top-level comments.")
    nosnippet: bool = Field(
        default=False,
        description="Mark the thread `data-nosnippet`: search engines index it but quote none "
        "of it in their results.",
    )

    def thread_query(self) -> ThreadQuery:
        """The same page as the widget's JSON query names it."""
        return ThreadQuery(sort=self.sort, limit=self.limit)


#: Comments are at most this long unless the ``max_comment_chars`` setting says otherwise.
DEFAULT_MAX_COMMENT = 5000
CommentBody = Annotated[
    str,
    Field(
        max_length=DEFAULT_MAX_COMMENT,
        pattern=VISIBLE,
        title="comment",
        description="Plain text with light formatting.",
    ),
    AfterValidator(normalised),
]


class SubmitComment(Request):
    """A reader's comment, as the widget sends it."""

    body: CommentBody
    author_name: Name
    author_email: OptionalEmail = None
    parent_id: Id | None = Field(
        default=None, description="A public comment of this article, to answer."
    )
    article_url: HttpUrl | None = Field(
        default=None, description="The article's address, on one of the site's origins."
    )
    article_title: Title | None = None
    form_token: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="`X-Form-Token` of the thread read (the widget's)."
    )
    website: Annotated[str, Field(max_length=200)] | None = Field(
        default=None, description="Leave empty: a field for bots."
    )
    notify: Annotated[list[Literal["replies", "decisions"]], Field(max_length=2)] = Field(
        default_factory=list,
        description="Mail the author of replies to their comments (`replies`) and of "
        "moderators' decisions on them (`decisions`). Needs `author_email` (or a reader token "
        "with an email); an address not confirmed yet is sent a confirmation link first, and "
        "nothing else until it is followed.",
    )
    lang: Literal["en", "fr", "nl", "de"] = Field(
        default="en", description="The language of the mails the author is sent."
    )


class EditComment(Request):
    """The author's new text."""

    body: CommentBody


def _with_body_of(model: type[M], max_chars: int) -> type[M]:
    if max_chars == DEFAULT_MAX_COMMENT:
        return model
    body: Any = Annotated[
        str,
        Field(
            max_length=max_chars,
            pattern=VISIBLE,
            title="comment",
            description="Plain text with light formatting.",
        ),
        AfterValidator(normalised),
    ]
    return create_model(model.__name__, __base__=model, __doc__=model.__doc__, body=(body, ...))


@cache
def submit_comment(max_chars: int) -> type[SubmitComment]:
    """The body of a submission where comments are at most ``max_chars`` long."""
    return _with_body_of(SubmitComment, max_chars)


@cache
def edit_comment(max_chars: int) -> type[EditComment]:
    """The body of an author's edit where comments are at most ``max_chars`` long."""
    return _with_body_of(EditComment, max_chars)


ArticleKeys = Annotated[list[ArticleKey], Field(min_length=1, max_length=MAX_COUNT_KEYS)]


class CountsQuery(Query):
    """The articles whose counts are asked for, repeated: ``?article=A&article=B``."""

    article: ArticleKeys


class CountsBody(Request):
    """The same as a body, for lists too long for an address."""

    articles: ArticleKeys


NoticeCategory = Literal[
    "child_sexual_abuse",
    "terrorism",
    "hate_speech",
    "defamation",
    "privacy",
    "intellectual_property",
    "fraud",
    "other",
]


class FlagComment(Request):
    """A reader's report. With reason `illegal` it is a notice of illegal content (DSA Art. 16)
    and needs `category`, `law`, `explanation`, `notifier_name` and `notifier_email` (both may be
    left out for `child_sexual_abuse` only) and `good_faith: true`; an incomplete notice is
    refused naming the missing field."""

    reason: FlagReason
    note: Note | None = None
    category: NoticeCategory | None = Field(default=None, description="Notices: the kind.")
    law: Annotated[str, Field(max_length=300)] | None = Field(
        default=None, description="Notices: the law broken, or the kind of illegality."
    )
    explanation: Explanation | None = Field(
        default=None, description="Notices: why the comment is illegal."
    )
    notifier_name: Name | None = None
    notifier_email: OptionalEmail = None
    good_faith: bool = Field(
        default=False,
        description="Notices: the notifier believes in good faith that it is accurate.",
    )
    lang: Literal["en", "fr", "nl", "de"] = Field(
        default="en", description="The language of the notifier's mails."
    )


class FileAppeal(Request):
    """The author contests the decision on their comment (DSA Art. 20)."""

    body: Annotated[str, Field(min_length=1, max_length=2000)]


class AssessNotice(Request):
    """A moderator's assessment of a notice of illegal content."""

    assessment: Literal["illegal", "house_rules", "no_action"]
    legal_ground: Annotated[str, Field(max_length=1000)] | None = Field(
        default=None, description="Required for `illegal`: the law it breaks."
    )
    reason: ReasonCode | None = Field(
        default=None, description="For `house_rules`: the rule broken (default `other`)."
    )
    explanation: Explanation | None = Field(default=None, description="For the author.")


class DecideAppeal(Request):
    """A moderator's decision on an appeal: `reverse` publishes the comment, `uphold` keeps
    the decision."""

    outcome: Literal["reverse", "uphold"]
    explanation: Explanation | None = Field(default=None, description="For the author.")


# --- The moderation API -----------------------------------------------------------------------


class QueueQuery(Query):
    """Which page of the queue: a view, an article, an order, a size, a cursor."""

    status: QueueView = "pending"
    article: ArticleKey | SkipJsonSchema[None] = None
    order: QueueOrder = Field(
        default="oldest",
        description="`spam`, `abuse`: highest spam or abuse score first (unscored last), then"
        " by id.",
    )
    limit: PageSize = 50
    cursor: Cursor | SkipJsonSchema[None] = None


OptionalExplanation = Annotated[
    Explanation | None, Field(description="For the author; shown as text.")
]
OptionalReason = Annotated[
    ReasonCode | None,
    Field(description="Why: `other` when not given (`spam` for a spam verdict)."),
]


class ApproveDecision(Request):
    """Approve: the comment is public."""

    action: Literal["approve"]
    explanation: OptionalExplanation = None


class RestoreDecision(Request):
    """Restore a rejected comment or spam to the queue, to be decided again."""

    action: Literal["restore"]
    explanation: OptionalExplanation = None


class RejectDecision(Request):
    """Reject, saying why."""

    action: Literal["reject"]
    reason: OptionalReason = None
    explanation: OptionalExplanation = None


class SpamDecision(Request):
    """Mark as spam (the spam score learns from it)."""

    action: Literal["spam"]
    reason: OptionalReason = None
    explanation: OptionalExplanation = None


class FeatureDecision(Request):
    """Feature: an editor's pick, approved and shown first in the thread."""

    action: Literal["feature"]
    explanation: OptionalExplanation = None


class UnfeatureDecision(Request):
    """No longer featured; it stays approved."""

    action: Literal["unfeature"]
    explanation: OptionalExplanation = None


AnyDecision = (
    ApproveDecision
    | RejectDecision
    | SpamDecision
    | RestoreDecision
    | FeatureDecision
    | UnfeatureDecision
)
#: One decision; which fields it takes follows from its action (only a rejection or a spam
#: verdict says why).
Decision = Annotated[AnyDecision, Field(discriminator="action")]
CommentIds = Annotated[list[Id], Field(min_length=1, max_length=MAX_BULK)]


class BulkApprove(ApproveDecision):
    ids: CommentIds


class BulkRestore(RestoreDecision):
    ids: CommentIds


class BulkReject(RejectDecision):
    ids: CommentIds


class BulkSpam(SpamDecision):
    ids: CommentIds


class BulkFeature(FeatureDecision):
    ids: CommentIds


class BulkUnfeature(UnfeatureDecision):
    ids: CommentIds


AnyBulkDecision = BulkApprove | BulkReject | BulkSpam | BulkRestore | BulkFeature | BulkUnfeature
#: The same decision for many comments.
BulkDecision = Annotated[AnyBulkDecision, Field(discriminator="action")]


_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


def _rfc3339(value: Any) -> Any:
    # A time with its zone, as RFC 3339 writes it ("2026-12-31T23:00:00Z"): nothing looser.
    if not isinstance(value, str):
        return value
    parsed = None
    if _RFC3339.fullmatch(value):
        with contextlib.suppress(ValueError):  # a date that does not exist, like February 30
            parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    if parsed is None:
        raise PydanticCustomError("datetime_format", "not an RFC 3339 time")
    return parsed


#: The end of a ban: an RFC 3339 time with its zone, in the future.
BanEnd = Annotated[
    datetime | None,
    BeforeValidator(_rfc3339),
    Field(description="When the ban ends (RFC 3339, in the future); null: never."),
]


BanReason = Annotated[
    ReasonCode | None,
    Field(description="The reason, as a decision's reason code, logged with the measure."),
]
RejectPending = Annotated[
    bool,
    Field(description="Also reject, at once, the author's comments awaiting a decision."),
]


class FindAuthors(Query):
    """Who to find: the authors who match every one given (none given: no one)."""

    name: Name | SkipJsonSchema[None] = Field(
        default=None, description="A name they commented under (whole, any case)."
    )
    email: Email | SkipJsonSchema[None] = Field(
        default=None, description="An email they commented with (whole, any case)."
    )
    ip_of_comment: QueryId | SkipJsonSchema[None] = Field(
        default=None, description="The authors who wrote from the address this comment came from."
    )


class AuthorPageQuery(Query):
    limit: PageSize = Field(default=30, description="Comments a page.")
    cursor: Cursor | SkipJsonSchema[None] = None


class SetStanding(Request):
    """Always pre-moderate an author, or trust them, from now on (until `until`)."""

    standing: Literal["premoderated", "trusted"]
    reason_code: BanReason = None
    reason: Explanation | None = None
    until: Annotated[
        datetime | None,
        BeforeValidator(_rfc3339),
        Field(description="When it ends (RFC 3339, in the future); null: until lifted."),
    ] = None


class AddNote(Request):
    """A note about an author, for the site's moderators."""

    body: Annotated[
        str,
        Field(max_length=2000, pattern=VISIBLE, title="note"),
        AfterValidator(normalised),
    ]


class EmailBan(Request):
    """Ban an email address: given, or that of a comment."""

    model_config = ConfigDict(
        json_schema_extra={
            "anyOf": [
                {
                    "required": ["email"],
                    "properties": {"email": {"type": "string", "minLength": 1}},
                },
                {"required": ["comment_id"], "properties": {"comment_id": {"type": "integer"}}},
            ]
        }
    )

    kind: Literal["email"]
    email: OptionalEmail = None
    comment_id: Id | None = None
    reason: Explanation | None = None
    expires_at: BanEnd = None
    reason_code: BanReason = None
    reject_pending: RejectPending = False

    @model_validator(mode="after")
    def _names_an_address(self) -> EmailBan:
        if self.email is None and self.comment_id is None:
            raise PydanticCustomError(
                "email_or_comment",
                "Give the email address, or a comment that has one.",
                {"field": "email"},
            )
        return self


class AuthorBan(Request):
    """Ban the author of a comment (their identity: email if they gave one, else their name)."""

    kind: Literal["author"]
    comment_id: Id
    reason: Explanation | None = None
    expires_at: BanEnd = None
    reason_code: BanReason = None
    reject_pending: RejectPending = False


class AddressBan(Request):
    """Ban the address a comment came from."""

    kind: Literal["ip"]
    comment_id: Id
    reason: Explanation | None = None
    expires_at: BanEnd = None
    reason_code: BanReason = None
    reject_pending: RejectPending = False


CreateBan = Annotated[EmailBan | AuthorBan | AddressBan, Field(discriminator="kind")]


def _rule_type(name: str, default: Any) -> Any:
    if isinstance(default, bool):
        return bool
    if isinstance(default, int):
        return Annotated[int, Field(ge=0, le=maximum_of(name))]
    if isinstance(default, float):
        return Annotated[float, Field(ge=0, le=1)]
    word = Annotated[str, Field(max_length=MAX_WORD_CHARS)]
    return Annotated[list[word], Field(max_length=MAX_WORDS)]  # type: ignore[valid-type]


def _rule_fields() -> dict[str, Any]:
    defaults = RuleSettings()
    return {
        f.name: (_rule_type(f.name, getattr(defaults, f.name)) | None, None)
        for f in dataclasses.fields(RuleSettings)
    }


#: Changes to a site's rule settings. Made from ``rules.RuleSettings``, the settings' one
#: declaration.
RulesPatch: type[Request] = create_model(
    "RulesPatch",
    __base__=Request,
    __doc__="Rule settings to override; null returns one to the configured default.",
    **_rule_fields(),
)


# --- The transparency report ------------------------------------------------------------------

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _query_day(value: Any) -> Any:
    """A day as a query gives it: ``2026-01-31``, nothing else (no time, no week date)."""
    if not isinstance(value, str):
        return value
    if not _DAY.fullmatch(value):
        raise PydanticCustomError("date_format", "give a date such as 2026-01-31")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise PydanticCustomError("date_format", "that day is not in the calendar") from None


ReportDay = Annotated[date, BeforeValidator(_query_day)]


class TransparencyQuery(Query):
    """The period of a transparency report: whole UTC days, both included, at most 366 of them
    (`to` not before `from`)."""

    start: ReportDay = Field(alias="from", title="first day", description="The first day (UTC).")
    end: ReportDay = Field(alias="to", title="last day", description="The last day (UTC).")
