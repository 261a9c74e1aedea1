"""The Digital Services Act through HTTP: a notice of illegal content complete or refused field
by field, its receipt and outcome mailed to the notifier, the statement of reasons visible to
the author only, and an appeal decided by another moderator than the one who decided."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.db import db
from moderation.models import Appeal, AppealStatus, Comment, Flag, Moderator, Statement, Status
from moderation.outbox.worker import Worker

from ..outbox.smtp_server import SmtpServer

NOTICE = {
    "reason": "illegal",
    "category": "hate_speech",
    "law": "Volksverhetzung, § 130 StGB",
    "explanation": "It calls for violence against a group.",
    "notifier_name": "Nora Notifier",
    "notifier_email": "nora@example.org",
    "good_faith": True,
}


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, smtp_server):
    return {
        **app_config,
        "smtp_url": smtp_server.url,
        "mail_from": "Comments <comments@news.example>",
        "public_url": "https://comments.news.example",
    }


def deliver(app) -> None:
    worker = Worker(app)
    while worker.run_once():
        pass


@pytest.fixture
def public_comment(post, decide):
    created = post(author_email="ann@reader.example").get_json()
    decide(created["comment"]["id"])
    return created["comment"]["id"], created["edit_token"]


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ("category", "category"),
        ("law", "law"),
        ("explanation", "explanation"),
        ("notifier_name", "notifier_name"),
        ("notifier_email", "notifier_email"),
        ("good_faith", "good_faith"),
    ],
)
def test_an_incomplete_notice_is_refused_naming_the_field(client, public_comment, missing, field):
    comment_id, _ = public_comment
    body = {k: v for k, v in NOTICE.items() if k != missing}
    answer = client.post(f"/api/v1/comments/{comment_id}/flags", json=body)
    assert answer.status_code == 400, answer.get_json()
    assert answer.get_json()["error"]["field"] == field


def test_child_abuse_material_may_be_notified_anonymously(client, public_comment):
    comment_id, _ = public_comment
    body = {k: v for k, v in NOTICE.items() if k not in ("notifier_name", "notifier_email")} | {
        "category": "child_sexual_abuse"
    }
    answer = client.post(f"/api/v1/comments/{comment_id}/flags", json=body)
    assert answer.status_code == 201
    assert answer.get_json()["receipt"]["email_sent"] is False


def test_a_notice_gets_a_receipt_then_its_outcome_by_mail(
    app, client, public_comment, smtp_server, auth
):
    comment_id, _ = public_comment
    answer = client.post(f"/api/v1/comments/{comment_id}/flags", json=NOTICE)
    assert answer.status_code == 201
    receipt = answer.get_json()["receipt"]
    assert receipt["id"].startswith("N-") and receipt["email_sent"] is True
    deliver(app)
    [mail] = smtp_server.wait_for(1)
    assert mail["To"] == "nora@example.org"
    assert receipt["id"] in mail.get_body(("plain",)).get_content()
    # Apart from ordinary reports: not in the flagged view, in the notices.
    flagged = client.get("/api/v1/sites/news/queue?status=flagged", headers=auth).get_json()
    assert flagged["comments"] == []
    [listed] = client.get("/api/v1/sites/news/notices", headers=auth).get_json()["notices"]
    assert listed["receipt"] == receipt["id"] and listed["law"] == NOTICE["law"]
    refused = client.post(
        f"/api/v1/sites/news/notices/{listed['id']}/assessment",
        json={"assessment": "illegal"},
        headers=auth,
    )
    assert refused.status_code == 400 and refused.get_json()["error"]["field"] == "legal_ground"
    assessed = client.post(
        f"/api/v1/sites/news/notices/{listed['id']}/assessment",
        json={"assessment": "illegal", "legal_ground": "§ 130 StGB", "explanation": "Hate."},
        headers=auth,
    )
    assert assessed.status_code == 200, assessed.get_json()
    assert assessed.get_json()["notice"]["assessment"] == "illegal"
    deliver(app)
    mails = smtp_server.wait_for(2)
    assert "§ 130 StGB" in mails[1].get_body(("plain",)).get_content()
    with app.app_context():
        comment = db.session.get_one(Comment, comment_id)
        assert comment.status is Status.REJECTED
        statement = db.session.scalars(select(Statement)).one()
        assert (statement.ground_kind, statement.ground) == ("law", "§ 130 StGB")
        assert db.session.scalars(select(Flag)).one().assessed_by.startswith("token:")


def test_the_statement_of_reasons_is_the_author_s_alone(client, public_comment, decide):
    comment_id, edit_token = public_comment
    decide(comment_id, "reject", reason="abuse", explanation="Insults another reader.")
    own = client.get(f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": edit_token})
    statement = own.get_json()["comment"]["statement"]
    assert statement["restriction"] == "removal" and statement["automated"] is False
    assert statement["facts"] == "Insults another reader."
    assert statement["ground_kind"] == "house_rule"
    assert statement["appeal_until"] > statement["decided_at"]
    stranger = client.get(f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": "x" * 43})
    assert stranger.status_code in (401, 403)
    thread = client.get("/api/v1/sites/news/articles/%2F2026%2F11%2Fstory/comments").get_data(
        as_text=True
    )
    assert "Insults another reader." not in thread


def test_an_appeal_is_decided_by_another_moderator(app, client, public_comment, decide):
    comment_id, edit_token = public_comment
    with app.app_context():
        first = Moderator(email="first@news.example", password_hash="x")
        db.session.add(first)
        db.session.commit()
        first_id = first.id
        from moderation.comments.decide import decide as core_decide
        from moderation.models import Action, Reason

        core_decide(
            db.session(),
            site_id=None,
            comment_ids=[comment_id],
            action=Action.REJECT,
            actor="moderator:first@news.example",
            moderator_id=first_id,
            reason=Reason.OFF_TOPIC,
        )
        db.session.commit()
    filed = client.post(
        f"/api/v1/comments/{comment_id}/appeals",
        json={"body": "It was on topic: the article is about this."},
        headers={"X-Edit-Token": edit_token},
    )
    assert filed.status_code == 201, filed.get_json()
    again = client.post(
        f"/api/v1/comments/{comment_id}/appeals",
        json={"body": "Again"},
        headers={"X-Edit-Token": edit_token},
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "appeal_closed"
    from moderation.comments import appeals

    with app.app_context():
        appeal_id = db.session.scalars(select(Appeal.id)).one()
        with pytest.raises(appeals.SameModerator):
            appeals.decide_appeal(
                db.session(), appeal_id, [1], reverse=True,
                actor="moderator:first@news.example", moderator_id=first_id,
            )  # fmt: skip
        db.session.rollback()
        second = Moderator(email="second@news.example", password_hash="x")
        db.session.add(second)
        db.session.commit()
        appeals.decide_appeal(
            db.session(), appeal_id, [1], reverse=True,
            actor="moderator:second@news.example", moderator_id=second.id, explanation="Fair.",
        )  # fmt: skip
        db.session.commit()
        assert db.session.get_one(Comment, comment_id).status is Status.APPROVED
        assert db.session.get_one(Appeal, appeal_id).status is AppealStatus.REVERSED
    own = client.get(f"/api/v1/comments/{comment_id}", headers={"X-Edit-Token": edit_token})
    assert own.get_json()["comment"]["statement"] is None  # published again


def test_an_appeal_without_a_decision_to_contest_is_not_found(client, site, post):
    created = post().get_json()
    answer = client.post(
        f"/api/v1/comments/{created['comment']['id']}/appeals",
        json={"body": "Why?"},
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert answer.status_code == 404


def test_an_api_token_decides_appeals_of_automated_decisions_only(
    app, client, public_comment, decide, auth
):
    comment_id, edit_token = public_comment
    decide(comment_id, "reject", reason="spam")
    client.post(
        f"/api/v1/comments/{comment_id}/appeals",
        json={"body": "Not spam"},
        headers={"X-Edit-Token": edit_token},
    )
    [listed] = client.get("/api/v1/sites/news/appeals", headers=auth).get_json()["appeals"]
    answer = client.post(
        f"/api/v1/sites/news/appeals/{listed['id']}/decision",
        json={"outcome": "uphold"},
        headers=auth,
    )
    # The decision was a token's (a person's tool): a token cannot show it is someone else.
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "same_moderator"
