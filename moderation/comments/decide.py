"""Moderators' decisions: which action applies to which status, one or many comments at once
(all or none), and what the spam and abuse scores learn from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import spam
from ..errors import InvalidTransition, NotFound, ValidationError
from ..models import Action, Comment, Reason, Status
from . import screening
from .status import change_status

#: Which statuses each moderator action may start from, and where it leads.
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
    # An editor's pick is approved and shown first; unfeatured, it stays approved.
    Action.FEATURE: (
        frozenset({Status.PENDING, Status.PUBLISHED, Status.APPROVED}),
        Status.APPROVED,
    ),
    Action.UNFEATURE: (frozenset({Status.APPROVED}), Status.APPROVED),
}
#: What featuring and unfeaturing set ``Comment.featured`` to.
FEATURING = {Action.FEATURE: True, Action.UNFEATURE: False}
#: The actions that say why (a reason code); the reason when none is given.
DEFAULT_REASON = {Action.REJECT: Reason.OTHER, Action.SPAM: Reason.SPAM}
MAX_BULK = 200

# How a refusal words each action: "Comment 12 is already approved.", "Comment 3 is deleted; it
# cannot be restored."
_ALREADY = {
    Action.APPROVE: "approved",
    Action.REJECT: "rejected",
    Action.SPAM: "marked as spam",
    Action.RESTORE: "in the queue",
    Action.FEATURE: "featured",
    Action.UNFEATURE: "not featured",
}
_DONE = {**_ALREADY, Action.RESTORE: "restored", Action.UNFEATURE: "unfeatured"}
# How a refusal words a status the action cannot start from ("is marked as spam", "is deleted").
_STATUS_WORDS = {Status.SPAM: "marked as spam"}


def allowed_actions(status: Status, reported: bool = False) -> list[Action]:
    """The moderator actions that can start from ``status``, in the order buttons show them.

    A reported comment that is already approved can be approved again: kept up, its reports
    answered (``decide(keep_reported=True)``).
    """
    actions = [
        a
        for a, (sources, _target) in TRANSITIONS.items()
        if status in sources and a not in FEATURING
    ]
    if reported and status is Status.APPROVED:
        actions.insert(0, Action.APPROVE)
    return actions


def feature_action(status: Status, featured: bool) -> Action | None:
    """Feature or unfeature, whichever applies to a comment (None: neither)."""
    if featured:
        return Action.UNFEATURE
    return Action.FEATURE if status in TRANSITIONS[Action.FEATURE][0] else None


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
    legal_ground: str | None = None,
) -> list[Comment]:
    """Apply one moderator action to one or many comments, all or none.

    ``site_id`` limits the decision to one site's comments (an API token's), ``site_ids`` to
    several (a dashboard moderator's); a comment of another site is reported as not found, so its
    existence does not leak. With ``keep_reported``, approving an already approved comment that
    readers reported is allowed: it stays up and their reports count as answered (the dashboard's
    flagged tab needs a way to clear a report it disagrees with).
    """
    if action not in TRANSITIONS:
        raise ValidationError(
            "action", "action must be approve, reject, spam, restore, feature or unfeature."
        )
    if reason is not None and action not in DEFAULT_REASON:
        raise ValidationError("reason", "Only a rejection or a spam verdict takes a reason.")
    ids = list(dict.fromkeys(comment_ids))
    if not ids:
        raise ValidationError("ids", "Name at least one comment.")
    if len(ids) > MAX_BULK:
        raise ValidationError("ids", f"At most {MAX_BULK} comments per decision.")
    stmt = select(Comment).where(Comment.id.in_(ids))
    if site_id is not None:
        stmt = stmt.where(Comment.site_id == site_id)
    if site_ids is not None:
        stmt = stmt.where(Comment.site_id.in_(list(site_ids)))
    comments = {c.id: c for c in session.scalars(stmt.with_for_update())}
    missing = [i for i in ids if i not in comments]
    if missing:
        raise NotFound(
            f"No such comment: {', '.join(map(str, missing))}.", details={"ids": missing}
        )
    sources, target = TRANSITIONS[action]
    kept = keep_reported and action is Action.APPROVE
    featuring = FEATURING.get(action)
    stuck = [
        c
        for c in comments.values()
        if (c.status not in sources or c.featured is featuring)
        and not (kept and c.status is Status.APPROVED and c.open_flag_count > 0)
    ]
    if stuck:
        raise InvalidTransition(_why_stuck(action, target, stuck))
    reason = reason or DEFAULT_REASON.get(action)
    ordered = [comments[i] for i in ids]
    first_decisions = [c for c in ordered if c.decided_at is None]
    change_status(
        session,
        ordered,
        target,
        actor=actor,
        action=action,
        moderator_id=moderator_id,
        reason=reason,
        explanation=explanation,
        legal_ground=legal_ground if reason is Reason.ILLEGAL else None,
    )
    if featuring is not None:
        for comment in ordered:
            comment.featured = featuring
    _learn(session, first_decisions, action, reason)
    return ordered


def _why_stuck(action: Action, target: Status, stuck: Sequence[Comment]) -> str:
    """Why the action does not apply, in words: "Comment 12 is already approved."."""
    featuring = FEATURING.get(action)
    if featuring is not None:
        already = [c.id for c in stuck if c.featured is featuring]
        other = [c for c in stuck if c.featured is not featuring]
    else:
        already = [c.id for c in stuck if c.status is target]
        other = [c for c in stuck if c.status is not target]
    parts = []
    if already:
        listed = ", ".join(map(str, already))
        noun = "Comment" if len(already) == 1 else "Comments"
        verb = "is" if len(already) == 1 else "are"
        already_word = "" if action is Action.UNFEATURE else "already "
        parts.append(f"{noun} {listed} {verb} {already_word}{_ALREADY[action]}.")
    by_status: dict[Status, list[int]] = defaultdict(list)
    for comment in other:
        by_status[comment.status].append(comment.id)
    for status, ids in by_status.items():
        listed = ", ".join(map(str, ids))
        one = len(ids) == 1
        subject = f"Comment {listed} is" if one else f"Comments {listed} are"
        pronoun = "it" if one else "they"
        parts.append(
            f"{subject} {_STATUS_WORDS.get(status, status.value)}; "
            f"{pronoun} cannot be {_DONE[action]}."
        )
    return " ".join(parts)


def _learn(
    session: Session, comments: Sequence[Comment], action: Action, reason: Reason | None
) -> None:
    """Teach the learned scores a moderator's first verdict on each comment: an approval is ham
    for both; a spam decision (or a rejection for spam) is spam, and teaches the abuse score
    nothing; every other rejection (abuse, off topic, personal data, illegal, other) is abuse,
    and teaches the spam score nothing."""
    label: spam.Label
    if action in (Action.APPROVE, Action.FEATURE):
        label = "ham"
    elif action is Action.SPAM or (action is Action.REJECT and reason is Reason.SPAM):
        label = "spam"
    elif action is Action.REJECT:
        label = "abuse"
    else:
        return
    by_site: dict[int, list[tuple[Comment, spam.Label]]] = defaultdict(list)
    for comment in comments:
        by_site[comment.site_id].append((comment, label))
    for site_id, labelled in by_site.items():
        screening.learn(session, site_id, labelled)
