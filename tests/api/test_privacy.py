"""A signed-in reader's own data through the widget API: exported, erased, and nobody else's."""

from __future__ import annotations

from sqlalchemy import select

from moderation.db import db
from moderation.models import Comment, MailSubscription, Reader, Site

from ..conftest import thread_url

ARTICLE = "/2026/12/privacy"
EXPORT = "/api/v1/sites/news/reader/export"
ERASE = "/api/v1/sites/news/reader/erase"


def _headers(token: str) -> dict[str, str]:
    return {"X-Reader-Token": token}


def test_a_reader_exports_only_their_own_comments(client, post, sign):
    rhea = sign(sub="rhea", name="Rhea Reader", email="rhea@example.org")
    theo = sign(sub="theo", name="Theo Other", email="theo@example.org")
    made = post(ARTICLE, body="Rhea's nasturtium words.", headers=_headers(rhea)).get_json()
    post(ARTICLE, body="Theo's words.", headers=_headers(theo))

    data = client.get(EXPORT, headers=_headers(rhea)).get_json()
    assert data["reader"]["subject"] == "rhea"
    assert data["reader"]["email"] == "rhea@example.org"
    assert [c["id"] for c in data["comments"]] == [made["comment"]["id"]]
    assert data["comments"][0]["body_text"] == "Rhea's nasturtium words."

    others = client.get(EXPORT, headers=_headers(theo)).get_json()
    assert [c["body_text"] for c in others["comments"]] == ["Theo's words."]


def test_a_reader_erases_their_data_and_the_thread_keeps_its_place(client, post, sign, app):
    rhea = sign(sub="rhea", name="Rhea Reader", email="rhea@example.org")
    made = post(ARTICLE, body="Rhea's nasturtium words.", headers=_headers(rhea)).get_json()
    with app.app_context():
        site_id = db.session.scalars(select(Site.id)).one()
        db.session.add(MailSubscription(site_id=site_id, email="rhea@example.org"))
        db.session.commit()

    answer = client.post(ERASE, headers=_headers(rhea))
    assert answer.status_code == 200
    counts = answer.get_json()
    assert counts["comments"] == 1 and counts["readers"] == 1
    assert counts["mail_subscriptions"] == 1

    with app.app_context():
        comment = db.session.get_one(Comment, made["comment"]["id"])
        assert (comment.author_name, comment.body_text, comment.author_email) == (
            "[deleted]",
            "",
            None,
        )
        reader = db.session.scalars(select(Reader)).one()
        assert (reader.name, reader.email, reader.badges) == ("[deleted]", None, [])
        assert db.session.scalars(select(MailSubscription)).all() == []
    data = client.get(EXPORT, headers=_headers(rhea)).get_json()
    assert [c["body_text"] for c in data["comments"]] == [""]
    assert client.get(thread_url("news", ARTICLE)).status_code == 200


def test_without_a_valid_token_nothing_is_exported_or_erased(client, post, sign):
    post(ARTICLE, headers=_headers(sign(sub="rhea")))
    for answer in (
        client.get(EXPORT),
        client.post(ERASE),
        client.get(EXPORT, headers=_headers("not-a-token")),
        client.post(ERASE, headers=_headers(sign(sub="rhea", key="not-the-secret-" * 3))),
    ):
        assert answer.status_code == 401
        assert answer.get_json()["error"]["code"] == "invalid_reader_token"


def test_an_unknown_site_is_not_found(client, sign):
    answer = client.get("/api/v1/sites/nowhere/reader/export", headers=_headers(sign()))
    assert answer.status_code == 404
