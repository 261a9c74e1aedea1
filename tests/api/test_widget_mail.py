"""The widget's side of mail, through the HTTP API: asking to be told of replies and decisions,
and the author reading why a moderator did not publish their comment."""

from __future__ import annotations

from sqlalchemy import select

from moderation.db import db
from moderation.models import Event, MailSubscription
from moderation.outbox.events import READER_CONFIRM


def test_asking_to_be_notified_mails_a_confirmation_first(app, client, site, post):
    answer = post(author_email="Ann@Reader.example", notify=["replies", "decisions"], lang="nl")
    assert answer.get_json()["notify"] == {"lists": ["replies", "decisions"], "confirmed": False}
    with app.app_context():
        subscription = db.session.scalars(select(MailSubscription)).one()
        assert (subscription.email, subscription.lang) == ("ann@reader.example", "nl")
        confirm = db.session.scalars(select(Event).where(Event.type == READER_CONFIRM)).one()
        assert confirm.data["email"] == "ann@reader.example"


def test_without_notify_the_answer_says_so(client, site, post):
    assert post(author_email="ann@reader.example").get_json()["notify"] is None


def test_notify_needs_an_address(client, site, post):
    answer = post(notify=["replies"], expect=400)
    error = answer.get_json()["error"]
    assert (error["code"], error["field"]) == ("validation_error", "notify")


def test_notify_takes_only_known_lists(client, site, post):
    answer = post(author_email="a@b.example", notify=["everything"], expect=400)
    assert answer.get_json()["error"]["field"] == "notify"


def test_a_signed_in_reader_s_address_needs_no_confirmation(client, site, sign, post):
    token = sign(email="rhea@reader.example")
    answer = post(notify=["replies"], headers={"X-Reader-Token": token})
    assert answer.get_json()["notify"] == {"lists": ["replies"], "confirmed": True}


def test_the_author_reads_why_their_comment_was_rejected(client, site, post, decide):
    created = post(author_email="a@b.example").get_json()
    comment_id, edit_token = created["comment"]["id"], created["edit_token"]
    own = client.get(f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": edit_token})
    assert own.get_json()["comment"]["decision"] is None
    decide(comment_id, "reject", reason="off_topic", explanation="<b>Stay on the story</b>")
    own = client.get(f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": edit_token})
    decision = own.get_json()["comment"]["decision"]
    assert decision["action"] == "reject" and decision["reason"] == "off_topic"
    assert decision["explanation"] == "<b>Stay on the story</b>"  # text; the widget shows it so


def test_the_rules_spam_verdict_is_not_shown_as_a_decision(client, site, post):
    created = post(website="http://bot.example", expect=201).get_json()
    own = client.get(
        f"/api/v1/comments/{created['comment']['id']}",
        headers={"X-Edit-Token": created["edit_token"]},
    )
    body = own.get_json()["comment"]
    assert body["status"] == "pending" and body["decision"] is None
