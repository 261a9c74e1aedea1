"""Mail end to end, through a real SMTP server: a reader's address is confirmed by the link
mailed to it before anything else is sent; then replies and decisions reach it, each mail with a
one-click unsubscribe that works; moderators get the reports they asked for."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from sqlalchemy import select

from moderation.comments.reports import report
from moderation.comments.screening import Client
from moderation.models import (
    Action,
    Delivery,
    DeliveryStatus,
    MailSubscription,
    Moderator,
    Reason,
    Site,
)

EMAIL = "ann@reader.example"


def link_in(message, start: str) -> str:
    text = message.get_body(("plain",)).get_content()
    found = re.search(rf"https://comments\.news\.example{re.escape(start)}[^\s>]+", text)
    assert found, text
    return found.group(0)


def follow(client, url: str, **kwargs):
    """Open a mailed link on the service (its path and query), GET then POST, as a person
    clicking the page's button would."""
    parts = urlsplit(url)
    path = f"{parts.path}?{parts.query}"
    page = client.get(path)
    assert page.status_code == 200, page.get_data(as_text=True)
    assert '<form method="post"' in page.get_data(as_text=True)
    return client.post(path, **kwargs)


def subscribed_comment(new_comment, deliver, smtp_server, client, **fields):
    comment = new_comment(author_email=EMAIL, notify=("replies", "decisions"), **fields)
    deliver()
    [confirm] = smtp_server.wait_for(1)
    assert confirm["To"] == EMAIL
    assert "List-Unsubscribe" not in confirm
    done = follow(client, link_in(confirm, "/mail/confirm"))
    assert done.status_code == 200
    return comment


def test_nothing_but_the_confirmation_goes_to_an_address_not_confirmed(
    session, new_comment, approve, deliver, smtp_server
):
    comment = new_comment(author_email=EMAIL, notify=("replies", "decisions"))
    approve(comment)
    reply = new_comment(body="An answer", author_name="Bob", parent_id=comment.id)
    approve(reply)
    deliver()
    [only] = smtp_server.wait_for(1)
    assert only["To"] == EMAIL and "confirm" in only["Subject"].lower()
    subscription = session.scalars(select(MailSubscription)).one()
    assert subscription.confirmed_at is None
    assert [d.mail for d in session.scalars(select(Delivery))] == ["confirm"]


def test_a_second_comment_within_the_hour_sends_no_second_confirmation(
    new_comment, deliver, smtp_server
):
    new_comment(author_email=EMAIL, notify=("replies",))
    new_comment(body="Another", author_email=EMAIL, notify=("decisions",))
    deliver()
    assert len(smtp_server.wait_for(1)) == 1


def test_a_confirmed_reader_is_mailed_a_reply_with_one_click_unsubscribe(
    client, session, new_comment, approve, deliver, smtp_server
):
    comment = subscribed_comment(new_comment, deliver, smtp_server, client)
    approve(comment)
    deliver()
    assert len(smtp_server.messages) == 2  # the approval, as asked
    reply = new_comment(body="I <b>disagree</b>", author_name="Bob <script>", parent_id=comment.id)
    approve(reply)
    deliver()
    mail = smtp_server.wait_for(3)[2]
    assert mail["To"] == EMAIL
    html = mail.get_body(("html",)).get_content()
    assert "Bob &lt;script&gt;" in html and "<script>" not in html
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = mail["List-Unsubscribe"].strip("<>")
    # What a mail client does for "unsubscribe" (RFC 8058): one POST, no page, no login.
    parts = urlsplit(unsubscribe)
    answer = client.post(
        f"{parts.path}?{parts.query}",
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    session.expire_all()
    subscription = session.scalars(select(MailSubscription)).one()
    assert (subscription.replies, subscription.decisions) == (False, True)
    another = new_comment(body="Me again", author_name="Bob", parent_id=comment.id)
    approve(another)
    deliver()
    assert len(smtp_server.messages) == 3  # no more replies


def test_a_rejection_tells_the_author_why_in_their_language(
    client, session, new_comment, approve, deliver, smtp_server
):
    comment = subscribed_comment(new_comment, deliver, smtp_server, client, lang="fr")
    approve(comment, action=Action.REJECT, reason=Reason.OFF_TOPIC, explanation="Hors sujet ici.")
    deliver()
    mail = smtp_server.wait_for(2)[1]
    text = mail.get_body(("plain",)).get_content()
    assert "Hors sujet ici." in text
    assert mail["Content-Language"] == "fr" and "hors sujet" in text


def test_the_rules_own_verdicts_are_not_mailed(client, new_comment, deliver, smtp_server):
    subscribed_comment(new_comment, deliver, smtp_server, client)
    deliver()
    assert len(smtp_server.messages) == 1


def test_a_spam_submission_sends_no_confirmation_to_the_address_it_names(
    session, new_comment, deliver, smtp_server
):
    bot = Client(guest_key="bot", honeypot_filled=True)
    new_comment(author_email="victim@example.org", notify=("replies",), client=bot)
    deliver()
    assert smtp_server.messages == []
    assert session.scalars(select(MailSubscription)).all() == []


def test_an_altered_link_does_nothing(client, new_comment, deliver, smtp_server, session):
    new_comment(author_email=EMAIL, notify=("replies",))
    deliver()
    [confirm] = smtp_server.wait_for(1)
    url = link_in(confirm, "/mail/confirm")
    parts = urlsplit(url)
    forged = f"{parts.path}?{parts.query[:-3]}abc"
    assert client.post(forged).status_code == 400
    assert client.get("/mail/unsubscribe?token=<script>").status_code == 400
    assert session.scalars(select(MailSubscription)).one().confirmed_at is None


def test_an_smtp_server_refusing_for_a_while_is_tried_again(
    session, new_comment, deliver, smtp_server
):
    from datetime import timedelta

    from moderation.models import utcnow

    smtp_server.refuse_next(1, code=451)
    new_comment(author_email=EMAIL, notify=("replies",))
    deliver()
    delivery = session.scalars(select(Delivery)).one()
    assert delivery.status is DeliveryStatus.PENDING and "451" in (delivery.last_error or "")
    moment = utcnow() + timedelta(hours=1)
    deliver(clock=lambda: moment)
    assert len(smtp_server.wait_for(1)) == 1


def test_moderators_who_asked_are_mailed_each_report(
    app, session, new_comment, approve, policy, deliver, smtp_server
):
    site = session.scalars(select(Site)).one()
    wanting = Moderator(email="mod@news.example", password_hash="x", notify_reports=True)
    wanting.sites.append(site)
    quiet = Moderator(email="quiet@news.example", password_hash="x")
    quiet.sites.append(site)
    other = Moderator(email="elsewhere@news.example", password_hash="x", notify_reports=True)
    session.add_all([wanting, quiet, other])
    comment = new_comment()
    approve(comment)
    report(session, comment.id, Reason.ABUSE, "<img src=x onerror=alert(1)>", "r-1", policy)
    deliver()
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "mod@news.example"
    html = mail.get_body(("html",)).get_content()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert f"https://comments.news.example/dashboard/comments/{comment.id}" in html
    assert "List-Unsubscribe" in mail


def test_a_rejection_mails_its_statement_and_an_appeal_its_outcome(
    client, session, new_comment, approve, deliver, smtp_server
):
    from moderation.comments import appeals
    from moderation.models import Comment

    comment = subscribed_comment(new_comment, deliver, smtp_server, client)
    approve(comment, action=Action.REJECT, reason=Reason.ABUSE, explanation="Insults a reader.")
    deliver()
    text = smtp_server.wait_for(2)[1].get_body(("plain",)).get_content()
    assert "Insults a reader." in text and "Decided by a moderator" in text
    assert "contest this decision until" in text
    appeal = appeals.file_appeal(session, session.get_one(Comment, comment.id), "Not an insult.")
    session.commit()
    appeals.decide_appeal(
        session, appeal.id, [comment.site_id], reverse=True, actor="moderator:other",
        moderator_id=None, explanation="Fair point.",
    )  # fmt: skip
    session.commit()
    deliver()
    outcomes = [m for m in smtp_server.wait_for(4) if "appeal" in m["Subject"].lower()]
    assert outcomes and "Fair point." in outcomes[0].get_body(("plain",)).get_content()
