"""Statements of reasons, through the core: written with every decision that removes or
restricts, never with a policy's own hold, and read by the author while they apply."""

from __future__ import annotations

from sqlalchemy import select

from moderation.comments import statements
from moderation.comments.bans import create_ban
from moderation.models import Action, BanKind, Reason, Restriction, Statement, Status


def test_a_rejection_writes_its_statement(session, new_comment, approve):
    comment = new_comment()
    approve(comment, action=Action.REJECT, reason=Reason.ABUSE, explanation="Insults.")
    found = session.scalars(select(Statement)).one()
    assert (found.restriction, found.automated, found.facts) == (
        Restriction.REMOVAL, False, "Insults.",
    )  # fmt: skip
    assert found.ground_kind == "house_rule" and "abuse" in found.ground.lower()
    assert found.actor == "moderator"  # the moderator's email stays in the log
    assert statements.for_author(session, comment.id, Status.REJECTED) == found


def test_illegal_content_names_its_legal_ground(session, new_comment, approve):
    comment = new_comment()
    approve(comment, action=Action.REJECT, reason=Reason.ILLEGAL, legal_ground="§ 130 StGB")
    found = session.scalars(select(Statement)).one()
    assert (found.ground_kind, found.ground) == ("law", "§ 130 StGB")


def test_the_policy_s_own_hold_owes_no_statement(session, new_comment):
    new_comment()  # held by pre-moderation, as every comment of the site
    assert session.scalars(select(Statement)).all() == []


def test_a_rule_s_hold_is_an_automated_statement(session, make_site, new_comment):
    make_site("open", mode="post", rules={"suspect_words": ["casino"], "hold_first_comments": 0})
    new_comment(body="The casino again", site="open")
    found = session.scalars(select(Statement)).one()
    assert found.restriction is Restriction.DEMOTION and found.automated
    assert found.actor.startswith("system:")


def test_a_ban_writes_its_statement(session, new_comment):
    comment = new_comment(author_email="troll@example.org")
    create_ban(
        session, comment.site_id, BanKind.EMAIL, actor="moderator:m", secret_key="test-secret",
        email="troll@example.org", reason="Repeated insults", comment_id=comment.id,
    )  # fmt: skip
    found = session.scalars(select(Statement)).one()
    assert found.restriction is Restriction.BAN


def test_once_published_nothing_restricts_it(session, new_comment, approve):
    comment = new_comment()
    approve(comment, action=Action.REJECT, reason=Reason.SPAM)
    approve(comment, action=Action.APPROVE)
    assert statements.for_author(session, comment.id, Status.APPROVED) is None
