"""What the widget tells an author by mail and on the page, in Debian's Chromium: the offer of
mail notices once there is an address, the confirmation it asks for, and a moderator's reason
and words when their comment was not published (as text, in the widget's language)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from moderation.comments.decide import decide
from moderation.db import db
from moderation.models import Action, Comment, MailSubscription, Reason, Site

from .test_identity import audit, login, signed_in_publisher  # noqa: F401  (fixtures)
from .test_widget import demo_page, post
from .test_widget_tripups import page_at, wait_for_own

pytestmark = pytest.mark.browser

EMAIL_LABEL = "Email (optional, never shown)"
REPLIES = "Email me when someone replies"
DECISIONS = "Email me about moderators' decisions on my comment"
HINT = "We first send a link to confirm your address."
# tests/pages.py defines window.__pwned before any page script (a marker hostile payloads call):
# assigning it, as these do, or calling it would show.
HOSTILE = (
    '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=1</script> '
    "<svg onload=__pwned()></svg>"
)


def comment_posts(page) -> list[dict]:
    """The bodies of the comments the page sends, as they go."""
    sent: list[dict] = []

    def record(request):
        if request.method == "POST" and request.url.endswith("/comments"):
            sent.append(json.loads(request.post_data or "{}"))

    page.on("request", record)
    return sent


def reject_the_only_comment(
    service, action=Action.REJECT, reason=Reason.OFF_TOPIC, explanation=None
):
    with service.app.app_context():
        site = db.session.scalars(db.select(Site).where(Site.slug == "demo")).one()
        [comment] = db.session.scalars(db.select(Comment)).all()
        decide(
            db.session(),
            site_id=site.id,
            comment_ids=[comment.id],
            action=action,
            actor="moderator:m@x.example",
            reason=reason,
            explanation=explanation,
        )
        db.session.commit()


def test_mail_notices_are_offered_once_an_email_is_typed_and_ask_to_confirm(
    open_page, service, axe_source
):
    page = demo_page(open_page, service, bypass_csp=True).page  # for the injected audit only
    sent = comment_posts(page)
    form = page.get_by_role("form", name="Write a comment")
    replies, decisions = form.get_by_label(REPLIES), form.get_by_label(DECISIONS)
    expect(replies).to_be_hidden()
    expect(decisions).to_be_hidden()

    form.get_by_label(EMAIL_LABEL).fill("marie@example.org")
    expect(replies).to_be_visible()
    expect(decisions).to_be_visible()
    expect(replies).to_have_attribute("type", "checkbox")
    expect(replies).to_have_accessible_description(HINT)
    expect(decisions).to_have_accessible_description(HINT)
    audit(page, axe_source)
    # No address again, no offer.
    form.get_by_label(EMAIL_LABEL).fill("")
    expect(replies).to_be_hidden()
    form.get_by_label(EMAIL_LABEL).fill("marie@example.org")

    replies.check()
    decisions.check()
    post(page, "Tell me when the council answers.")
    wait_for_own(page, "Tell me when the council answers.")
    expect(page.get_by_role("status")).to_have_text(
        "Your comment was received and awaits moderation. "
        "Check your inbox: we sent a link to confirm your address."
    )
    # Shown too, under the comment, where a sighted reader looks.
    expect(page.locator(".thread li.c .mail")).to_have_text(
        "Check your inbox: we sent a link to confirm your address."
    )
    assert len(sent) == 1
    assert sent[0]["notify"] == ["replies", "decisions"]
    assert sent[0]["lang"] == "en"
    assert sent[0]["author_email"] == "marie@example.org"
    with service.app.app_context():
        [subscription] = db.session.scalars(db.select(MailSubscription)).all()
        assert subscription.email == "marie@example.org"
        assert (subscription.replies, subscription.decisions) == (True, True)
        assert subscription.lang == "en"
        assert subscription.confirmed_at is None


def test_without_a_box_checked_no_notice_is_asked_for(open_page, service):
    page = demo_page(open_page, service).page
    sent = comment_posts(page)
    form = page.get_by_role("form", name="Write a comment")
    form.get_by_label(EMAIL_LABEL).fill("tom@example.org")
    form.get_by_label(DECISIONS).check()
    form.get_by_label(DECISIONS).uncheck()
    post(page, "Just a comment.")
    wait_for_own(page, "Just a comment.")
    expect(page.get_by_role("status")).to_have_text(
        "Your comment was received and awaits moderation."
    )
    assert sent[0]["notify"] == [] and sent[0]["lang"] == "en"
    assert page.locator(".mail").count() == 0


def test_a_signed_in_reader_with_an_email_is_offered_notices_already_confirmed(
    open_page,
    login,  # noqa: F811
):
    page = login.open(open_page, login.token(email="ada@example.org")).page
    sent = comment_posts(page)
    page.get_by_text("Signed in as").wait_for()
    form = page.get_by_role("form", name="Write a comment")
    form.get_by_label(REPLIES).check()
    form.get_by_label("Your comment").fill("Mail me the replies.")
    form.get_by_role("button", name="Post comment").click()
    expect(page.locator(".thread li.c .mail")).to_have_text("We will email you.")
    assert sent[0]["notify"] == ["replies"]
    # An address from the login is not confirmed by a link: no such hint.
    assert page.get_by_text(HINT).count() == 0


def test_a_signed_in_reader_without_an_email_is_not_offered_notices(
    open_page,
    login,  # noqa: F811
):
    page = login.open(open_page, login.token()).page
    page.get_by_text("Signed in as").wait_for()
    expect(page.get_by_role("button", name="Post comment")).to_be_visible()
    assert page.get_by_label(REPLIES).count() == 0


def test_a_refused_notice_is_told_by_the_email_field(open_page, service):
    page = demo_page(open_page, service).page
    message = "Give your email address to be told of replies or decisions."

    def refuse(route):
        if route.request.method != "POST":
            return route.continue_()
        error = {"code": "validation_error", "message": message, "field": "notify"}
        return route.fulfill(status=400, content_type="application/json", json={"error": error})

    page.route("**/api/v1/sites/demo/articles/*/comments", refuse)
    form = page.get_by_role("form", name="Write a comment")
    email = form.get_by_label(EMAIL_LABEL)
    email.fill("marie@example.org")
    form.get_by_label(REPLIES).check()
    post(page, "Tell me.")
    expect(email).to_have_accessible_description(message)
    expect(email).to_be_focused()
    expect(form.get_by_text(message)).to_be_visible()


def test_a_rejected_comment_tells_its_author_why_as_text(open_page, service):
    watched = demo_page(open_page, service)
    page = watched.page
    post(page, "Buy cheap tram tickets here.")
    wait_for_own(page, "Buy cheap tram tickets")
    reject_the_only_comment(service, explanation=HOSTILE)
    page.reload()
    notice = page.locator(".notice[role=alert]")
    expect(notice).to_have_text(
        f"Your comment was not published: off topic. The moderator wrote: “{HOSTILE}”"
    )
    assert notice.locator("img, script, svg").count() == 0
    assert page.evaluate("typeof window.__pwned") == "function"  # the marker, not 1
    assert watched.pwned() == 0
    assert page.get_by_text("Buy cheap tram tickets").count() == 0


def test_a_rejection_without_words_says_the_reason_alone(open_page, service):
    page = demo_page(open_page, service).page
    post(page, "Visit my shop.")
    wait_for_own(page, "Visit my shop.")
    reject_the_only_comment(service, action=Action.SPAM, reason=Reason.SPAM)
    page.reload()
    expect(page.locator(".notice[role=alert]")).to_have_text(
        "Your comment was not published: spam or advertising."
    )


@pytest.mark.parametrize(
    ("reason", "words"),
    [
        (Reason.ABUSE, "injurieux ou insultant"),
        (Reason.PERSONAL_DATA, "données personnelles d'autrui"),
    ],
)
def test_the_french_widget_says_the_reason_in_french(open_page, service, reason, words):
    body = '<div id="comments" data-site="demo" data-article="/fr/tram" data-lang="fr"></div>'
    page = page_at(open_page, service, body).page
    sent = comment_posts(page)
    form = page.get_by_role("form", name="Écrire un commentaire")
    form.get_by_label("Nom").fill("Claire")
    form.get_by_label("Votre commentaire").fill("Un commentaire en français.")
    form.get_by_role("button", name="Publier").click()
    page.locator(".thread li.c .body").filter(has_text="Un commentaire en français.").wait_for()
    assert sent[0]["lang"] == "fr"
    reject_the_only_comment(service, reason=reason, explanation="Merci de rester courtois.")
    page.reload()
    expect(page.locator(".notice[role=alert]")).to_have_text(
        f"Votre commentaire n'a pas été publié : {words}. "
        "Le modérateur a écrit : « Merci de rester courtois. »"
    )
