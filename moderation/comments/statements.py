"""Statements of reasons (DSA Art. 17): every decision that removes or restricts a comment or its
author says why, as it is made.

Written by the decision log's one writer (``writes.log``), so no path that rejects, marks spam,
holds by a rule or bans can forget one. A statement names the facts (the moderator's own words
when they gave some, else what the rule saw), whether a person or the system decided, the ground
(the law, for illegal content, or the house rule), and how to contest it (an appeal for six
months, see ``appeals``). Only the comment's author reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Action, Reason, Restriction, Statement, Status, utcnow
from ..outbox.events import LogEntry

#: How long a decision can be contested (DSA Art. 20(1): at least six months).
APPEAL_WINDOW = timedelta(days=183)

_RESTRICTION = {
    Action.REJECT: Restriction.REMOVAL,
    Action.SPAM: Restriction.REMOVAL,
    Action.HOLD: Restriction.DEMOTION,
    Action.BAN: Restriction.BAN,
    Action.SUSPEND: Restriction.SUSPENSION,
}
#: The holds every comment of a site goes through by its policy (pre-moderation, a first
#: comment, a guest, a comment that did not come through the widget): not a finding about the
#: comment, so no statement (nothing to contest until a moderator decides).
POLICY_HOLDS = frozenset(
    {"premod", "new_commenter", "guest", "author_premoderated", "no_form_token"}
)

#: The house rules in words, by reason code (and by the rule for the system's own holds).
HOUSE_RULES = {
    Reason.SPAM: "No spam or advertising.",
    Reason.ABUSE: "No abuse, insults or harassment.",
    Reason.OFF_TOPIC: "Stay on the article's topic.",
    Reason.ILLEGAL: "Nothing illegal.",
    Reason.PERSONAL_DATA: "No one's personal data without their consent.",
    Reason.OTHER: "The site's rules for comments.",
}
#: The rules' own holds in words, by the rule's name (``rules.py``'s findings).
RULES = {
    "blocked_word": "Words the site does not accept.",
    "suspect_word": "Words a moderator looks at before publication.",
    "link_count": "At most a few links per comment.",
    "new_author_link": "Links from new commenters are checked first.",
    "repeat": "No repeated posting of the same text.",
    "reports": "Comments several readers reported are checked by a moderator.",
    "spam_score": "No spam or advertising.",
    "abuse_score": "No abuse, insults or harassment.",
    "akismet": "No spam or advertising.",
    "honeypot": "No automated posting.",
    "too_fast": "No automated posting.",
    "rejection_history": "Authors whose comments were rejected before are checked first.",
}


class Entry(LogEntry, Protocol):
    """A decision log entry as ``writes.log`` writes it: the outbox's view of one, with who
    decided and the legal ground."""

    @property
    def moderator_id(self) -> int | None: ...
    @property
    def legal_ground(self) -> str | None: ...


def _rule_of(actor: str) -> str | None:
    kind, _, rule = actor.partition(":")
    return rule if kind == "system" else None


def statement_for(entry: Entry) -> Statement | None:
    """The statement an entry owes, or None when it restricts nothing."""
    restriction = _RESTRICTION.get(entry.action)
    if restriction is None:
        return None
    rule = _rule_of(entry.actor)
    if entry.action is Action.HOLD and (rule is None or rule in POLICY_HOLDS):
        return None
    if entry.reason is Reason.ILLEGAL:
        ground_kind = "law"
        ground = entry.legal_ground or "The law named in the notice of illegal content."
    else:
        ground_kind = "house_rule"
        if entry.reason is not None:
            ground = HOUSE_RULES[entry.reason]
        else:
            ground = RULES.get(rule or "", HOUSE_RULES[Reason.OTHER])
    facts = entry.explanation or (
        f"The rule {rule!r} found: held for a moderator." if rule else "Decided by a moderator."
    )
    return Statement(
        site_id=entry.site_id,
        comment_id=entry.comment_id,
        restriction=restriction,
        action=entry.action,
        reason=entry.reason,
        facts=facts,
        automated=rule is not None,
        ground_kind=ground_kind,
        ground=ground,
        actor=entry.actor if rule is not None else entry.actor.partition(":")[0],
        moderator_id=entry.moderator_id,
        created_at=utcnow(),
    )


def from_log(session: Session, entries: Sequence[Entry]) -> None:
    """The statements the log entries just written owe, in the same transaction."""
    found = [s for s in map(statement_for, entries) if s is not None]
    if found:
        session.add_all(found)
        session.flush()


def for_author(session: Session, comment_id: int, status: Status) -> Statement | None:
    """The statement the author reads: the latest of a comment that is still removed or
    withheld (once a moderator publishes it, nothing restricts it any more)."""
    if status in (Status.APPROVED, Status.PUBLISHED, Status.DELETED):
        return None
    return session.scalar(
        select(Statement)
        .where(Statement.comment_id == comment_id)
        .order_by(Statement.id.desc())
        .limit(1)
    )


def appeal_until(statement: Statement) -> datetime:
    """When the statement can no longer be contested."""
    return statement.created_at + APPEAL_WINDOW
