"""The ordered screening rules run on every submission and every edit.

Each rule looks at a :class:`Candidate` and either passes or returns a :class:`Finding`: hold it for
a moderator, reject it, or mark it spam. Every finding is recorded (``held_because`` on the comment
and a system entry in the decision log); the first decisive one (reject or spam) wins over holds.
Refusals that the reader must hear about at once (a closed article) are not rules: they are
checked before anything is stored.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .models import Action, ModerationMode, Status


@dataclass(frozen=True)
class Candidate:
    """What the rules see of a submission or an edit."""

    site_id: int
    mode: ModerationMode
    body_text: str
    html: str
    author_name: str
    author_email: str | None
    author_key: str
    ip_hash: str | None
    is_edit: bool = False


@dataclass(frozen=True)
class Finding:
    rule: str
    action: Action  # HOLD, REJECT or SPAM
    explanation: str


@dataclass
class Screening:
    """The outcome: the status to store and every finding that led to it."""

    status: Status
    findings: list[Finding] = field(default_factory=list)

    @property
    def held_because(self) -> list[str]:
        return [f.rule for f in self.findings]


Rule = Callable[[Candidate], Finding | None]


def premoderation(candidate: Candidate) -> Finding | None:
    """On a pre-moderated site or article nothing is public until a moderator approves it."""
    if candidate.mode is ModerationMode.PRE:
        return Finding("premod", Action.HOLD, "the article is pre-moderated")
    return None


DEFAULT_RULES: tuple[Rule, ...] = (premoderation,)

_DECISIVE = {Action.SPAM: Status.SPAM, Action.REJECT: Status.REJECTED}


def screen(candidate: Candidate, rules: Sequence[Rule] = DEFAULT_RULES) -> Screening:
    """Run the rules in order and decide the initial status."""
    findings: list[Finding] = []
    for rule in rules:
        finding = rule(candidate)
        if finding is None:
            continue
        findings.append(finding)
        if finding.action in _DECISIVE:
            return Screening(_DECISIVE[finding.action], findings)
    status = Status.PENDING if findings else Status.PUBLISHED
    return Screening(status, findings)
