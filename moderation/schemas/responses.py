"""What the service answers: every response body of the API, declared once.

Each shape is a ``TypedDict``: ``serializers`` builds them (mypy holds each builder to its
shape, key for key), pydantic writes them out (only the declared keys, whatever a builder put
in), and the OpenAPI document is generated from them. Building plain dicts and writing them with
pydantic's serializer measured faster than ``json.dumps`` (a page of 100 comments: 280 against
460 µs), where validating models would cost more.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import Field, WithJsonSchema
from typing_extensions import TypedDict

from ..models import FLAG_REASONS, Action, BanKind, Reason, Status
from ..rules import RuleSettings
from .fields import Timestamp

# Strings that are one of an enum's values: the models' enums are the lists.
StatusName = Annotated[str, WithJsonSchema({"type": "string", "enum": [m.value for m in Status]})]
ActionName = Annotated[str, WithJsonSchema({"type": "string", "enum": [m.value for m in Action]})]
ReasonName = Annotated[str, WithJsonSchema({"type": "string", "enum": [m.value for m in Reason]})]
FlagReasonName = Annotated[
    str, WithJsonSchema({"type": "string", "enum": [m.value for m in FLAG_REASONS]})
]
BanKindName = Annotated[str, WithJsonSchema({"type": "string", "enum": [m.value for m in BanKind]})]


class PublicComment(TypedDict):
    """A public comment: what anyone may read of it."""

    id: int
    parent_id: int | None
    depth: Annotated[int, Field(description="0 for a top-level comment.")]
    author_name: Annotated[str, Field(description="Plain text: render it as text, never HTML.")]
    avatar: Annotated[str, Field(description="A seed for an identicon; reveals nothing.")]
    html: Annotated[str, Field(description="Sanitized HTML: the only rendering of the body.")]
    created_at: Timestamp
    edited_at: Timestamp | None
    staff: Annotated[bool, Field(description="Written by the newsroom's staff.")]
    badges: Annotated[
        list[str], Field(description="Badges the site's login gave the author (plain text).")
    ]
    featured: Annotated[bool, Field(description="An editor's pick.")]
    reactions: Annotated[int, Field(description="Readers' reactions, one each.")]


class ThreadComment(PublicComment):
    """A comment of a thread, with its replies."""

    replies: list[ThreadComment]
    more_replies: NotRequired[
        Annotated[
            bool,
            Field(description="Only on a thread cut short; fetch the rest with `replies_to`."),
        ]
    ]


class ThreadArticle(TypedDict):
    key: str
    title: str | None
    url: str | None
    closed: bool


class ThreadSite(TypedDict):
    """What the widget needs of its site: who may comment, and the words it shows."""

    commenters: Annotated[
        Literal["guests", "readers", "mixed"],
        Field(
            description="`guests`: anyone; `readers`: only signed-in readers; `mixed`: both, "
            "guests' comments held for a moderator."
        ),
    ]
    login_url: Annotated[str | None, Field(description="Where a reader signs in.")]
    reaction_label: Annotated[str, Field(description="The reaction button's label.")]


class Thread(TypedDict):
    """A page of an article's public thread (empty for an article nobody commented on yet)."""

    site: ThreadSite
    article: ThreadArticle
    comments: list[ThreadComment]
    total: Annotated[int, Field(description="Public comments of the article, replies included.")]
    next_cursor: str | None


class Counts(TypedDict):
    """A count for every key asked (0 for articles unknown or without public comments)."""

    counts: dict[str, int]


class AuthorComment(PublicComment):
    """The author's own comment, whatever its status."""

    statement: Annotated[
        StatementOfReasons | None,
        Field(description="While the comment is removed or withheld by a decision: its reasons."),
    ]

    status: Annotated[
        StatusName,
        Field(
            description="`pending` also for a comment the rules took for spam, until a moderator "
            "decides (the moderation API shows the real status)."
        ),
    ]
    held_because: Annotated[
        list[str],
        Field(
            description="The site's policies that hold it (`premod`, `new_commenter`, "
            "`new_author_link`, `link_count`, `guest`); never the spam signals, which only "
            "moderators see."
        ),
    ]
    author_email: str | None
    body_text: Annotated[str, Field(description="The author's own text, to edit (as text).")]
    editable_until: Timestamp
    decision: Annotated[
        AuthorDecision | None,
        Field(
            description="Why a moderator did not publish it (a rejection or a spam verdict by a "
            "person); null otherwise."
        ),
    ]


class AppealState(TypedDict):
    """The author's appeal of a decision, and what came of it."""

    id: int
    status: Literal["open", "upheld", "reversed"]
    created_at: Timestamp
    decided_at: Timestamp | None
    outcome: Annotated[str | None, Field(description="The moderator's words, as text.")]


class StatementOfReasons(TypedDict):
    """Why the comment is removed or restricted (DSA Art. 17), for its author only."""

    restriction: Literal["removal", "demotion", "suspension", "ban"]
    action: ActionName
    reason: ReasonName | None
    facts: Annotated[str, Field(description="The facts and circumstances, as text.")]
    automated: Annotated[bool, Field(description="Decided by the site's rules, not a person.")]
    ground_kind: Literal["law", "house_rule"]
    ground: str
    decided_at: Timestamp
    appeal_until: Annotated[
        Timestamp, Field(description="Contest it with `POST /comments/{id}/appeals` until then.")
    ]
    appeal: AppealState | None


class AuthorDecision(TypedDict):
    """A moderator's decision as its author reads it."""

    action: ActionName
    reason: ReasonName | None
    explanation: Annotated[
        str | None, Field(description="The moderator's words to the author, as text.")
    ]
    decided_at: Timestamp


class MailNotice(TypedDict):
    """What the author asked to be mailed of, and whether their address is confirmed yet."""

    lists: list[Literal["replies", "decisions"]]
    confirmed: Annotated[
        bool,
        Field(
            description="false: a link to confirm the address was mailed to it (at most once an "
            "hour); nothing else is sent until it is followed."
        ),
    ]


class CreatedComment(TypedDict):
    """Stored; ``status`` says whether it is public yet. Keep ``edit_token`` to edit it."""

    comment: AuthorComment
    edit_token: str
    notify: MailNotice | None


class OwnComment(TypedDict):
    comment: AuthorComment


class FlagReceipt(TypedDict):
    comment_id: int
    reason: FlagReasonName
    note: str | None
    created_at: Timestamp


class NoticeReceipt(TypedDict):
    """A notice of illegal content, received (DSA Art. 16(4))."""

    id: Annotated[str, Field(description="Quote it in any message about the notice.")]
    email_sent: Annotated[bool, Field(description="A confirmation is mailed to the notifier.")]


class FlagCreated(TypedDict):
    """The report, received."""

    flag: FlagReceipt
    receipt: NoticeReceipt | None


# --- The moderation API -----------------------------------------------------------------------


class ReaderReport(TypedDict):
    reason: FlagReasonName
    note: str | None
    created_at: Timestamp
    resolved: bool


class LogEntry(TypedDict):
    """One entry of the decision log."""

    id: int
    comment_id: int
    actor: Annotated[
        str,
        Field(description="`token:<label>`, `moderator:<email>`, `author` or `system:<rule>`."),
    ]
    action: ActionName
    from_status: StatusName | None
    to_status: StatusName
    reason: ReasonName | None
    explanation: str | None
    created_at: Timestamp


class ArticleRef(TypedDict):
    key: str
    title: str | None
    url: str | None


class ModeratorComment(PublicComment):
    """Everything a moderator needs to decide: the author's email, the original text (to show as
    text), reader reports and the comment's log."""

    status: StatusName
    held_because: list[str]
    spam_score: Annotated[
        float | None,
        Field(description="Learned probability of spam; null until the site has taught it."),
    ]
    abuse_score: Annotated[
        float | None,
        Field(
            description="Learned probability of a rejection for abuse (or off topic, personal"
            " data, illegal, other); null until the site has taught it."
        ),
    ]
    author_email: str | None
    author_key: Annotated[str, Field(description="Stable keyed hash of the author's identity.")]
    body_text: Annotated[str, Field(description="What the author typed: show it as text only.")]
    decided_at: Timestamp | None
    open_flag_count: int
    article: ArticleRef
    flags: list[ReaderReport]
    history: list[LogEntry]


class QueuePage(TypedDict):
    """A page of the queue. Its ETag changes with anything the page shows (a new comment, an
    edit, a report, a decision), so a tool polling the queue can send ``If-None-Match`` and get a
    304 until then."""

    comments: list[ModeratorComment]
    next_cursor: str | None


class Decided(TypedDict):
    """The comment as it is now."""

    comment: ModeratorComment


class DecidedMany(TypedDict):
    """The comments as they are now, in the order asked."""

    comments: list[ModeratorComment]


class Ban(TypedDict):
    id: int
    kind: BanKindName
    label: str
    reason: str | None
    comment_id: int | None
    created_by: str
    created_at: Timestamp
    expires_at: Timestamp | None


class BanCreated(TypedDict):
    """Banned."""

    ban: Ban


class Bans(TypedDict):
    """The bans in force, newest first."""

    bans: list[Ban]


class AuthorStanding(TypedDict):
    """A moderator's word on an author: every comment held (`premoderated`), or their record's
    holds waived (`trusted`)."""

    standing: Literal["premoderated", "trusted"]
    reason: str | None
    created_by: str
    created_at: Timestamp
    expires_at: Timestamp | None


class AuthorNote(TypedDict):
    """A moderator's note about an author, for the site's moderators only."""

    id: int
    body: Annotated[str, Field(description="Plain text: show it as text, never as HTML.")]
    created_by: str
    created_at: Timestamp


class AuthorTally(TypedDict):
    approved: int
    rejected: int
    spam: int
    total: int


class Author(TypedDict):
    """One author on one site: who, their record, the measures about them and the notes."""

    author_key: str
    name: str
    names: list[str]
    emails: list[str]
    record: AuthorTally
    standing: AuthorStanding | None
    bans: list[Ban]
    notes: list[AuthorNote]


class AuthorAnswer(TypedDict):
    """The author, with a page of their comments, newest first."""

    author: Author
    comments: list[ModeratorComment]
    next_cursor: str | None


class FoundAuthor(TypedDict):
    author_key: str
    name: Annotated[str, Field(description="The name of their latest matching comment.")]
    comments: int
    last_at: Timestamp


class FoundAuthors(TypedDict):
    """The authors found, the most recent first."""

    authors: list[FoundAuthor]


class StandingSet(TypedDict):
    """The author's standing now."""

    standing: AuthorStanding


class NoteAdded(TypedDict):
    """Noted."""

    note: AuthorNote


class Rules(TypedDict):
    """The site's screening rules: the settings in force and the site's own overrides."""

    rules: RuleSettings
    overrides: Annotated[dict[str, object], Field(description="The settings this site sets.")]


# --- The service ------------------------------------------------------------------------------


class Health(TypedDict):
    """The service's state: ``ok``; ``degraded`` (it answers, a shared cache or limit store
    does not, and the process's own stands in); or ``unavailable`` (its database does not
    answer, or its storage is full)."""

    status: Literal["ok", "degraded", "unavailable"]
    database: Literal["ok", "unreachable"]
    storage: Literal["ok", "full"]
    cache: Literal["ok", "degraded"]
    limits: Literal["ok", "degraded"]


class FieldError(TypedDict):
    field: str
    message: str


class ErrorBody(TypedDict):
    code: str
    message: Annotated[str, Field(description="For a person: what went wrong and what to do.")]
    field: NotRequired[Annotated[str, Field(description="The request field at fault.")]]
    fields: NotRequired[
        Annotated[
            list[FieldError],
            Field(
                description="`validation_error` of a body with more than one field at fault: "
                "each of them, the first being `field` and `message`."
            ),
        ]
    ]
    ids: NotRequired[Annotated[list[int], Field(description="The ids not found.")]]
    login_url: NotRequired[
        Annotated[str | None, Field(description="`sign_in_required`: where to sign in.")]
    ]


class Error(TypedDict):
    """Every 4xx and 5xx."""

    error: ErrorBody


# --- Readers ----------------------------------------------------------------------------------


class ReactionCount(TypedDict):
    """The comment's reactions after this one was given or taken back."""

    comment_id: int
    reactions: int
    reacted: Annotated[bool, Field(description="Whether this reader now reacts to it.")]


class SignedInReader(TypedDict):
    name: str
    badges: list[str]
    staff: bool


class ReaderView(TypedDict):
    """The signed-in reader, as the site's token names them."""

    reader: SignedInReader


# --- A reader's own data (GDPR) ---------------------------------------------------------------


class ExportedReader(TypedDict):
    """The reader's account, as the site's login last named them."""

    subject: str
    name: str
    email: str | None
    badges: list[str]
    created_at: Timestamp


class ExportedDecision(TypedDict):
    """A decision on one of the reader's comments, without who took it."""

    action: ActionName
    reason: ReasonName | None
    explanation: str | None
    created_at: Timestamp


class ExportedArticle(TypedDict):
    key: str
    url: str | None
    title: str | None


class ExportedComment(TypedDict):
    """One of the reader's comments, whatever its status, with all that is kept of it."""

    id: int
    article: ExportedArticle
    parent_id: int | None
    status: StatusName
    author_name: str
    author_email: str | None
    body_text: Annotated[str, Field(description="What the reader typed.")]
    html: str
    created_at: Timestamp
    edited_at: Timestamp | None
    decisions: list[ExportedDecision]


class ExportedSubscription(TypedDict):
    """A mail subscription of the reader's address."""

    email: str
    lists: list[str]
    lang: str
    confirmed_at: Timestamp | None


class ReaderExport(TypedDict):
    """Everything the site keeps of the signed-in reader (GDPR Art. 15 and 20)."""

    site: str
    exported_at: Timestamp
    reader: ExportedReader | None
    comments: list[ExportedComment]
    reports: Annotated[
        list[dict[str, Any]],
        Field(description="Reports they sent and left their address on (notices of the DSA)."),
    ]
    appeals: Annotated[list[dict[str, Any]], Field(description="Their appeals against decisions.")]
    mail: list[ExportedSubscription]
    reactions: Annotated[int, Field(description="Reactions their comments received.")]


class ReaderErased(TypedDict):
    """How many rows the erasure changed or removed (GDPR Art. 17)."""

    comments: Annotated[int, Field(description="Comments now shown as [deleted].")]
    readers: int
    mail_subscriptions: int
    author_notes: int
    idempotent_requests: int
    events: Annotated[int, Field(description="Outbox events whose copies were blanked.")]
    deliveries: int
    flags: int
    bans: int
    appeals: int


class CommentBrief(TypedDict):
    """The comment a notice or an appeal is about."""

    id: int
    status: StatusName
    author_name: str
    html: str
    body_text: str
    created_at: Timestamp
    article_key: str
    article_title: str | None
    article_url: str | None


class AppealCreated(TypedDict):
    """The appeal, received; a moderator other than the one who decided will answer."""

    appeal: AppealState


class Notice(TypedDict):
    """A notice of illegal content, as moderators handle it."""

    id: int
    receipt: str
    comment: CommentBrief
    category: str | None
    law: str | None
    explanation: str | None
    notifier_name: str | None
    notifier_email: str | None
    created_at: Timestamp
    assessment: Literal["illegal", "house_rules", "no_action"] | None
    legal_ground: str | None
    assessed_at: Timestamp | None
    assessed_by: str | None


class NoticeList(TypedDict):
    notices: list[Notice]


class NoticeAssessed(TypedDict):
    notice: Notice


class Appeal(TypedDict):
    """An appeal, as moderators decide it."""

    id: int
    comment: CommentBrief
    statement: StatementOfReasons
    body: Annotated[str, Field(description="The author's words, as text.")]
    status: Literal["open", "upheld", "reversed"]
    created_at: Timestamp
    decided_at: Timestamp | None
    decided_by: str | None
    outcome: str | None


class AppealList(TypedDict):
    appeals: list[Appeal]


class AppealDecided(TypedDict):
    appeal: Appeal


# --- The transparency report ------------------------------------------------------------------

Day = Annotated[str, WithJsonSchema({"type": "string", "format": "date"})]
Tally = Annotated[dict[str, int], Field(description="A count for each key.")]
Hours = Annotated[float | None, Field(description="Hours; null when there was nothing to time.")]

#: Whole UTC days, both included (``from`` is a keyword, so the functional form).
ReportPeriod = TypedDict("ReportPeriod", {"from": Day, "to": Day})


class NoticeFigures(TypedDict):
    """Notices of illegal content received (DSA Art. 16) and how they were handled."""

    received: int
    by_category: Tally
    by_handling: Annotated[
        dict[str, int], Field(description="`illegal`, `house_rules`, `no_action` and `open`.")
    ]
    median_hours_to_act: Hours


class ReportFigures(TypedDict):
    """Readers' ordinary reports (not notices), by reason."""

    received: int
    by_reason: Tally


class RestrictionFigures(TypedDict):
    """Decisions that removed or withheld a comment: rejections, spam, rules' holds."""

    total: int
    by_reason: Tally
    by_automation: Annotated[dict[str, int], Field(description="`automated` and `human`.")]
    by_action: Tally


class StatementFigures(TypedDict):
    """Statements of reasons issued (DSA Art. 17)."""

    issued: int
    by_restriction: Tally
    by_ground: Annotated[dict[str, int], Field(description="`law` and `house_rule`.")]
    by_reason: Tally
    automated: int


class AppealFigures(TypedDict):
    """Appeals received (DSA Art. 20) and their outcome."""

    received: int
    by_outcome: Annotated[dict[str, int], Field(description="`open`, `upheld`, `reversed`.")]
    median_hours_to_decide: Hours


class BanFigures(TypedDict):
    """Bans and suspensions: the decisions logged and the ban records created."""

    decisions: int
    by_action: Annotated[dict[str, int], Field(description="`ban` and `suspend`.")]
    records: int
    temporary_records: int


class TransparencyReport(TypedDict):
    """A site's transparency report (DSA Art. 15 and 24) over whole UTC days."""

    site: str
    period: ReportPeriod
    generated_at: Timestamp
    notices: NoticeFigures
    reports: ReportFigures
    restrictions: RestrictionFigures
    statements: StatementFigures
    appeals: AppealFigures
    bans: BanFigures
