"""The Digital Services Act in the widget, in Debian's Chromium: a reader's notice of illegal
content (Art. 16) with its receipt, and the author's statement of reasons (Art. 17) for a
decision on their comment, with the appeal they may file from it (Art. 20). Everything the
service or a moderator wrote is shown as text."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from moderation.comments import appeals
from moderation.comments.decide import decide
from moderation.db import db
from moderation.models import Action, Appeal, AppealStatus, Comment, Flag, Reason

from .test_identity import audit
from .test_widget import demo_page, post, seed
from .test_widget_notices import HOSTILE
from .test_widget_tripups import SHADOW, wait_for_own

pytestmark = pytest.mark.browser

GOOD_FAITH = "I believe in good faith that the information in this notice is accurate and complete."
LAW = "Which law, or what kind of illegality?"
WHY = "Why is it illegal?"


def open_notice(page, comment_id: int):
    """The report form of the comment, with "Illegal content" picked."""
    page.locator(f"#comment-{comment_id}").get_by_role("button", name="Report").click()
    box = page.get_by_role("form", name="Report this comment")
    box.get_by_label("Reason").select_option(label="Illegal content")
    box.get_by_label(LAW).wait_for()
    return box


def reject_as_illegal(service, explanation: str, legal_ground: str) -> int:
    with service.app.app_context():
        [comment] = db.session.scalars(db.select(Comment)).all()
        decide(
            db.session(),
            site_id=None,
            comment_ids=[comment.id],
            action=Action.REJECT,
            actor="moderator:m@x",
            reason=Reason.ILLEGAL,
            explanation=explanation,
            legal_ground=legal_ground,
        )
        db.session.commit()
        return comment.id


def test_a_notice_of_illegal_content_asks_for_its_fields_and_gives_a_receipt(
    open_page, service, axe_source
):
    comment_id = seed(service, "The mayor takes bribes, everyone knows.", name="Angry")
    page = demo_page(open_page, service, bypass_csp=True).page  # for the injected audit only
    box = open_notice(page, comment_id)
    name, email = box.get_by_label("Your name"), box.get_by_label("Your email")
    expect(box.get_by_label("Kind of illegal content")).to_be_visible()
    expect(box.get_by_label(WHY)).to_be_visible()
    expect(box.get_by_label(GOOD_FAITH)).to_have_attribute("type", "checkbox")
    assert box.get_by_label("Note (optional)").is_hidden()
    audit(page, axe_source)

    # Nothing filled in: the service names the first field missing, told next to it, focused.
    box.get_by_role("button", name="Send report").click()
    category = box.get_by_label("Kind of illegal content")
    expect(category).to_be_focused()
    expect(category).to_have_attribute("aria-invalid", "true")
    expect(category).to_have_accessible_description(re.compile(r"\S"))
    assert page.evaluate(f"{SHADOW}.activeElement.name") == "category"
    with service.app.app_context():
        assert db.session.scalars(db.select(Flag)).all() == []

    # Name and email are optional for child sexual abuse material only.
    category.select_option("child_sexual_abuse")
    expect(name).to_have_accessible_name("Your name (optional)")
    expect(email).to_have_accessible_name("Your email (optional)")
    category.select_option("defamation")
    expect(name).to_have_accessible_name("Your name")
    expect(email).to_have_accessible_name("Your email")

    box.get_by_label(LAW).fill("Defamation (Art. 443 Belgian Criminal Code)")
    box.get_by_label(WHY).fill("It accuses the mayor of a crime without any fact.")
    name.fill("Jan Janssens")
    email.fill("jan@example.org")
    # A field the service still refuses is told on that field: the good-faith statement.
    box.get_by_role("button", name="Send report").click()
    faith = box.get_by_label(GOOD_FAITH)
    expect(faith).to_be_focused()
    expect(faith).to_have_accessible_description(re.compile(r"\S"))
    expect(category).not_to_have_attribute("aria-invalid", "true")

    faith.check()
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/flags")) as sent:
        box.get_by_role("button", name="Send report").click()
    receipt = box.get_by_text(re.compile(r"^Notice received: N-\S+\. We sent a confirmation"))
    expect(receipt).to_be_visible()
    body = sent.value.post_data_json
    assert body["lang"] == "en" and body["good_faith"] is True and body["category"] == "defamation"
    with service.app.app_context():
        [flag] = db.session.scalars(db.select(Flag)).all()
        assert flag.comment_id == comment_id
        assert flag.law == "Defamation (Art. 443 Belgian Criminal Code)"
        assert flag.notifier_email == "jan@example.org" and flag.notifier_lang == "en"
        assert flag.receipt and flag.receipt.startswith("N-")
    expect(receipt).to_have_text(
        f"Notice received: {flag.receipt}. We sent a confirmation to your email."
    )


def test_an_anonymous_notice_of_abuse_material_is_received_without_mail(open_page, service):
    comment_id = seed(service, "A link to something vile.", name="Someone")
    page = demo_page(open_page, service).page
    box = open_notice(page, comment_id)
    box.get_by_label("Kind of illegal content").select_option("child_sexual_abuse")
    box.get_by_label("Your name (optional)").fill("")
    box.get_by_label(LAW).fill("Child sexual abuse material")
    box.get_by_label(WHY).fill("The link leads to it.")
    box.get_by_label(GOOD_FAITH).check()
    box.get_by_role("button", name="Send report").click()
    expect(box.get_by_text(re.compile(r"^Notice received: N-\S+\.$"))).to_be_visible()
    with service.app.app_context():
        [flag] = db.session.scalars(db.select(Flag)).all()
        assert flag.notifier_email is None and flag.category == "child_sexual_abuse"


def test_the_author_reads_why_and_appeals_from_the_widget(open_page, service, axe_source):
    page = demo_page(open_page, service, bypass_csp=True).page
    post(page, "The councillor is a criminal and should be hanged.")
    wait_for_own(page, "The councillor is a criminal")
    comment_id = reject_as_illegal(
        service, "Calls for violence against a named person.", "§130 StGB"
    )
    page.reload()
    why = page.get_by_role("region", name="Why?")
    expect(why).to_contain_text("Calls for violence against a named person.")
    expect(why).to_contain_text("Decided by a moderator")
    expect(why).to_contain_text("Legal ground: §130 StGB")
    expect(why).to_contain_text(re.compile(r"You can contest this decision until \w+ \d+, \d{4}\."))
    expect(page.locator(".notice[role=alert]")).to_contain_text(
        "Your comment was not published: possibly illegal."
    )
    audit(page, axe_source)

    why.get_by_role("button", name="Contest this decision").click()
    appeal = why.get_by_label("Why should the decision be changed?")
    expect(appeal).to_be_focused()
    audit(page, axe_source)
    appeal.fill("It was hyperbole, not a call to violence.")
    why.get_by_role("button", name="Send").click()
    received = "Your appeal was received; another moderator will review it."
    expect(why.get_by_text(received)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text(received)
    with service.app.app_context():
        [row] = db.session.scalars(db.select(Appeal)).all()
        assert row.comment_id == comment_id
        assert row.body == "It was hyperbole, not a call to violence."
        assert row.status == AppealStatus.OPEN

    # The browser kept the rejected comment to come back to: the appeal is being reviewed.
    page.reload()
    why = page.get_by_role("region", name="Why?")
    expect(why).to_contain_text("Your appeal is being reviewed")
    assert why.get_by_role("button", name="Contest this decision").count() == 0
    # Once more: still kept (the first reload did not forget it).
    page.reload()
    expect(page.get_by_role("region", name="Why?")).to_contain_text("being reviewed")


def test_a_second_appeal_is_refused_next_to_the_field(open_page, service):
    page = demo_page(open_page, service).page
    post(page, "Something the moderators took down.")
    wait_for_own(page, "Something the moderators")
    reject_as_illegal(service, "Unlawful.", "§185 StGB")
    page.reload()
    why = page.get_by_role("region", name="Why?")
    why.get_by_role("button", name="Contest this decision").click()
    # Filed meanwhile from another tab: the service refuses this one (409 appeal_closed).
    with service.app.app_context():
        [comment] = db.session.scalars(db.select(Comment)).all()
        appeals.file_appeal(db.session(), comment, "From another tab.")
        db.session.commit()
    appeal = why.get_by_label("Why should the decision be changed?")
    appeal.fill("Again.")
    why.get_by_role("button", name="Send").click()
    expect(appeal).to_have_attribute("aria-invalid", "true")
    expect(appeal).to_have_accessible_description(re.compile(r"\S"))
    expect(appeal).to_be_focused()


def test_hostile_facts_and_grounds_are_shown_as_text(open_page, service, axe_source):
    watched = demo_page(open_page, service, bypass_csp=True)
    page = watched.page
    post(page, "An innocent comment.")
    wait_for_own(page, "An innocent comment.")
    reject_as_illegal(service, HOSTILE, HOSTILE)
    page.reload()
    why = page.get_by_role("region", name="Why?")
    expect(why.locator("p").first).to_have_text(HOSTILE)
    expect(why).to_contain_text(f"Legal ground: {HOSTILE}")
    assert why.locator("img, script, svg").count() == 0
    expect(page.locator(".notice[role=alert]")).to_contain_text(f"“{HOSTILE}”")
    audit(page, axe_source)
    assert page.evaluate("typeof window.__pwned") == "function"  # the marker, not 1
    assert watched.pwned() == 0


def test_an_upheld_appeal_says_the_decision_stands_with_the_moderators_words(open_page, service):
    watched = demo_page(open_page, service)
    page = watched.page
    post(page, "A comment taken down, then contested.")
    wait_for_own(page, "A comment taken down")
    comment_id = reject_as_illegal(service, "Insults a named person.", "§185 StGB")
    page.reload()
    why = page.get_by_role("region", name="Why?")
    why.get_by_role("button", name="Contest this decision").click()
    why.get_by_label("Why should the decision be changed?").fill("It was a joke.")
    why.get_by_role("button", name="Send").click()
    why.get_by_text("Your appeal was received").wait_for()
    with service.app.app_context():
        [row] = db.session.scalars(db.select(Appeal)).all()
        comment = db.session.get(Comment, comment_id)
        appeals.decide_appeal(
            db.session(), row.id, [comment.site_id], reverse=False,
            actor="moderator:other@x", moderator_id=None, explanation=HOSTILE,
        )  # fmt: skip
        db.session.commit()
    page.reload()
    why = page.get_by_role("region", name="Why?")
    expect(why).to_contain_text("Your appeal was reviewed: the decision stands.")
    expect(why).to_contain_text(f"The moderator wrote: “{HOSTILE}”")
    assert why.get_by_role("button", name="Contest this decision").count() == 0
    assert why.locator("img, script, svg").count() == 0
    assert watched.pwned() == 0
