"""Moderators' decisions, through the core: which action applies to which status, all or none,
the log, the counts, and what the spam score learns."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from moderation.comments.decide import (
    FEATURING,
    TRANSITIONS,
    allowed_actions,
    decide,
    feature_action,
)
from moderation.errors import InvalidTransition, NotFound, ValidationError
from moderation.models import Action, Article, Decision, Reason, SpamFeature, Status


def test_approving_publishes_counts_and_logs(session, new_comment, approve):
    comment = new_comment()
    [decided] = approve(comment)
    assert decided.status is Status.APPROVED and decided.decided_at is not None
    assert session.get_one(Article, comment.article_id).public_count == 1
    entry = session.scalars(
        select(Decision).where(Decision.comment_id == comment.id).order_by(Decision.id.desc())
    ).first()
    assert (entry.actor, entry.action, entry.from_status, entry.to_status) == (
        "moderator:tests", Action.APPROVE, Status.PENDING, Status.APPROVED,
    )  # fmt: skip


def test_a_rejection_says_why_and_takes_the_comment_down(session, new_comment, approve):
    comment = new_comment()
    approve(comment)
    [decided] = approve(comment, action=Action.REJECT, reason=Reason.ABUSE, explanation="Insult")
    assert decided.status is Status.REJECTED
    assert session.get_one(Article, comment.article_id).public_count == 0
    entry = session.scalars(select(Decision).order_by(Decision.id.desc())).first()
    assert (entry.reason, entry.explanation) == (Reason.ABUSE, "Insult")


def test_a_rejection_without_a_reason_is_for_other_reasons(session, new_comment, approve):
    approve(new_comment(), action=Action.REJECT)
    assert session.scalars(select(Decision).order_by(Decision.id.desc())).first().reason is (
        Reason.OTHER
    )


def test_only_a_rejection_or_a_spam_verdict_takes_a_reason(session, new_comment, approve):
    with pytest.raises(ValidationError) as refused:
        approve(new_comment(), reason=Reason.ABUSE)
    assert refused.value.field == "reason"


def test_a_decision_on_many_is_all_or_none(session, new_comment, approve):
    first, second = new_comment(body="First."), new_comment(body="Second.")
    approve(first)
    with pytest.raises(InvalidTransition) as refused:
        approve(second, first)
    assert f"Comment {first.id} is already approved." in refused.value.message
    session.rollback()
    assert session.get_one(type(second), second.id).status is Status.PENDING


def test_another_sites_comment_is_not_found(session, make_site, new_comment):
    make_site("other")
    comment = new_comment(site="other")
    other_id = comment.site_id
    with pytest.raises(NotFound) as refused:
        decide(
            session, site_id=other_id + 1, comment_ids=[comment.id], action=Action.APPROVE,
            actor="t",
        )  # fmt: skip
    assert refused.value.details == {"ids": [comment.id]}


def test_every_action_names_where_it_can_start():
    for action, (sources, target) in TRANSITIONS.items():
        if action in FEATURING:
            # Featuring changes the pick, not (for an approved comment) the status.
            assert target is Status.APPROVED
            continue
        assert target not in sources or action is Action.RESTORE
        for status in Status:
            assert (action in allowed_actions(status)) == (status in sources)
    assert allowed_actions(Status.APPROVED, reported=True)[0] is Action.APPROVE


def test_which_of_feature_and_unfeature_a_card_offers():
    assert feature_action(Status.PENDING, False) is Action.FEATURE
    assert feature_action(Status.APPROVED, False) is Action.FEATURE
    assert feature_action(Status.APPROVED, True) is Action.UNFEATURE
    assert feature_action(Status.REJECTED, False) is None


def test_featuring_approves_and_unfeaturing_keeps_it_up(session, new_comment, approve):
    comment = new_comment()
    [featured] = approve(comment, action=Action.FEATURE)
    assert (featured.status, featured.featured) == (Status.APPROVED, True)
    with pytest.raises(InvalidTransition, match="already featured"):
        approve(comment, action=Action.FEATURE)
    [kept] = approve(comment, action=Action.UNFEATURE)
    assert (kept.status, kept.featured) == (Status.APPROVED, False)
    with pytest.raises(InvalidTransition, match="is not featured"):
        approve(comment, action=Action.UNFEATURE)
    log = session.scalars(
        select(Decision.action).where(Decision.comment_id == comment.id).order_by(Decision.id)
    ).all()
    assert log[-2:] == [Action.FEATURE, Action.UNFEATURE]


def test_a_pick_rejected_is_no_longer_a_pick(session, new_comment, approve):
    comment = new_comment()
    approve(comment, action=Action.FEATURE)
    [rejected] = approve(comment, action=Action.REJECT)
    assert (rejected.status, rejected.featured) == (Status.REJECTED, False)


def test_the_first_verdict_teaches_the_spam_score(session, new_comment, approve):
    approve(new_comment(body="Cheap pills here."), action=Action.SPAM)
    learned = session.scalar(
        select(func.sum(SpamFeature.spam)).where(SpamFeature.feature == "w:pills")
    )
    assert learned == 1
    approve(new_comment(body="A thoughtful note on pills."))
    assert session.scalar(select(SpamFeature.ham).where(SpamFeature.feature == "w:pills")) == 1
