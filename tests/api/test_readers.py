"""Signed-in readers, staff, featured comments and reactions, through the HTTP API."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import jwt
import pytest
from sqlalchemy import select

from moderation.admin import update_readers
from moderation.comments.readers import rotate_secret
from moderation.db import db
from moderation.models import Comment, Reader, Site

from ..conftest import thread_url

# One test signs with HS512 on purpose, with a key PyJWT finds short for it.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

ARTICLE = "/2026/12/sso"


def _site(slug: str = "news") -> Site:
    found = db.session.scalar(select(Site).where(Site.slug == slug))
    assert found is not None
    return found


def _readers(app, **settings: Any) -> None:
    with app.app_context():
        update_readers(db.session(), _site(), **settings)
        db.session.commit()


def _reader_headers(token: str) -> dict[str, str]:
    return {"X-Reader-Token": token}


def test_a_signed_in_reader_posts_under_the_tokens_name(client, post, sign, app):
    token = sign(name="Rhea from the token", email="rhea@example.org", badges=["Subscriber"])
    made = post(ARTICLE, author_name="Typed Name", headers=_reader_headers(token)).get_json()
    assert made["comment"]["author_name"] == "Rhea from the token"
    assert made["comment"]["author_email"] == "rhea@example.org"
    assert made["comment"]["badges"] == ["Subscriber"]
    with app.app_context():
        reader = db.session.scalars(select(Reader)).one()
        comment = db.session.get_one(Comment, made["comment"]["id"])
        assert (reader.subject, reader.name) == ("reader-1", "Rhea from the token")
        assert comment.reader_id == reader.id


def test_the_account_follows_the_tokens_latest_claims(client, post, sign, app):
    post(ARTICLE, headers=_reader_headers(sign(name="Old Name", badges=["A"])))
    post(ARTICLE, body="Second.", headers=_reader_headers(sign(name="New Name", badges=["B"])))
    with app.app_context():
        reader = db.session.scalars(select(Reader)).one()
        assert (reader.name, reader.badges) == ("New Name", ["B"])


@pytest.mark.parametrize(
    "case",
    ["wrong secret", "expired", "alg none", "HS512 with the secret", "no sub", "future iat"],
)
def test_tokens_that_are_not_the_sites_are_refused(client, post, sign, secret, case):
    now = int(time.time())
    token = {
        "wrong secret": lambda: sign(key="not-the-secret-" * 3),
        "expired": lambda: sign(exp=now - 3600, iat=now - 7200),
        "alg none": lambda: jwt.encode({"sub": "x"}, None, algorithm="none"),
        "HS512 with the secret": lambda: sign(algorithm="HS512"),
        "no sub": lambda: jwt.encode({"name": "x"}, secret, algorithm="HS256"),
        "future iat": lambda: sign(iat=now + 3600),
    }[case]()
    answer = post(ARTICLE, headers=_reader_headers(token), expect=401).get_json()
    assert answer["error"]["code"] == "invalid_reader_token"


def test_a_forged_role_is_refused(client, post, sign):
    # The signature covers the claims: a reader who edits "role" to staff breaks it.
    header, payload, signature = sign(role="commenter").split(".")
    forged_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"commenter"', b'"staff"')
    ).decode()
    forged = f"{header}.{forged_payload}.{signature}"
    post(ARTICLE, headers=_reader_headers(forged), expect=401)


def test_a_token_with_bad_claims_is_refused(client, post, sign):
    for claims in ({"role": "admin"}, {"badges": "Staff"}, {"badges": ["x" * 40]}):
        post(ARTICLE, headers=_reader_headers(sign(**claims)), expect=401)


def test_a_token_signed_out_is_refused(client, post, sign):
    token = sign(jti="session-1")
    post(ARTICLE, headers=_reader_headers(token))
    assert (
        client.post("/api/v1/sites/news/logout", headers=_reader_headers(token)).status_code == 204
    )
    answer = post(ARTICLE, body="Again.", headers=_reader_headers(token), expect=401).get_json()
    assert "signed out" in answer["error"]["message"]
    # Another token of the same reader is fine.
    post(ARTICLE, body="New session.", headers=_reader_headers(sign(jti="session-2")))


def test_a_rotated_secret_works_during_its_grace_period_only(app, client, post, sign, secret):
    old_token = sign()
    with app.app_context():
        new_secret = rotate_secret(db.session(), _site(), timedelta(hours=1))
        db.session.commit()
    post(ARTICLE, headers=_reader_headers(old_token))
    post(ARTICLE, body="New secret.", headers=_reader_headers(sign(key=new_secret)))
    with app.app_context():
        rotate_secret(db.session(), _site(), timedelta(0))  # the grace of `new_secret` is over
        db.session.commit()
    post(ARTICLE, body="Old.", headers=_reader_headers(old_token), expect=401)


def test_the_reader_endpoint_names_the_reader(client, sign):
    token = sign(name="Rhea", badges=["Subscriber"], role="staff")
    answer = client.get("/api/v1/sites/news/reader", headers=_reader_headers(token))
    assert answer.get_json() == {
        "reader": {"name": "Rhea", "badges": ["Subscriber"], "staff": True}
    }
    assert answer.headers["Cache-Control"] == "private, no-store"
    assert client.get("/api/v1/sites/news/reader").status_code == 401


def test_a_site_without_a_secret_accepts_no_token(client, post, site):
    token = jwt.encode({"sub": "x"}, "anything-at-all-long-enough-key", algorithm="HS256")
    post(ARTICLE, headers=_reader_headers(token), expect=401)


def test_signed_in_only_sites_refuse_guests_with_the_sign_in_link(app, client, post, sign):
    _readers(app, commenters="readers", login_url="https://news.example/login")
    refused = post(ARTICLE, expect=403).get_json()["error"]
    assert refused["code"] == "sign_in_required"
    assert refused["login_url"] == "https://news.example/login"
    post(ARTICLE, headers=_reader_headers(sign()))
    thread = client.get(thread_url("news", ARTICLE)).get_json()
    assert thread["site"] == {
        "commenters": "readers",
        "login_url": "https://news.example/login",
        "reaction_label": "Respect",
    }


def test_mixed_sites_hold_guests_and_not_readers(app, make_site, client, post, sign, secret):
    with app.app_context():
        site = _site()
        site.moderation_mode = "post"
        site.rule_settings = {"hold_first_comments": 0}
        db.session.commit()
    _readers(app, commenters="mixed")
    guest = post(ARTICLE).get_json()["comment"]
    assert (guest["status"], guest["held_because"]) == ("pending", ["guest"])
    reader = post(ARTICLE, body="Signed in.", headers=_reader_headers(sign())).get_json()
    assert reader["comment"]["status"] == "published"


def test_a_guest_typing_a_trusted_readers_email_is_not_trusted(app, client, post, decide):
    with app.app_context():
        _site().rule_settings = {"auto_approve_trusted": True, "trusted_min_approved": 2}
        db.session.commit()
    for n in range(2):
        made = post(ARTICLE, body=f"Good {n}.", author_email="trusted@example.org")
        decide(made.get_json()["comment"]["id"])
    # The same browser (guest key) is trusted now...
    again = post(ARTICLE, body="Trusted.", author_email="trusted@example.org").get_json()
    assert again["comment"]["status"] == "approved"
    # ...but not another browser typing the same email and name.
    other = post(
        ARTICLE, body="Impostor.", author_email="trusted@example.org", guest_key="i" * 32
    ).get_json()
    assert other["comment"]["status"] == "pending"
    # Without any key, an author is no one the site can trust.
    anonymous = post(ARTICLE, body="No key.", author_email="trusted@example.org", guest_key=None)
    assert anonymous.get_json()["comment"]["status"] == "pending"


def test_a_malformed_guest_key_is_refused(client, post):
    answer = post(ARTICLE, guest_key="short", expect=400).get_json()["error"]
    assert answer["field"] == "X-Guest-Key"


def test_staff_are_published_at_once_with_their_badge(client, post, sign):
    made = post(ARTICLE, headers=_reader_headers(sign(role="staff", badges=["Editor"])))
    comment = made.get_json()["comment"]
    assert (comment["status"], comment["staff"]) == ("approved", True)
    [served] = client.get(thread_url("news", ARTICLE)).get_json()["comments"]
    assert (served["staff"], served["badges"]) == (True, ["Editor"])


def test_featuring_puts_a_comment_among_the_picks(client, post, decide):
    first = post(ARTICLE).get_json()["comment"]["id"]
    second = post(ARTICLE, body="Another one.").get_json()["comment"]["id"]
    decide(first)
    featured = decide(second, "feature").get_json()["comment"]
    assert (featured["status"], featured["featured"]) == ("approved", True)
    picks = client.get(thread_url("news", ARTICLE), query_string={"featured": "true"}).get_json()
    assert [c["id"] for c in picks["comments"]] == [second]
    everything = client.get(thread_url("news", ARTICLE)).get_json()
    assert [c["featured"] for c in everything["comments"]] == [False, True]
    decide(second, "unfeature")
    picks = client.get(thread_url("news", ARTICLE), query_string={"featured": "true"}).get_json()
    assert picks["comments"] == []
    refused = decide(second, "unfeature", expect=409).get_json()
    assert refused["error"]["message"] == f"Comment {second} is not featured."


def test_bulk_featuring(client, post, auth):
    ids = [post(ARTICLE, body=f"Comment {n}.").get_json()["comment"]["id"] for n in range(3)]
    answer = client.post(
        "/api/v1/sites/news/decisions", json={"ids": ids, "action": "feature"}, headers=auth
    )
    assert [c["featured"] for c in answer.get_json()["comments"]] == [True, True, True]


def _react(client, comment_id: int, key: str, method: str = "post", **headers: str) -> Any:
    call = getattr(client, method)
    return call(f"/api/v1/comments/{comment_id}/reactions", headers={"X-Guest-Key": key, **headers})


def test_reactions_count_one_per_reader_and_can_be_taken_back(client, post, decide, sign):
    comment = post(ARTICLE).get_json()["comment"]["id"]
    decide(comment)
    assert _react(client, comment, "a" * 32).get_json() == {
        "comment_id": comment,
        "reactions": 1,
        "reacted": True,
    }
    again = _react(client, comment, "a" * 32)
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "already_reacted")
    token = sign()
    signed = client.post(f"/api/v1/comments/{comment}/reactions", headers=_reader_headers(token))
    assert signed.get_json()["reactions"] == 2
    taken_back = _react(client, comment, "a" * 32, "delete")
    assert taken_back.get_json() == {"comment_id": comment, "reactions": 1, "reacted": False}
    assert _react(client, comment, "a" * 32, "delete").status_code == 404


def test_reactions_need_an_identity_and_a_public_comment(client, post, decide):
    pending = post(ARTICLE).get_json()["comment"]["id"]
    assert _react(client, pending, "a" * 32).status_code == 404
    decide(pending)
    no_key = client.post(f"/api/v1/comments/{pending}/reactions")
    assert no_key.status_code == 401
    assert no_key.get_json()["error"]["code"] == "identity_required"


def test_best_sorts_by_reactions_then_newest(client, post, decide):
    ids = [post(ARTICLE, body=f"Comment {n}.").get_json()["comment"]["id"] for n in range(4)]
    for comment_id in ids:
        decide(comment_id)
    for n, key in enumerate("bcd"):
        for comment_id in ids[: n + 1]:
            _react(client, comment_id, key * 32)
    best = client.get(thread_url("news", ARTICLE), query_string={"sort": "best", "limit": 2})
    page = best.get_json()
    assert [c["id"] for c in page["comments"]] == [ids[0], ids[1]]
    assert [c["reactions"] for c in page["comments"]] == [3, 2]
    rest = client.get(
        thread_url("news", ARTICLE),
        query_string={"sort": "best", "limit": 2, "cursor": page["next_cursor"]},
    ).get_json()
    # ids[2] has one reaction, ids[3] none.
    assert [c["id"] for c in rest["comments"]] == [ids[2], ids[3]]


def test_a_reaction_shows_in_the_thread_within_the_settle_time(client, post, decide):
    comment = post(ARTICLE).get_json()["comment"]["id"]
    decide(comment)
    url = thread_url("news", ARTICLE)
    first = client.get(url)
    assert first.get_json()["comments"][0]["reactions"] == 0
    _react(client, comment, "e" * 32)
    deadline = time.monotonic() + 4
    while client.get(url).get_json()["comments"][0]["reactions"] != 1:
        assert time.monotonic() < deadline, "the reaction never showed"
        time.sleep(0.1)


def test_reactions_do_not_move_the_articles_version(app, client, post, decide):
    comment = post(ARTICLE).get_json()["comment"]["id"]
    decide(comment)
    with app.app_context():
        from moderation.models import Article

        before = db.session.scalars(select(Article.version)).one()
    for key in "fghij":
        _react(client, comment, key * 32)
    with app.app_context():
        assert db.session.scalars(select(Article.version)).one() == before


def test_readers_reacting_at_once_count_exactly(app, client, post, decide):
    comment = post(ARTICLE).get_json()["comment"]["id"]
    decide(comment)
    readers = 32
    start = threading.Barrier(readers)
    statuses: list[int] = []

    def react(n: int) -> None:
        own = app.test_client()
        start.wait(timeout=30)
        answer = _react(own, comment, f"{n:02d}" * 16)
        # ...and each at once again: the second is refused.
        again = _react(own, comment, f"{n:02d}" * 16)
        statuses.extend([answer.status_code, again.status_code])

    threads = [threading.Thread(target=react, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [201] * readers + [409] * readers
    with app.app_context():
        assert db.session.get_one(Comment, comment).reactions == readers
