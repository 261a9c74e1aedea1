"""Notices of illegal content, through the core: complete or refused, apart from readers'
reports, assessed once, and each assessment doing what it says."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.comments import notices
from moderation.errors import InvalidTransition, NotFound, ValidationError
from moderation.models import Action, Assessment, Comment, Event, Statement, Status

NOTICE = notices.NewNotice(
    category="defamation",
    law="Defamation Act",
    explanation="It says I stole money; I did not.",
    notifier_name="Nina",
    notifier_email="Nina@Example.org",
    good_faith=True,
)


@pytest.fixture
def public(new_comment, approve):
    comment = new_comment()
    approve(comment)
    return comment


def test_a_notice_is_kept_apart_from_reports(session, public):
    flag = notices.file_notice(session, public.id, NOTICE, "reporter")
    session.commit()
    assert flag.receipt and flag.notifier_email == "nina@example.org"
    assert session.get_one(Comment, public.id).open_flag_count == 0
    assert [e.type for e in session.scalars(select(Event).order_by(Event.id))][-2:] == [
        "flag.created", "notice.received",
    ]  # fmt: skip
    assert notices.open_count(session, [public.site_id]) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [({"good_faith": False}, "good_faith"), ({"law": " "}, "law"), ({"category": "x"}, "category")],
)
def test_an_incomplete_notice_is_refused(session, public, change, field):
    from dataclasses import replace

    with pytest.raises(ValidationError) as refused:
        notices.file_notice(session, public.id, replace(NOTICE, **change), "reporter")
    assert refused.value.field == field


def test_a_pending_comment_cannot_be_notified(session, new_comment):
    with pytest.raises(NotFound):
        notices.file_notice(session, new_comment().id, NOTICE, "reporter")


def test_no_action_leaves_the_comment_up_and_is_logged(session, public):
    flag = notices.file_notice(session, public.id, NOTICE, "reporter")
    notices.assess(session, flag.id, [public.site_id], assessment=Assessment.NO_ACTION, actor="m")
    session.commit()
    assert session.get_one(Comment, public.id).status is Status.APPROVED
    with pytest.raises(InvalidTransition):
        notices.assess(
            session, flag.id, [public.site_id], assessment=Assessment.ILLEGAL, actor="m",
            legal_ground="x",
        )  # fmt: skip
    from moderation.models import Decision

    actions = [d.action for d in session.scalars(select(Decision).order_by(Decision.id))]
    assert actions[-1] is Action.ASSESS


def test_house_rules_remove_it_with_the_rule_as_ground(session, public):
    flag = notices.file_notice(session, public.id, NOTICE, "reporter")
    notices.assess(session, flag.id, [public.site_id], assessment=Assessment.HOUSE_RULES, actor="m")
    session.commit()
    assert session.get_one(Comment, public.id).status is Status.REJECTED
    assert session.scalars(select(Statement)).one().ground_kind == "house_rule"


def test_another_site_s_notice_is_not_found(session, public):
    flag = notices.file_notice(session, public.id, NOTICE, "reporter")
    with pytest.raises(NotFound):
        notices.assess(session, flag.id, [999], assessment=Assessment.NO_ACTION, actor="m")
