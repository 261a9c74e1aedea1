"""Two scores learned from a site's own moderation decisions: spam, and abuse.

Naive Bayes classifiers over binary features: the words of the comment (Unicode words, so each
site's own languages), the domains it links to, and a few author signals (no email given, a
first comment, many links). Every approval teaches both scores "ham"; a spam verdict (or a
rejection for spam) teaches the spam score "spam"; every other rejection (abuse, off topic,
personal data, illegal, other) teaches the abuse score "abuse". Each new comment gets both
probabilities. One row per feature holds the three counts, so scoring costs one query for a few
dozen rows, for both scores, however much the site has learned.

This module is pure arithmetic over counts; where the counts live is ``queue``'s business.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit

from . import links
from .wordlist import words

MAX_WORD_FEATURES = 200
_HREF = re.compile(r'href="([^"]+)"')
# What bleach's linkifier adds in front of an address (and strips again), and its protocol.
_BEFORE_HOST = re.compile(r"\(*(?:https?:/{0,3})?", re.IGNORECASE)


def _host(url: str) -> str:
    """The host name of an address, lower case and without ``www.`` ("" if it has none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")


def link_domains(html: str) -> list[str]:
    """The host names a sanitized comment links to (``www.`` dropped)."""
    hosts = []
    for href in _HREF.findall(html):
        host = _host(href.replace("&amp;", "&"))
        if host:
            hosts.append(host)
    return hosts


def written_domains(text: str) -> list[str]:
    """The host names of the addresses written in a comment's text, linked or not (``www.``
    dropped), found as the sanitizer finds the addresses it links."""
    hosts = []
    for link in links.finditer(text):
        # The pattern matches, perhaps empty, at the start of every address.
        host = _host("//" + _BEFORE_HOST.sub("", link.group(0), count=1))
        if host:
            hosts.append(host)
    return hosts


def features(
    body_text: str,
    html: str,
    *,
    has_email: bool,
    approved_before: int,
    rejected_before: int,
) -> set[str]:
    """The binary features of one comment (at most a few hundred)."""
    found = {f"w:{w}" for w in words(body_text)[: MAX_WORD_FEATURES * 4]}
    if len(found) > MAX_WORD_FEATURES:
        found = set(sorted(found)[:MAX_WORD_FEATURES])
    domains = link_domains(html)
    found.update(f"d:{d}" for d in domains)
    found.update(f"d:{d}" for d in written_domains(body_text))
    found.add(f"links:{min(len(domains), 3)}")
    found.add("author:no_email" if not has_email else "author:email")
    if approved_before == 0:
        found.add("author:new")
    if rejected_before:
        found.add("author:rejected_before")
    length = len(body_text)
    found.add("len:short" if length < 40 else "len:long" if length > 1500 else "len:medium")
    return found


#: What a moderator's first verdict teaches: "ham" (an approval) is the negative of both scores.
Label = Literal["spam", "abuse", "ham"]
#: The scores: each is its label against "ham".
Kind = Literal["spam", "abuse"]


@dataclass(frozen=True)
class Counts:
    """How many spam, ham and abuse comments carried a feature (or, for the totals, were
    learned)."""

    spam: int = 0
    ham: int = 0
    abuse: int = 0

    def positives(self, kind: Kind) -> int:
        return self.spam if kind == "spam" else self.abuse

    def decisions(self, kind: Kind) -> int:
        """How many decisions the score of ``kind`` learned from: its label's and the approvals."""
        return self.positives(kind) + self.ham

    def add(self, label: Label, n: int = 1) -> Counts:
        return Counts(
            self.spam + n * (label == "spam"),
            self.ham + n * (label == "ham"),
            self.abuse + n * (label == "abuse"),
        )


# Below this many learned comments of each class a score is not computed at all (None). Holding
# on a score waits longer, for ``RuleSettings.score_min_decisions`` decisions of its pair.
MIN_TRAINING = 5
_STRENGTH = 1.0  # Laplace smoothing
_MAX_EVIDENCE = 4.0  # one feature moves the log-odds by at most this much


def score(
    present: Iterable[str], counts: Mapping[str, Counts], totals: Counts, kind: Kind = "spam"
) -> float | None:
    """The probability that a comment with these features is spam (or, with ``kind="abuse"``,
    would be rejected as abusive), or None when the site has not yet taught the classifier
    enough of both classes to say."""
    positives = totals.positives(kind)
    if positives < MIN_TRAINING or totals.ham < MIN_TRAINING:
        return None
    log_odds = math.log(positives / totals.ham)
    for feature in present:
        seen = counts.get(feature)
        if seen is None:
            continue
        seen_positive = seen.positives(kind)
        if seen_positive + seen.ham == 0:
            continue  # never seen in this pair: no evidence either way
        p_positive = (seen_positive + _STRENGTH) / (positives + 2 * _STRENGTH)
        p_ham = (seen.ham + _STRENGTH) / (totals.ham + 2 * _STRENGTH)
        evidence = math.log(p_positive / p_ham)
        log_odds += max(-_MAX_EVIDENCE, min(_MAX_EVIDENCE, evidence))
    if log_odds > 30:
        return 1.0
    if log_odds < -30:
        return 0.0
    return 1.0 / (1.0 + math.exp(-log_odds))


class MemoryModel:
    """Counts held in memory: for the offline evaluations and for tests."""

    def __init__(self) -> None:
        self.counts: dict[str, Counts] = {}
        self.totals = Counts()

    def learn(self, present: Iterable[str], label: Label | bool) -> None:
        """Count one verdict; ``True`` and ``False`` mean "spam" and "ham"."""
        if isinstance(label, bool):
            label = "spam" if label else "ham"
        for feature in present:
            self.counts[feature] = self.counts.get(feature, Counts()).add(label)
        self.totals = self.totals.add(label)

    def score(self, present: Iterable[str], kind: Kind = "spam") -> float | None:
        return score(present, self.counts, self.totals, kind)
