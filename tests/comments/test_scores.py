"""The learned scores through the core: the spam score learns from spam verdicts, the abuse score
from every other rejection, approvals teach both "ham"; each holds (never more) once its site has
learned enough decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation.models import (
    TOTAL_FEATURE,
    Action,
    Comment,
    Decision,
    Reason,
    Site,
    SpamFeature,
    Status,
)

from ..conftest import PUBLISH_AT_ONCE

TOPICS = ["budget", "council", "bridge", "school", "election", "harbour", "museum", "library"]
INSULTS = ["moron", "idiot", "clown", "loser", "fool"]
#: What each score learns from, and a comment of its kind (at least 40 characters, as the
#: ordinary comments are, so the length says nothing).
VERDICTS = {
    "spam": ({"action": Action.SPAM}, "Cheap pills {i} at a discount, order today friend"),
    "abuse": (
        {"action": Action.REJECT, "reason": Reason.ABUSE},
        "Shut up you {insult} number {i}, nobody asked you",
    ),
}


@pytest.fixture
def open_site(make_site: Callable[..., str]) -> str:
    """A post-moderated site whose comments are public at once unless a rule holds them."""
    return make_site("open", mode="post", rules=PUBLISH_AT_ONCE)


@pytest.fixture
def teach(
    new_comment: Callable[..., Comment], approve: Callable[..., list[Comment]]
) -> Callable[..., None]:
    """``teach("abuse", ordinary=25, bad=25)``: that many approvals and verdicts of the kind,
    each from an author of their own."""
    taught = iter(range(1_000_000))

    def run(kind: str, ordinary: int, bad: int, site: str = "open") -> None:
        verdict, template = VERDICTS[kind]
        for _ in range(ordinary):
            n = next(taught)
            body = f"The {TOPICS[n % len(TOPICS)]} plan for district {n} reads well"
            approve(new_comment(body=body, site=site, author_name=f"Reader {n}"))
        for _ in range(bad):
            n = next(taught)
            body = template.format(i=n, insult=INSULTS[n % len(INSULTS)])
            approve(new_comment(body=body, site=site, author_name=f"Troll {n}"), **verdict)

    return run


def _counts(session: Session, feature: str) -> tuple[int, int, int]:
    row = session.execute(
        select(SpamFeature.spam, SpamFeature.abuse, SpamFeature.ham).where(
            SpamFeature.feature == feature
        )
    ).one_or_none()
    return (row.spam, row.abuse, row.ham) if row else (0, 0, 0)


def _set_rules(session: Session, slug: str, **settings: Any) -> None:
    site = session.scalar(select(Site).where(Site.slug == slug))
    assert site is not None
    site.rule_settings = {**(site.rule_settings or {}), **settings}
    session.commit()


def test_abuse_score_learns_a_word_it_never_saw_from_a_few_rejections(
    session, open_site, new_comment, approve, teach
):
    teach("abuse", ordinary=25, bad=25)
    probe = "Such a grommetface, honestly, every single time."
    before = new_comment(body=probe, site="open", author_name="Probe 0")
    assert before.abuse_score is not None and before.abuse_score < 0.9
    assert before.status is Status.PUBLISHED and before.held_because == []
    for n in range(3):
        body = f"Only a grommetface writes {TOPICS[n]} posts like these"
        rejected = new_comment(body=body, site="open", author_name=f"Fresh troll {n}")
        approve(rejected, action=Action.REJECT, reason=Reason.ABUSE)
    after = new_comment(body=probe, site="open", author_name="Probe 1")
    assert after.abuse_score is not None and after.abuse_score >= 0.9
    assert after.status is Status.PENDING and after.held_because == ["abuse_score"]
    explanation = session.scalar(
        select(Decision.explanation).where(
            Decision.comment_id == after.id, Decision.actor == "system:abuse_score"
        )
    )
    assert explanation == f"abuse score {after.abuse_score:.2f}"


def test_a_spam_verdict_teaches_the_spam_score_only(session, site, new_comment, approve):
    approve(new_comment(body="Cheap pills here."), action=Action.SPAM)
    approve(new_comment(body="More pills, rejected as spam."), action=Action.REJECT,
            reason=Reason.SPAM)  # fmt: skip
    assert _counts(session, "w:pills") == (2, 0, 0)
    assert _counts(session, TOTAL_FEATURE) == (2, 0, 0)


@pytest.mark.parametrize(
    "reason",
    [Reason.ABUSE, Reason.OFF_TOPIC, Reason.PERSONAL_DATA, Reason.ILLEGAL, Reason.OTHER, None],
)
def test_every_other_rejection_teaches_the_abuse_score_only(
    session, site, new_comment, approve, reason
):
    approve(new_comment(body="You utter moron."), action=Action.REJECT, reason=reason)
    assert _counts(session, "w:moron") == (0, 1, 0)
    approve(new_comment(body="A moron of a plan, but a fair point."))
    assert _counts(session, "w:moron") == (0, 1, 1)
    assert _counts(session, TOTAL_FEATURE) == (0, 1, 1)


def test_spam_verdicts_leave_the_abuse_score_silent(session, open_site, new_comment, teach):
    teach("spam", ordinary=30, bad=30)
    probe = new_comment(body="Cheap pills 999 at a discount, order today friend", site="open")
    assert probe.spam_score is not None and probe.spam_score >= 0.9
    assert probe.abuse_score is None  # no abuse learned: nothing to say
    assert probe.held_because == ["spam_score"]


@pytest.mark.parametrize("kind", ["spam", "abuse"])
def test_a_score_holds_only_once_the_site_learned_enough_decisions(
    session, open_site, new_comment, teach, kind
):
    _, template = VERDICTS[kind]
    teach(kind, ordinary=24, bad=25)  # 49 decisions of the pair: one short of the default 50
    below = new_comment(body=template.format(i=1000, insult="clown"), site="open")
    assert getattr(below, f"{kind}_score") >= 0.9  # scored (and stored) all the same
    assert below.status is Status.PUBLISHED and below.held_because == []
    teach(kind, ordinary=1, bad=0)
    above = new_comment(body=template.format(i=1001, insult="clown"), site="open")
    assert getattr(above, f"{kind}_score") >= 0.9
    assert above.status is Status.PENDING and above.held_because == [f"{kind}_score"]


@pytest.mark.parametrize("kind", ["spam", "abuse"])
def test_a_score_only_ever_holds_and_a_zero_threshold_turns_it_off(
    session, open_site, new_comment, teach, kind
):
    _, template = VERDICTS[kind]
    teach(kind, ordinary=30, bad=30)
    certain = new_comment(body=template.format(i=2000, insult="moron"), site="open")
    assert getattr(certain, f"{kind}_score") > 0.99
    assert certain.status is Status.PENDING  # never rejected, never sent to spam
    _set_rules(session, "open", **{f"{kind}_threshold": 0})
    off = new_comment(body=template.format(i=2001, insult="moron"), site="open")
    assert off.status is Status.PUBLISHED and off.held_because == []
