"""Reading the dashboard's forms and query strings, and the words people see for each code.

Everything a browser sends is checked here, field by field, before a view calls the core
(``comments``) or ``admin``; what the API also takes is read by the API's own shapes
(``schemas.requests``), so one input gets one answer everywhere. A bad field raises
:class:`~moderation.errors.ValidationError` naming it, which a form view shows beside the form
and the JSON endpoint returns in the API's error shape.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel
from werkzeug.datastructures import MultiDict

from ..comments.decide import allowed_actions, feature_action
from ..comments.listing import QUEUE_VIEWS
from ..errors import ValidationError
from ..models import Action, ModerationMode, Reason, Status
from ..schemas import requests
from ..schemas.fields import MAX_SEARCH, Id, Note
from ..schemas.parse import parse_values

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
    Action.FEATURE: "Feature",
    Action.UNFEATURE: "Unfeature",
    Action.BAN: "Banned",
    Action.SUSPEND: "Suspended",
    Action.PREMODERATE: "Always pre-moderate",
    Action.TRUST: "Trusted",
    Action.LIFT: "Lifted",
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

ORDERS = ("oldest", "newest", "spam", "abuse")
MODES = ("", "pre", "post")  # "" follows the site's mode
# What a reject panel adds to a decision form; the other buttons share its form but not these.
_REJECT_FIELDS = ("reason", "explanation")


def actions_for(status: Status, reported: bool = False) -> list[Action]:
    """The moderator actions a card offers for ``status`` (see ``decide.allowed_actions``)."""
    return allowed_actions(status, reported)


def featuring_for(status: Status, featured: bool) -> Action | None:
    """Feature or unfeature, whichever a card offers (``decide.feature_action``); None: neither."""
    return feature_action(status, featured)


def staff_signature(email: str) -> str:
    """The name a staff answer is signed with unless the moderator types another: the part of
    their email before the @."""
    return email.partition("@")[0]


@dataclass(frozen=True)
class StaffReply:
    body: str
    author_name: str


def staff_reply_form(form: MultiDict[str, str]) -> StaffReply:
    """A staff answer's text and the name to sign it with; ``reply_as_staff`` checks them."""
    return StaffReply(body=form.get("body") or "", author_name=form.get("author_name") or "")


def decision_form(form: MultiDict[str, str]) -> requests.AnyBulkDecision:
    """A decision sent by a card's or the bulk bar's form (the page without JavaScript), read by
    the API's own shape (``schemas.requests.BulkDecision``).

    The form's reject panel (a reason, an explanation) sits beside the other buttons; what it
    holds belongs to the decision only when the reject button was pressed. Empty fields are
    fields not filled in.
    """
    action = form.get("action", "")
    values: dict[str, Any] = {"action": action, "ids": form.getlist("ids")}
    for name in _REJECT_FIELDS:
        value = form.get(name, "")
        if value.strip() and action in ("reject", "spam"):
            values[name] = value
    return parse_values(requests.BulkDecision, values)


class _Filters(BaseModel):
    """The dashboard's ids and words in query strings and forms."""

    article: Id | None = None
    comment: Id | None = None
    moderator: Id | None = None


def optional_id(args: Mapping[str, Any], name: str) -> int | None:
    """A positive id from a query string or form; None when absent or empty."""
    raw = args.get(name)
    if raw in (None, ""):
        return None
    value = getattr(parse_values(_Filters, {name: raw}), name)
    return value  # type: ignore[no-any-return]


def one_of(args: Mapping[str, Any], name: str, allowed: Sequence[str], default: str) -> str:
    raw = args.get(name) or default
    if raw not in allowed:
        raise ValidationError(name, f"{name} must be one of {', '.join(allowed)}.")
    return str(raw)


class _Search(BaseModel):
    q: Note


def search_text(args: Mapping[str, Any], name: str = "q") -> str | None:
    """The words of a search box, or None when it is empty."""
    raw = args.get(name)
    if not isinstance(raw, str) or not raw.strip():
        return None
    if len(raw) > MAX_SEARCH:
        raise ValidationError(name, f"Search for at most {MAX_SEARCH} characters.")
    return parse_values(_Search, {"q": raw}).q


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
        raise ValidationError("edit_window_minutes", "The edit window is a number of minutes.")
    mode = form.get("mode", "pre")
    if mode not in (m.value for m in ModerationMode):
        raise ValidationError("mode", "Choose pre- or post-moderation.")
    return SiteForm(
        slug=(form.get("slug") or "").strip(),
        name=(form.get("name") or "").strip(),
        origins=[line.strip() for line in (form.get("origins") or "").splitlines() if line.strip()],
        mode=mode,
        edit_window_minutes=int(window_raw),
        closed=form.get("closed") == "on",
    )


@dataclass(frozen=True)
class ReadersForm:
    commenters: str
    login_url: str
    reaction_label: str


def readers_form(form: MultiDict[str, str]) -> ReadersForm:
    """Who may comment, where readers sign in, the reaction's label; ``admin.update_readers``
    checks what they mean (an empty sign-in address removes the link)."""
    return ReadersForm(
        commenters=form.get("commenters") or "",
        login_url=(form.get("login_url") or "").strip(),
        reaction_label=form.get("reaction_label") or "",
    )


#: The choices of who may comment, as the site page words them.
COMMENTERS_LABELS = {
    "guests": "Anyone who types a name (signed-in readers too)",
    "readers": "Only readers signed in with the site's login",
    "mixed": "Both, but guests' comments are held for a moderator",
}


def mode_choice(form: Mapping[str, Any]) -> ModerationMode | None:
    """An article's mode: pre, post, or "" to follow its site."""
    raw = form.get("mode", "")
    if raw not in MODES:
        raise ValidationError("mode", "Choose the site's mode, pre- or post-moderation.")
    return ModerationMode(raw) if raw else None


# --- Screening rules --------------------------------------------------------------------------

#: Every rule setting as the site page shows it, in the order the rules run.
RULE_LABELS = {
    "blocked_words": "Blocked words and phrases (one per line): the comment is rejected",
    "suspect_words": "Suspect words and phrases (one per line): the comment is held",
    "min_length": "Shortest comment (characters)",
    "max_length": "Longest comment (characters)",
    "spam_threshold": "Hold comments at or above this learned spam score (0 to 1; 0 is off)",
    "abuse_threshold": "Hold comments at or above this learned abuse score (0 to 1; 0 is off)",
    "score_min_decisions": "…once the scores have learned at least this many decisions",
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
                raise ValidationError(name, f"{RULE_LABELS.get(name, name)}: a number.") from None
        changes[name] = None if value == default else value
    return changes
