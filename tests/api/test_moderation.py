"""The moderation API through HTTP: tokens, the queue views, single and bulk decisions, the log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.db import db
from moderation.models import ApiToken, Comment, Decision, utcnow

from ..conftest import PUBLISH_AT_ONCE, thread_url

ARTICLE = "/politics/budget"


def queue(client, auth, site="news", **args):
    response = client.get(f"/api/v1/sites/{site}/queue", query_string=args, headers=auth)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_queue_requires_a_valid_token(client, site):
    response = client.get(f"/api/v1/sites/{site}/queue")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.get(
        f"/api/v1/sites/{site}/queue", headers={"Authorization": "Bearer not-a-token"}
    )
    assert response.status_code == 401


def test_revoked_token_is_refused(app, client, site, auth):
    with app.app_context():
        for record in db.session.scalars(select(ApiToken)):
            record.revoked_at = utcnow()
        db.session.commit()
    assert client.get(f"/api/v1/sites/{site}/queue", headers=auth).status_code == 401


def test_queue_lists_pending_oldest_first_with_moderator_fields(client, site, post, auth):
    first = post(ARTICLE, body="one", author_email="ann@example.org").get_json()["comment"]["id"]
    second = post(ARTICLE, body="two <b>bold</b>").get_json()["comment"]["id"]
    page = queue(client, auth)
    assert [c["id"] for c in page["comments"]] == [first, second]
    item = page["comments"][0]
    assert item["author_email"] == "ann@example.org"
    assert item["status"] == "pending"
    assert item["held_because"] == ["premod"]
    assert item["article"]["key"] == ARTICLE
    assert [h["action"] for h in item["history"]] == ["hold"]
    assert page["comments"][1]["body_text"] == "two <b>bold</b>"
    newest = queue(client, auth, order="newest")
    assert [c["id"] for c in newest["comments"]] == [second, first]


def test_queue_cursor_pagination(client, site, post, auth):
    ids = [post(ARTICLE, body=f"c{i}").get_json()["comment"]["id"] for i in range(5)]
    seen, cursor = [], None
    while True:
        page = queue(client, auth, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [c["id"] for c in page["comments"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids


def test_queue_filters_by_article_and_status(client, site, post, decide, auth):
    a = post("a").get_json()["comment"]["id"]
    b = post("b").get_json()["comment"]["id"]
    assert [c["id"] for c in queue(client, auth, article="b")["comments"]] == [b]
    decide(a, "reject", reason="off_topic", explanation="Not about the article.")
    assert [c["id"] for c in queue(client, auth, status="rejected")["comments"]] == [a]
    assert [c["id"] for c in queue(client, auth)["comments"]] == [b]


@pytest.mark.parametrize(
    ("args", "field"),
    [({"status": "everything"}, "status"), ({"limit": "0"}, "limit"), ({"cursor": "x"}, "cursor")],
)
def test_bad_queue_queries_name_the_field(client, site, auth, args, field):
    response = client.get(f"/api/v1/sites/{site}/queue", query_string=args, headers=auth)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_unreviewed_view_lists_published_comments(client, make_site, make_token, post):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    auth = {"Authorization": f"Bearer {make_token('open')}"}
    cid = post(ARTICLE, site="open").get_json()["comment"]["id"]
    assert [c["id"] for c in queue(client, auth, site="open", status="unreviewed")["comments"]] == [
        cid
    ]
    assert queue(client, auth, site="open")["comments"] == []


def test_decision_is_logged_with_reason_and_explanation(app, client, site, post, decide):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    body = decide(cid, "reject", reason="abuse", explanation="Personal attack.").get_json()
    assert body["comment"]["status"] == "rejected"
    last = body["comment"]["history"][-1]
    assert last["action"] == "reject"
    assert last["reason"] == "abuse"
    assert last["explanation"] == "Personal attack."
    assert last["actor"] == "token:tests"
    assert (last["from_status"], last["to_status"]) == ("pending", "rejected")


def test_restore_puts_a_rejected_comment_back_in_the_queue(client, site, post, decide, auth):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    decide(cid, "spam")
    assert decide(cid, "restore").get_json()["comment"]["status"] == "pending"
    assert [c["id"] for c in queue(client, auth)["comments"]] == [cid]
    decide(cid, "restore", expect=409)


def test_a_refused_decision_says_in_words_what_happened(client, site, post, decide):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    decide(cid)
    twice = decide(cid, expect=409).get_json()["error"]
    assert twice == {
        "code": "invalid_transition",
        "message": f"Comment {cid} is already approved.",
    }
    restore = decide(cid, "restore", expect=409).get_json()["error"]
    assert restore["message"] == f"Comment {cid} is approved; it cannot be restored."
    decide(cid, "spam")
    feature = decide(cid, "feature", expect=409).get_json()["error"]
    assert feature["message"] == f"Comment {cid} is marked as spam; it cannot be featured."


def test_a_deleted_comment_cannot_be_approved_and_says_so(client, site, post, decide):
    created = post(ARTICLE).get_json()
    cid, edit = created["comment"]["id"], {"X-Edit-Token": created["edit_token"]}
    assert client.delete(f"/api/v1/comments/{cid}", headers=edit).status_code == 204
    refused = decide(cid, expect=409).get_json()["error"]
    assert refused["message"] == f"Comment {cid} is deleted; it cannot be approved."


def test_a_bulk_refusal_names_each_comment_once(client, site, post, decide, auth):
    ids = [post(ARTICLE, body=f"c{i}").get_json()["comment"]["id"] for i in range(3)]
    for cid in ids[:2]:
        decide(cid)
    response = client.post(
        f"/api/v1/sites/{site}/decisions", json={"ids": ids, "action": "restore"}, headers=auth
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["message"] == (
        f"Comment {ids[2]} is already in the queue. "
        f"Comments {ids[0]}, {ids[1]} are approved; they cannot be restored."
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "action"),
        ({"action": "obliterate"}, "action"),
        ({"action": "reject", "reason": "boring"}, "reason"),
        ({"action": "reject", "explanation": "x" * 2001}, "explanation"),
    ],
)
def test_bad_decisions_name_the_field(client, site, post, auth, payload, field):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    response = client.post(f"/api/v1/comments/{cid}/decision", json=payload, headers=auth)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_bulk_decision_applies_to_all_or_none(client, site, post, auth):
    ids = [post(ARTICLE, body=f"c{i}").get_json()["comment"]["id"] for i in range(3)]
    url = f"/api/v1/sites/{site}/decisions"
    response = client.post(url, json={"ids": [*ids, 999999], "action": "approve"}, headers=auth)
    assert response.status_code == 404
    assert response.get_json()["error"]["ids"] == [999999]
    assert len(queue(client, auth)["comments"]) == 3, "nothing may change when one id is wrong"
    response = client.post(url, json={"ids": ids, "action": "approve"}, headers=auth)
    assert response.status_code == 200
    assert [c["status"] for c in response.get_json()["comments"]] == ["approved"] * 3
    thread = client.get(thread_url(site, ARTICLE)).get_json()
    assert thread["total"] == 3


@pytest.mark.parametrize("ids", [None, [], ["1"], [True], [0], "1,2"])
def test_bulk_decision_needs_a_list_of_ids(client, site, auth, ids):
    response = client.post(
        f"/api/v1/sites/{site}/decisions", json={"ids": ids, "action": "approve"}, headers=auth
    )
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "ids"


def test_token_cannot_see_or_decide_another_sites_comments(
    client, site, make_site, make_token, post, auth
):
    make_site("other", origins=("https://other.example",))
    foreign = post(ARTICLE, site="other").get_json()["comment"]["id"]
    response = client.get("/api/v1/sites/other/queue", headers=auth)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"
    response = client.post(
        f"/api/v1/comments/{foreign}/decision", json={"action": "approve"}, headers=auth
    )
    assert response.status_code == 404
    response = client.post(
        "/api/v1/sites/other/decisions", json={"ids": [foreign], "action": "approve"}, headers=auth
    )
    assert response.status_code == 403
    response = client.post(
        f"/api/v1/sites/{site}/decisions",
        json={"ids": [foreign], "action": "approve"},
        headers=auth,
    )
    assert response.status_code == 404
    other_auth = {"Authorization": f"Bearer {make_token('other')}"}
    assert [c["id"] for c in queue(client, other_auth, site="other")["comments"]] == [foreign]


def test_decision_log_is_append_only(app, site, post, decide):
    from moderation.models import AppendOnlyError

    cid = post(ARTICLE).get_json()["comment"]["id"]
    decide(cid)
    with app.app_context():
        entry = db.session.scalars(select(Decision)).first()
        entry.explanation = "rewritten"
        with pytest.raises(AppendOnlyError):
            db.session.flush()
        db.session.rollback()
        entry = db.session.scalars(select(Decision)).first()
        db.session.delete(entry)
        with pytest.raises(AppendOnlyError):
            db.session.flush()


def test_approving_a_published_comment_keeps_the_count(client, make_site, make_token, post):
    make_site("open", mode="post", rules=PUBLISH_AT_ONCE)
    auth = {"Authorization": f"Bearer {make_token('open')}"}
    cid = post(ARTICLE, site="open").get_json()["comment"]["id"]
    response = client.post(
        f"/api/v1/comments/{cid}/decision", json={"action": "approve"}, headers=auth
    )
    assert response.status_code == 200
    counts = client.get("/api/v1/sites/open/counts", query_string={"article": ARTICLE}).get_json()
    assert counts == {"counts": {ARTICLE: 1}}


@pytest.mark.parametrize("order", ["spam", "abuse"])
def test_queue_sorts_by_a_learned_score_highest_first_page_by_page(
    app, client, site, post, auth, order
):
    ids = [post(ARTICLE, body=f"scored {i}").get_json()["comment"]["id"] for i in range(6)]
    scores = [0.2, 0.95, None, 0.7, 0.9, 0.7]  # a tie across pages, and one not scored yet
    with app.app_context():
        for comment_id, score in zip(ids, scores, strict=True):
            comment = db.session.get(Comment, comment_id)
            setattr(comment, f"{order}_score", score)
        db.session.commit()
    seen, cursor = [], None
    while True:
        page = queue(client, auth, order=order, limit=3, **({"cursor": cursor} if cursor else {}))
        seen += [(c["id"], c[f"{order}_score"]) for c in page["comments"]]
        if not (cursor := page["next_cursor"]):
            break
    by_score = [ids[1], ids[4], ids[3], ids[5], ids[0], ids[2]]
    assert [comment_id for comment_id, _ in seen] == by_score
    assert [score for _, score in seen] == [0.95, 0.9, 0.7, 0.7, 0.2, None]
    other = "abuse" if order == "spam" else "spam"
    assert queue(client, auth, order=other)["comments"][0][f"{other}_score"] is None
