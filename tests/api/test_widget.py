"""The public widget API, through the HTTP layer: submit, read, count, edit, delete, report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from moderation.db import db
from moderation.models import Comment, Decision

from ..conftest import ORIGIN, PUBLISH_AT_ONCE, thread_url

ARTICLE = "/2026/11/belgium-eu-peace-talks"


def age_comments(app, by: timedelta) -> None:
    """Move every comment's creation back in time (the edit window is measured from it)."""
    with app.app_context():
        for comment in db.session.scalars(db.select(Comment)):
            comment.created_at -= by
        db.session.commit()


def error_of(response):
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"])
    return body["error"]


def test_full_path_pending_then_approved_then_public(client, site, post, decide):
    created = post(ARTICLE, body="First!\n\nSecond paragraph.").get_json()
    comment = created["comment"]
    assert comment["status"] == "pending"
    assert comment["held_because"] == ["premod"]
    assert created["edit_token"]

    first = client.get(thread_url(site, ARTICLE))
    assert first.status_code == 200
    assert first.get_json()["comments"] == []
    assert first.get_json()["total"] == 0
    etag = first.headers["ETag"]
    counts = client.get(f"/api/v1/sites/{site}/counts", query_string={"article": ARTICLE})
    assert counts.get_json() == {"counts": {ARTICLE: 0}}

    decide(comment["id"], "approve")

    second = client.get(thread_url(site, ARTICLE), headers={"If-None-Match": etag})
    assert second.status_code == 200, "the ETag must change after an approval"
    thread = second.get_json()
    assert thread["total"] == 1
    assert [c["id"] for c in thread["comments"]] == [comment["id"]]
    assert thread["comments"][0]["html"] == "<p>First!</p>\n<p>Second paragraph.</p>"
    assert second.headers["ETag"] != etag
    counts = client.get(f"/api/v1/sites/{site}/counts", query_string={"article": ARTICLE})
    assert counts.get_json() == {"counts": {ARTICLE: 1}}


def test_repeat_read_with_etag_is_304(client, site):
    first = client.get(thread_url(site, ARTICLE))
    again = client.get(thread_url(site, ARTICLE), headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert "max-age" in first.headers["Cache-Control"]


def test_public_thread_never_shows_email_or_original_text(client, site, post, decide):
    comment = post(ARTICLE, author_email="ann@example.org", body="<b>bold</b>").get_json()
    decide(comment["comment"]["id"])
    raw = client.get(thread_url(site, ARTICLE)).get_data(as_text=True)
    assert "ann@example.org" not in raw
    served = client.get(thread_url(site, ARTICLE)).get_json()["comments"][0]
    assert set(served) == {
        "id", "parent_id", "depth", "author_name", "avatar", "html", "created_at", "edited_at",
        "staff", "badges", "featured", "reactions", "replies",
    }  # fmt: skip


def test_post_moderated_site_publishes_at_once(client, make_site, post):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    created = post(ARTICLE, site="open").get_json()["comment"]
    assert created["status"] == "published"
    assert created["held_because"] == []
    thread = client.get(thread_url("open", ARTICLE)).get_json()
    assert [c["id"] for c in thread["comments"]] == [created["id"]]


def test_replies_are_attached_to_their_parents(client, site, post, decide):
    root = post(ARTICLE, body="root").get_json()["comment"]["id"]
    decide(root)
    reply = post(ARTICLE, body="reply", parent_id=root).get_json()["comment"]
    assert reply["parent_id"] == root and reply["depth"] == 1
    decide(reply["id"])
    deeper = post(ARTICLE, body="deeper", parent_id=reply["id"]).get_json()["comment"]["id"]
    decide(deeper)
    thread = client.get(thread_url(site, ARTICLE)).get_json()
    assert thread["total"] == 3
    [top] = thread["comments"]
    assert top["id"] == root
    assert [r["id"] for r in top["replies"]] == [reply["id"]]
    assert [r["id"] for r in top["replies"][0]["replies"]] == [deeper]


def test_reply_under_a_rejected_comment_stays_readable(client, site, post, decide):
    root = post(ARTICLE, body="root").get_json()["comment"]["id"]
    decide(root)
    middle = post(ARTICLE, body="middle", parent_id=root).get_json()["comment"]["id"]
    decide(middle)
    leaf = post(ARTICLE, body="leaf", parent_id=middle).get_json()["comment"]["id"]
    decide(leaf)
    decide(middle, "reject", reason="abuse")
    [top] = client.get(thread_url(site, ARTICLE)).get_json()["comments"]
    assert [r["id"] for r in top["replies"]] == [leaf]


def test_cursor_pagination_walks_the_whole_thread(client, make_site, post):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    ids = [
        post(ARTICLE, site="open", body=f"comment {i}").get_json()["comment"]["id"]
        for i in range(7)
    ]
    seen, cursor = [], None
    while True:
        args = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = client.get(thread_url("open", ARTICLE), query_string=args).get_json()
        seen += [c["id"] for c in page["comments"]]
        assert page["total"] == 7
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ids
    newest = client.get(thread_url("open", ARTICLE), query_string={"sort": "newest", "limit": 2})
    assert [c["id"] for c in newest.get_json()["comments"]] == ids[::-1][:2]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"sort": "sideways"}, "sort"),
        ({"limit": 0}, "limit"),
        ({"limit": 201}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_thread_queries_are_validation_errors(client, site, query, field):
    response = client.get(thread_url(site, ARTICLE), query_string=query)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "validation_error" and error["field"] == field


def test_unknown_site_is_not_found(client, post):
    response = client.get(thread_url("nowhere", ARTICLE))
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    response = post(ARTICLE, site="nowhere", expect=404)
    assert error_of(response)["code"] == "not_found"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"author_name": "Ann"}, "body"),
        ({"body": "   ", "author_name": "Ann"}, "body"),
        ({"body": "<p></p>", "author_name": "Ann"}, "body"),
        ({"body": 42, "author_name": "Ann"}, "body"),
        ({"body": "x" * 5001, "author_name": "Ann"}, "body"),
        ({"body": "broken \ud800 text", "author_name": "Ann"}, "body"),
        ({"body": "hi", "author_name": "\udfff"}, "author_name"),
        ({"body": "hi"}, "author_name"),
        ({"body": "hi", "author_name": "A" * 101}, "author_name"),
        ({"body": "hi", "author_name": "Ann\nBob"}, "author_name"),
        ({"body": "hi", "author_name": ["Ann"]}, "author_name"),
        ({"body": "hi", "author_name": "Ann", "author_email": "not-an-email"}, "author_email"),
        ({"body": "hi", "author_name": "Ann", "author_email": "a@b.c" + "c" * 260}, "author_email"),
        ({"body": "hi", "author_name": "Ann", "parent_id": "1"}, "parent_id"),
        ({"body": "hi", "author_name": "Ann", "parent_id": True}, "parent_id"),
        ({"body": "hi", "author_name": "Ann", "article_url": "javascript:alert(1)"}, "article_url"),
        ({"body": "hi", "author_name": "Ann", "article_title": "T" * 301}, "article_title"),
    ],
)
def test_invalid_submissions_name_the_field(client, site, payload, field):
    response = client.post(thread_url(site, ARTICLE), json=payload)
    assert response.status_code == 400, response.get_json()
    error = error_of(response)
    assert error["code"] == "validation_error"
    assert error["field"] == field
    assert (
        thread_url(site, ARTICLE) and client.get(thread_url(site, ARTICLE)).get_json()["total"] == 0
    )


@pytest.mark.parametrize(
    ("payload", "status", "field"),
    [
        ({"parent_id": 999999}, 404, "parent_id"),
        ({"article_url": "https://evil.example/x"}, 403, "article_url"),
        ({"article_url": "https://news.example:99999/x"}, 403, "article_url"),
    ],
)
def test_well_formed_submissions_naming_what_they_may_not_are_refused(
    client, site, payload, status, field
):
    """Valid as the schema says, refused for what they point at: a reply to a comment that is
    not there, an article page off the site's origins."""
    response = client.post(
        thread_url(site, ARTICLE), json={"body": "hi", "author_name": "Ann", **payload}
    )
    assert response.status_code == status, response.get_json()
    assert error_of(response)["field"] == field
    assert client.get(thread_url(site, ARTICLE)).get_json()["total"] == 0


def test_refused_submission_stores_nothing(app, client, site):
    client.post(
        thread_url(site, ARTICLE), json={"body": "hi", "author_name": "Ann", "parent_id": 5}
    )
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Comment.id))) == 0


def test_non_json_and_broken_json_are_refused_clearly(client, site):
    response = client.post(thread_url(site, ARTICLE), data="body=hi")
    assert response.status_code == 415 and error_of(response)["code"] == "unsupported_media_type"
    response = client.post(
        thread_url(site, ARTICLE), data="{broken", content_type="application/json"
    )
    assert response.status_code == 400 and error_of(response)["field"] == "body"
    response = client.post(thread_url(site, ARTICLE), json=["a", "list"])
    assert response.status_code == 400 and error_of(response)["field"] == "body"


def test_oversized_body_is_payload_too_large(client, site):
    response = client.post(
        thread_url(site, ARTICLE),
        data='{"body": "' + "x" * 200_000 + '"}',
        content_type="application/json",
    )
    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_article_key_too_long_is_refused(client, site):
    response = client.get(thread_url(site, "k" * 513))
    assert response.status_code == 400 and error_of(response)["field"] == "article"


def test_origin_must_be_allowed(client, site):
    payload = {"body": "hi", "author_name": "Ann"}
    response = client.post(
        thread_url(site, ARTICLE), json=payload, headers={"Origin": "https://evil.example"}
    )
    assert response.status_code == 403 and error_of(response)["code"] == "forbidden"
    response = client.post(thread_url(site, ARTICLE), json=payload, headers={"Origin": ORIGIN})
    assert response.status_code == 201
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN


def test_errors_are_readable_by_the_sites_own_pages(client, site):
    headers = {"Origin": ORIGIN}
    response = client.post(thread_url(site, ARTICLE), json={"body": ""}, headers=headers)
    assert response.status_code == 400
    assert response.headers["Access-Control-Allow-Origin"] == ORIGIN
    response = client.patch("/api/v1/comments/1", json={"body": "x"}, headers=headers)
    assert response.status_code == 404
    assert "Access-Control-Allow-Origin" not in response.headers  # no comment, no site to ask


def test_cors_answers_only_allowed_origins(client, site):
    allowed = client.options(
        thread_url(site, ARTICLE),
        headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"},
    )
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Edit-Token" in allowed.headers["Access-Control-Allow-Headers"]
    other = client.get(thread_url(site, ARTICLE), headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    assert "Origin" in other.headers["Vary"]


def test_article_created_on_first_use_with_its_metadata(client, site, post, decide):
    url = ORIGIN + ARTICLE
    first = post(ARTICLE, article_url=url, article_title="Peace talks").get_json()["comment"]
    post(ARTICLE, article_title="Retitled by a reader")
    decide(first["id"])
    article = client.get(thread_url(site, ARTICLE)).get_json()["article"]
    assert article == {"key": ARTICLE, "title": "Peace talks", "url": url, "closed": False}


def test_closed_article_refuses_comments(app, client, site, post):
    post(ARTICLE)
    from moderation.models import Article

    with app.app_context():
        db.session.execute(update(Article).values(closed=True))
        db.session.commit()
    response = post(ARTICLE, expect=403)
    assert error_of(response)["code"] == "article_closed"
    assert client.get(thread_url(site, ARTICLE)).get_json()["article"]["closed"] is True


def test_reply_to_unpublished_or_foreign_comment_is_refused(client, site, post, decide):
    pending = post(ARTICLE).get_json()["comment"]["id"]
    response = post(ARTICLE, parent_id=pending, expect=404)
    assert error_of(response)["field"] == "parent_id"
    decide(pending)
    response = post("/another/article", parent_id=pending, expect=404)
    assert error_of(response)["field"] == "parent_id"


def test_counts_for_many_articles_in_one_request(client, make_site, post):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    post("a", site="open", body="first")
    post("a", site="open", body="second")
    post("b", site="open")
    response = client.get("/api/v1/sites/open/counts?article=a&article=b&article=c")
    assert response.get_json() == {"counts": {"a": 2, "b": 1, "c": 0}}
    too_many = "&".join(f"article=k{i}" for i in range(101))
    response = client.get(f"/api/v1/sites/open/counts?{too_many}")
    assert response.status_code == 400 and error_of(response)["field"] == "article"
    response = client.get("/api/v1/sites/open/counts")
    assert response.status_code == 400


def test_author_sees_own_pending_comment_with_token(client, site, post):
    created = post(ARTICLE).get_json()
    cid, token = created["comment"]["id"], created["edit_token"]
    own = client.get(f"/api/v1/comments/{cid}", headers={"X-Edit-Token": token})
    assert own.status_code == 200 and own.get_json()["comment"]["status"] == "pending"
    stranger = client.get(f"/api/v1/comments/{cid}", headers={"X-Edit-Token": "guess"})
    assert stranger.status_code == 403


def test_edit_within_window_is_sanitized_and_moderated_again(client, make_site, post):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    created = post(ARTICLE, site="open").get_json()
    cid, token = created["comment"]["id"], created["edit_token"]
    response = client.patch(
        f"/api/v1/comments/{cid}",
        json={"body": "Edited <script>alert(1)</script>"},
        headers={"X-Edit-Token": token},
    )
    assert response.status_code == 200
    edited = response.get_json()["comment"]
    assert "<script>" not in edited["html"] and edited["edited_at"]
    [served] = client.get(thread_url("open", ARTICLE)).get_json()["comments"]
    assert served["html"] == edited["html"]


def test_edit_of_approved_comment_on_premod_site_goes_back_to_queue(client, site, post, decide):
    created = post(ARTICLE).get_json()
    cid, token = created["comment"]["id"], created["edit_token"]
    decide(cid)
    assert client.get(thread_url(site, ARTICLE)).get_json()["total"] == 1
    response = client.patch(
        f"/api/v1/comments/{cid}", json={"body": "new words"}, headers={"X-Edit-Token": token}
    )
    assert response.get_json()["comment"]["status"] == "pending"
    assert client.get(thread_url(site, ARTICLE)).get_json()["total"] == 0


def test_edit_and_delete_refused_after_the_window(app, client, site, post):
    created = post(ARTICLE).get_json()
    cid, token = created["comment"]["id"], created["edit_token"]
    age_comments(app, timedelta(minutes=16))
    headers = {"X-Edit-Token": token}
    response = client.patch(f"/api/v1/comments/{cid}", json={"body": "late"}, headers=headers)
    assert response.status_code == 403 and error_of(response)["code"] == "edit_window_closed"
    response = client.delete(f"/api/v1/comments/{cid}", headers=headers)
    assert response.status_code == 403


def test_delete_within_window_removes_from_thread(client, make_site, post):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    created = post(ARTICLE, site="open").get_json()
    cid, token = created["comment"]["id"], created["edit_token"]
    assert client.delete(f"/api/v1/comments/{cid}").status_code == 403
    assert (
        client.delete(f"/api/v1/comments/{cid}", headers={"X-Edit-Token": token}).status_code == 204
    )
    assert client.get(thread_url("open", ARTICLE)).get_json()["total"] == 0
    again = client.delete(f"/api/v1/comments/{cid}", headers={"X-Edit-Token": token})
    assert again.status_code == 404


def test_reader_report_puts_comment_in_flagged_view(client, site, post, decide, auth):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    decide(cid)
    response = client.post(
        f"/api/v1/comments/{cid}/flags", json={"reason": "abuse", "note": "rude"}
    )
    assert response.status_code == 201
    again = client.post(f"/api/v1/comments/{cid}/flags", json={"reason": "abuse"})
    assert again.status_code == 409
    flagged = client.get(f"/api/v1/sites/{site}/queue?status=flagged", headers=auth).get_json()
    [item] = flagged["comments"]
    assert item["id"] == cid
    assert [f["reason"] for f in item["flags"]] == ["abuse"]
    decide(cid, "approve", expect=409)  # already approved: the report is answered by a new action
    decide(cid, "reject", reason="abuse")
    flagged = client.get(f"/api/v1/sites/{site}/queue?status=flagged", headers=auth).get_json()
    assert flagged["comments"] == []


@pytest.mark.parametrize(
    "payload", [{}, {"reason": "boring"}, {"reason": "abuse", "note": "n" * 501}]
)
def test_bad_reports_are_validation_errors(client, site, post, decide, payload):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    decide(cid)
    response = client.post(f"/api/v1/comments/{cid}/flags", json=payload)
    assert response.status_code == 400 and error_of(response)["code"] == "validation_error"


def test_pending_comment_cannot_be_reported(client, site, post):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    response = client.post(f"/api/v1/comments/{cid}/flags", json={"reason": "spam"})
    assert response.status_code == 404


def test_submission_is_logged_as_a_system_decision(app, site, post):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    with app.app_context():
        [entry] = db.session.scalars(db.select(Decision).where(Decision.comment_id == cid))
        assert entry.actor == "system:premod"
        assert entry.action.value == "hold" and entry.to_status.value == "pending"


def test_unknown_api_path_and_method_are_json(client, site):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    response = client.put(thread_url(site, ARTICLE))
    assert response.status_code == 405 and error_of(response)["code"] == "method_not_allowed"


@pytest.mark.parametrize("sent", ["", "   ", "\t"])
def test_an_empty_guest_key_is_no_key(site, post, sent):
    """Servers may drop a header with an empty value: the service treats one as none, as its
    document says."""
    answer = post(guest_key=None, headers={"X-Guest-Key": sent})
    assert answer.status_code == 201


def test_a_malformed_guest_key_is_refused(site, post):
    answer = post(guest_key=None, headers={"X-Guest-Key": "short"}, expect=400)
    assert answer.get_json()["error"]["field"] == "X-Guest-Key"
