"""Reading the dashboard's forms and query strings, and the words people see for each code.

Everything a browser sends is checked here, field by field, before a view calls ``queue`` or
``admin``; a bad field raises :class:`~moderation.api.errors.ApiError` naming it, which a form view
shows beside the form and the JSON endpoint returns in the API's error shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

from .. import validate as v
from ..api.errors import validation_error
from ..models import MODERATOR_ACTIONS, Action, ModerationMode, Reason, Status
from ..queue import MAX_BULK, QUEUE_VIEWS, TRANSITIONS

VIEW_LABELS = {
    "pending": "Pending",
    "flagged": "Flagged",
    "unreviewed": "Unreviewed",
    "approved": "Approved",
    "rejected": "Rejected",
    "spam": "Spam",
}
assert tuple(VIEW_LABELS) == QUEUE_VIEWS

ACTION_LABELS = {
    Action.APPROVE: "Approve",
    Action.REJECT: "Reject",
    Action.SPAM: "Spam",
    Action.RESTORE: "Restore",
    Action.HOLD: "Held",
    Action.PUBLISH: "Published",
    Action.EDIT: "Edited",
    Action.DELETE: "Deleted",
}

# Worded for the author: the explanation a moderator adds goes with it.
REASON_LABELS = {
    Reason.SPAM: "Spam or advertising",
    Reason.ABUSE: "Abusive or hateful",
    Reason.OFF_TOPIC: "Off topic",
    Reason.ILLEGAL: "Possibly illegal",
    Reason.PERSONAL_DATA: "Reveals personal data",
    Reason.OTHER: "Breaks the house rules",
}

ORDERS = ("oldest", "newest", "spam")
MODES = ("", "pre", "post")  # "" follows the site's mode
MAX_SEARCH = 200


def actions_for(status: Status, reported: bool = False) -> list[Action]:
    """The moderator actions that can start from ``status``, in the order buttons show them.

    A reported comment that is already approved can be approved again: kept up, its reports
    answered (``queue.decide(keep_reported=True)``).
    """
    actions = [a for a in MODERATOR_ACTIONS if status in TRANSITIONS[a][0]]
    if reported and status is Status.APPROVED:
        actions.insert(0, Action.APPROVE)
    return actions


@dataclass(frozen=True)
class DecisionRequest:
    ids: list[int]
    action: Action
    reason: Reason | None
    explanation: str | None


def decision_request(ids: Sequence[Any], data: Mapping[str, Any]) -> DecisionRequest:
    """Check a decision on one or many comments: ids, action, reason, explanation."""
    checked: list[int] = []
    for raw in ids:
        number = raw if isinstance(raw, int) and not isinstance(raw, bool) else _digits(raw)
        if number is None or not 0 < number < 2**62:
            raise validation_error("ids", "ids must be comment ids.")
        checked.append(number)
    if not checked:
        raise validation_error("ids", "Select at least one comment.")
    if len(checked) > MAX_BULK:
        raise validation_error("ids", f"At most {MAX_BULK} comments per decision.")
    fields = {k: (None if data.get(k) in ("", None) else data.get(k)) for k in data}
    action = v.choice(fields, "action", tuple(a.value for a in MODERATOR_ACTIONS))
    reason = v.optional_choice(fields, "reason", tuple(r.value for r in Reason))
    explanation = v.optional_text_field(
        fields, "explanation", max_length=v.MAX_EXPLANATION, label="explanation"
    )
    if action not in (Action.REJECT, Action.SPAM):
        reason = None  # only a rejection says why
    return DecisionRequest(checked, Action(action), Reason(reason) if reason else None, explanation)


def _digits(raw: Any) -> int | None:
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) < 19:
        return int(raw)
    return None


def optional_id(args: Mapping[str, Any], name: str) -> int | None:
    """A positive id from a query string or form; None when absent or empty."""
    raw = args.get(name)
    if raw in (None, ""):
        return None
    number = raw if isinstance(raw, int) and not isinstance(raw, bool) else _digits(raw)
    if number is None or number < 1:
        raise validation_error(name, f"{name} must be a number.")
    return number


def one_of(args: Mapping[str, Any], name: str, allowed: Sequence[str], default: str) -> str:
    raw = args.get(name) or default
    if raw not in allowed:
        raise validation_error(name, f"{name} must be one of {', '.join(allowed)}.")
    return str(raw)


def search_text(args: Mapping[str, Any], name: str = "q") -> str | None:
    raw = args.get(name)
    if not isinstance(raw, str) or not raw.strip():
        return None
    value = v.optional_text_field({name: raw}, name, max_length=MAX_SEARCH, label="search")
    return value


def local_next(target: str | None, default: str) -> str:
    """Where to go after a form: only a dashboard address on this host (never an open redirect)."""
    if not target or "\\" in target or any(ord(c) < 32 for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/dashboard/"):
        return default
    return target


# --- Admin forms ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SiteForm:
    slug: str
    name: str
    origins: list[str]
    mode: str
    edit_window_minutes: int
    closed: bool


def site_form(form: MultiDict[str, str]) -> SiteForm:
    """A site's fields; origins one per line. ``admin`` checks what they mean."""
    window_raw = (form.get("edit_window_minutes") or "").strip()
    if not window_raw.isascii() or not window_raw.isdigit() or len(window_raw) > 6:
        raise validation_error("edit_window_minutes", "The edit window is a number of minutes.")
    mode = form.get("mode", "pre")
    if mode not in (m.value for m in ModerationMode):
        raise validation_error("mode", "Choose pre- or post-moderation.")
    return SiteForm(
        slug=(form.get("slug") or "").strip(),
        name=(form.get("name") or "").strip(),
        origins=[line.strip() for line in (form.get("origins") or "").splitlines() if line.strip()],
        mode=mode,
        edit_window_minutes=int(window_raw),
        closed=form.get("closed") == "on",
    )


def mode_choice(form: Mapping[str, Any]) -> ModerationMode | None:
    """An article's mode: pre, post, or "" to follow its site."""
    raw = form.get("mode", "")
    if raw not in MODES:
        raise validation_error("mode", "Choose the site's mode, pre- or post-moderation.")
    return ModerationMode(raw) if raw else None


# --- Screening rules --------------------------------------------------------------------------

#: Every rule setting as the site page shows it, in the order the rules run.
RULE_LABELS = {
    "blocked_words": "Blocked words and phrases (one per line): the comment is rejected",
    "suspect_words": "Suspect words and phrases (one per line): the comment is held",
    "min_length": "Shortest comment (characters)",
    "max_length": "Longest comment (characters)",
    "spam_threshold": "Send to spam above this learned spam score (0 to 1; 0 is off)",
    "akismet": "Also ask Akismet (needs an Akismet key in the configuration)",
    "max_links": "Hold comments with more links than",
    "hold_links_from_new": "Hold any link from an author with no approved comment",
    "repeat_window_minutes": "Hold the same text from the same author within (minutes)",
    "rejection_rate_threshold": "Hold authors rejected more often than this recently (0 to 1)",
    "rejection_min_decisions": "…once they have at least this many decided comments",
    "rejection_window_days": "…over this many days",
    "hold_first_comments": "Post-moderation: hold each author's first comments (how many)",
    "auto_approve_trusted": "Pre-moderation: publish trusted authors' comments at once",
    "trusted_min_approved": "Trusted: at least this many approved comments",
    "trusted_clean_days": "Trusted: and no rejection in this many days",
    "report_threshold": "Withhold an unreviewed comment once this many readers report it",
}


def rule_changes(form: MultiDict[str, str], defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The rule settings a form sends, as overrides: a value equal to the configured default
    becomes ``None``, so the site follows the default if it changes later. Types are checked by
    :class:`~moderation.rules.RuleSettings`."""
    changes: dict[str, Any] = {}
    for name, default in defaults.items():
        if isinstance(default, bool):
            value: Any = form.get(name) == "on"
        elif isinstance(default, list):
            value = [line.strip() for line in form.get(name, "").splitlines() if line.strip()]
        else:
            raw = (form.get(name) or "").strip()
            try:
                value = float(raw) if isinstance(default, float) else int(raw)
            except ValueError:
                raise validation_error(name, f"{RULE_LABELS.get(name, name)}: a number.") from None
        changes[name] = None if value == default else value
    return changes
