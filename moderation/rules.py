"""The ordered screening rules run on every submission and every edit.

Each rule looks at a :class:`Candidate` (the comment and what the site knows of its author) and
either passes or returns a :class:`Finding`: hold it for a moderator, reject it, or mark it spam.
The rules run in order; the first decisive finding (reject or spam) ends the run, holds add up.
Every finding is recorded: its rule's name in ``held_because`` and a system entry in the
decision log with what the rule saw ("3 links").

Refusals the reader must hear about at once, before anything is stored (a closed article, a ban,
a comment too long) are not rules: ``queue`` checks them first.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .errors import ValidationError
from .models import Action, ModerationMode, Standing, Status
from .wordlist import WordList

#: The range of every setting of a kind: counts, fractions (0 to 1), lists of words. A setting
#: of days or minutes goes only as far as dates do (see :func:`setting`).
MAX_COUNT = 1_000_000
MAX_WORDS = 5_000
MAX_WORD_CHARS = 100
MAX_DAYS = 3650
MAX_MINUTES = 7 * 24 * 60


def setting(default: Any, maximum: int | None = None) -> Any:
    """A rule setting's default, and for a whole number its largest value (:data:`MAX_COUNT`
    unless said)."""
    return field(default=default, metadata={"maximum": maximum or MAX_COUNT})


def maximum_of(name: str) -> int:
    """The largest value a whole-number setting takes."""
    found = {f.name: f for f in dataclasses.fields(RuleSettings)}[name]
    return int(found.metadata.get("maximum", MAX_COUNT))


class RuleSettingsError(ValidationError):
    """A rule setting of the wrong type or out of range; ``field`` names it."""

    def __init__(self, setting: str, message: str) -> None:
        super().__init__(setting, f"{setting} {message}")


@dataclass(frozen=True)
class RuleSettings:
    """One site's rule settings. Defaults come from the config file's ``rules`` table, each site
    overrides what it wants (``Site.rule_settings``)."""

    min_length: int = 1
    max_length: int = 5000
    blocked_words: tuple[str, ...] = ()  # reject
    suspect_words: tuple[str, ...] = ()  # hold
    max_links: int = 2  # hold above this many links
    hold_links_from_new: bool = False  # hold any link from an author with no approved comment
    repeat_window_minutes: int = setting(10, MAX_MINUTES)  # hold the same text from the same
    # author within this
    hold_first_comments: int = 1  # post-moderation: hold an author's first N comments
    auto_approve_trusted: bool = False  # pre-moderation: publish trusted authors at once
    trusted_min_approved: int = 3
    trusted_clean_days: int = setting(90, MAX_DAYS)  # trusted: no rejection in this many days
    rejection_rate_threshold: float = 0.5  # hold authors rejected this often recently...
    rejection_min_decisions: int = 3  # ...once they have at least this many decisions...
    rejection_window_days: int = setting(30, MAX_DAYS)  # ...in this many days
    report_threshold: int = 3  # readers' reports that withhold a published comment
    # The learned scores only ever hold, at or above their threshold (0 = off), and only once
    # their pair of classes has learned score_min_decisions decisions (spam + approvals, abuse +
    # approvals), at least spam.MIN_TRAINING of each.
    spam_threshold: float = 0.9
    abuse_threshold: float = 0.9
    score_min_decisions: int = 50
    akismet: bool = False  # also ask Akismet (needs akismet_key in the configuration)

    @classmethod
    def from_mappings(cls, *layers: Mapping[str, Any]) -> RuleSettings:
        """Defaults overlaid by each mapping in turn, every value checked."""
        values: dict[str, Any] = {}
        known = {f.name: f for f in dataclasses.fields(cls)}
        defaults = cls()
        for layer in layers:
            for key, raw in layer.items():
                if key not in known:
                    raise RuleSettingsError(key, "is not a rule setting")
                values[key] = _check(key, raw, getattr(defaults, key))
        return cls(**values)

    def to_json(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["blocked_words"] = list(self.blocked_words)
        data["suspect_words"] = list(self.suspect_words)
        return data


def _check(key: str, raw: Any, default: Any) -> Any:
    if isinstance(default, bool):
        if not isinstance(raw, bool):
            raise RuleSettingsError(key, "must be true or false")
        return raw
    if isinstance(default, int):
        maximum = maximum_of(key)
        if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= maximum:
            raise RuleSettingsError(key, f"must be a whole number from 0 to {maximum:,}")
        return raw
    if isinstance(default, float):
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 <= raw <= 1:
            raise RuleSettingsError(key, "must be a number from 0 to 1")
        return float(raw)
    if isinstance(default, tuple):
        if isinstance(raw, str):
            raw = raw.splitlines()
        if not isinstance(raw, list | tuple) or not all(isinstance(w, str) for w in raw):
            raise RuleSettingsError(key, "must be a list of words and phrases")
        words = tuple(w.strip() for w in raw if w.strip())
        if len(words) > MAX_WORDS or any(len(w) > MAX_WORD_CHARS for w in words):
            raise RuleSettingsError(
                key, f"holds at most {MAX_WORDS:,} entries of {MAX_WORD_CHARS} characters"
            )
        return words
    raise RuleSettingsError(key, "has an unsupported type")  # pragma: no cover


@dataclass(frozen=True)
class AuthorHistory:
    """What the site knows of an author (by their keyed identity), from their latest comments
    (``screening.AUTHOR_RECORD_COMMENTS``)."""

    approved: int = 0
    rejected: int = 0  # rejected or spam
    recent_decided: int = 0  # approved, rejected or spam within the rejection window
    recent_rejected: int = 0
    rejected_since_trust_window: int = 0  # rejections within trusted_clean_days
    comments: int = 0  # earlier comments, decided or not
    same_text_recently: bool = False
    standing: Standing | None = None  # a moderator's word on the author (comments.standing)


@dataclass(frozen=True)
class Candidate:
    """What the rules see of a submission or an edit."""

    mode: ModerationMode
    body_text: str
    html: str
    link_count: int
    history: AuthorHistory = field(default_factory=AuthorHistory)
    spam_score: float | None = None
    abuse_score: float | None = None
    # How many decisions each score learned from (its label's and the approvals).
    spam_decisions: int = 0
    abuse_decisions: int = 0
    akismet_spam: bool | None = None  # None: not asked, or no answer
    form_check: str | None = None  # None when the form token was fine; else what was wrong
    honeypot_filled: bool = False
    is_edit: bool = False
    staff: bool = False  # the newsroom's own (a staff reader, or a moderator's reply)
    guest_held: bool = False  # a guest where the site holds guests for signed-in readers
    author_name: str = ""  # screened by the word lists like the body


@dataclass(frozen=True)
class Finding:
    rule: str
    action: Action  # HOLD, REJECT, SPAM, or APPROVE (trusted authors)
    explanation: str


@dataclass
class Screening:
    """The outcome: the status to store and every finding that led to it."""

    status: Status
    findings: list[Finding] = field(default_factory=list)

    @property
    def held_because(self) -> list[str]:
        return [f.rule for f in self.findings if f.action is not Action.APPROVE]


Rule = Callable[[Candidate, RuleSettings], Finding | None]

# Compiled word lists, per list content: a site with 5,000 entries compiles them once per process.
_wordlists: OrderedDict[str, WordList] = OrderedDict()
_wordlists_lock = threading.Lock()


def compiled(entries: Sequence[str]) -> WordList:
    key = hashlib.blake2b(json.dumps(list(entries)).encode(), digest_size=16).hexdigest()
    with _wordlists_lock:
        found = _wordlists.get(key)
        if found is not None:
            _wordlists.move_to_end(key)
            return found
    wordlist = WordList(entries)
    with _wordlists_lock:
        _wordlists[key] = wordlist
        while len(_wordlists) > 64:
            _wordlists.popitem(last=False)
    return wordlist


def _quote(found: list[str]) -> str:
    return ", ".join(f'"{w}"' for w in found[:5])


def staff(c: Candidate, s: RuleSettings) -> Finding | None:
    """The newsroom answering in its own thread: published at once, no rule in the way."""
    if c.staff:
        return Finding("staff", Action.APPROVE, "written by the newsroom's staff")
    return None


def guest(c: Candidate, s: RuleSettings) -> Finding | None:
    """A guest on a site that asks readers to sign in and holds guests for a moderator."""
    if c.guest_held and not c.is_edit:
        return Finding("guest", Action.HOLD, "a guest, not a signed-in reader")
    return None


def honeypot(c: Candidate, s: RuleSettings) -> Finding | None:
    """A field people never see and bots fill in."""
    if c.honeypot_filled:
        return Finding("honeypot", Action.SPAM, "the hidden form field was filled in")
    return None


def form_timing(c: Candidate, s: RuleSettings) -> Finding | None:
    """Posted faster than a person can read and type, or without the widget's form token."""
    if c.form_check is None or c.is_edit:
        return None
    if c.form_check.startswith("too fast"):
        return Finding("too_fast", Action.SPAM, c.form_check)
    return Finding("no_form_token", Action.HOLD, c.form_check)


def _words_found(c: Candidate, entries: Sequence[str]) -> str | None:
    """What a word list found in the body and the author's name, quoted ('"x", name: "y"'), or
    None."""
    if not entries:
        return None
    wordlist = compiled(entries)
    found = []
    if in_body := wordlist.find(c.body_text):
        found.append(_quote(in_body))
    if c.author_name and (in_name := wordlist.find(c.author_name)):
        found.append(f"name: {_quote(in_name)}")
    return ", ".join(found) or None


def blocked_word(c: Candidate, s: RuleSettings) -> Finding | None:
    """A blocked word or phrase in the comment or the author's name: rejected."""
    found = _words_found(c, s.blocked_words)
    if found:
        return Finding("blocked_word", Action.REJECT, f"blocked: {found}")
    return None


def _learned_score(
    name: str, score: float | None, decisions: int, threshold: float, s: RuleSettings
) -> Finding | None:
    """Hold (never reject: a learned score errs) a comment scored at or above the threshold, once
    the score has learned from enough of the site's decisions to mean something."""
    if not threshold or score is None or decisions < s.score_min_decisions:
        return None
    if score >= threshold:
        return Finding(f"{name}_score", Action.HOLD, f"{name} score {score:.2f}")
    return None


def spam_score(c: Candidate, s: RuleSettings) -> Finding | None:
    return _learned_score("spam", c.spam_score, c.spam_decisions, s.spam_threshold, s)


def abuse_score(c: Candidate, s: RuleSettings) -> Finding | None:
    return _learned_score("abuse", c.abuse_score, c.abuse_decisions, s.abuse_threshold, s)


def akismet(c: Candidate, s: RuleSettings) -> Finding | None:
    if c.akismet_spam:
        return Finding("akismet", Action.SPAM, "Akismet says spam")
    return None


def suspect_word(c: Candidate, s: RuleSettings) -> Finding | None:
    """A suspect word or phrase in the comment or the author's name: held for a moderator."""
    found = _words_found(c, s.suspect_words)
    if found:
        return Finding("suspect_word", Action.HOLD, f"suspect: {found}")
    return None


def link_count(c: Candidate, s: RuleSettings) -> Finding | None:
    if c.link_count > s.max_links:
        return Finding("link_count", Action.HOLD, f"{c.link_count} links")
    return None


def new_author_link(c: Candidate, s: RuleSettings) -> Finding | None:
    if s.hold_links_from_new and c.link_count and c.history.approved == 0 and not _trusted(c):
        return Finding("new_author_link", Action.HOLD, "a link from a new commenter")
    return None


def repeat_post(c: Candidate, s: RuleSettings) -> Finding | None:
    if c.history.same_text_recently and not c.is_edit:
        minutes = s.repeat_window_minutes
        return Finding(
            "repeat", Action.HOLD, f"same text from the same author within {minutes} min"
        )
    return None


def rejection_history(c: Candidate, s: RuleSettings) -> Finding | None:
    h = c.history
    if _trusted(c):
        return None
    if h.recent_decided >= max(1, s.rejection_min_decisions) and s.rejection_rate_threshold:
        rate = h.recent_rejected / h.recent_decided
        if rate > s.rejection_rate_threshold:
            return Finding(
                "rejection_history",
                Action.HOLD,
                f"{h.recent_rejected} of {h.recent_decided} recent comments rejected",
            )
    return None


def new_commenter(c: Candidate, s: RuleSettings) -> Finding | None:
    """Post-moderation: an author's first comments wait for a moderator."""
    if _trusted(c):
        return None
    if c.mode is ModerationMode.POST and c.history.approved < s.hold_first_comments:
        return Finding("new_commenter", Action.HOLD, f"{c.history.approved} approved so far")
    return None


def author_standing(c: Candidate, s: RuleSettings) -> Finding | None:
    """A moderator holds every comment of this author, whatever their record."""
    if c.history.standing is Standing.PREMODERATED:
        return Finding("author_premoderated", Action.HOLD, "a moderator holds this author")
    return None


def _trusted(c: Candidate) -> bool:
    """A moderator trusts this author: their record's holds do not apply."""
    return c.history.standing is Standing.TRUSTED


def premoderation(c: Candidate, s: RuleSettings) -> Finding | None:
    """Pre-moderation: nothing is public until approved, unless the site trusts the author."""
    if c.mode is not ModerationMode.PRE:
        return None
    if _trusted(c):
        return Finding("trusted", Action.APPROVE, "trusted by a moderator")
    h = c.history
    trusted = (
        s.auto_approve_trusted
        and h.approved >= s.trusted_min_approved
        and h.rejected_since_trust_window == 0
    )
    if trusted:
        return Finding("trusted", Action.APPROVE, f"trusted author: {h.approved} approved")
    return Finding("premod", Action.HOLD, "the article is pre-moderated")


DEFAULT_RULES: tuple[Rule, ...] = (
    staff,
    honeypot,
    form_timing,
    blocked_word,
    spam_score,
    abuse_score,
    akismet,
    suspect_word,
    link_count,
    new_author_link,
    repeat_post,
    rejection_history,
    author_standing,
    guest,
    new_commenter,
    premoderation,
)

_DECISIVE = {Action.SPAM: Status.SPAM, Action.REJECT: Status.REJECTED}


def screen(
    candidate: Candidate, settings: RuleSettings, rules: Sequence[Rule] = DEFAULT_RULES
) -> Screening:
    """Run the rules in order and decide the initial status."""
    findings: list[Finding] = []
    for rule in rules:
        finding = rule(candidate, settings)
        if finding is None:
            continue
        findings.append(finding)
        if finding.rule == "staff":
            return Screening(Status.APPROVED, findings)
        if finding.action in _DECISIVE:
            return Screening(_DECISIVE[finding.action], findings)
    if any(f.action is Action.HOLD for f in findings):
        return Screening(Status.PENDING, [f for f in findings if f.action is Action.HOLD])
    if any(f.action is Action.APPROVE for f in findings):
        return Screening(Status.APPROVED, findings)
    return Screening(Status.PUBLISHED, findings)
