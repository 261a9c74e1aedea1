"""The moderation API's queue pages come from the cache until the site's queue changes.

Each test reads a page first (so it is cached), changes the queue through the HTTP API, and reads
again: the change must show at once, on both databases.
"""

from __future__ import annotations

import pytest

ARTICLE = "/2026/11/story"
QUEUE = "/api/v1/sites/news/queue"


def page(client, auth, **args):
    response = client.get(QUEUE, headers=auth, query_string=args)
    assert response.status_code == 200, response.get_json()
    return response


def ids(response) -> list[int]:
    return [c["id"] for c in response.get_json()["comments"]]


def test_a_cached_page_costs_one_query_and_a_revalidation_no_more(
    client, site, post, auth, count_queries
):
    post(ARTICLE)
    first = page(client, auth)
    with count_queries() as hit:
        again = page(client, auth)
    assert again.data == first.data
    with count_queries() as revalidated:
        response = client.get(QUEUE, headers={**auth, "If-None-Match": first.headers["ETag"]})
    assert response.status_code == 304
    assert response.headers["ETag"] == first.headers["ETag"]
    # The token's row, which carries its site's queue version.
    assert len(hit) == len(revalidated) == 1


def test_a_submission_shows_on_the_next_read(client, site, post, auth):
    one = post(ARTICLE).get_json()["comment"]["id"]
    before = page(client, auth)
    two = post(ARTICLE, body="Another view.").get_json()["comment"]["id"]
    after = page(client, auth)
    assert ids(before) == [one]
    assert ids(after) == [one, two]
    assert after.headers["ETag"] != before.headers["ETag"]
    stale = client.get(QUEUE, headers={**auth, "If-None-Match": before.headers["ETag"]})
    assert stale.status_code == 200


@pytest.mark.parametrize("action", ["approve", "reject", "spam"])
def test_a_decision_takes_the_comment_out_of_the_cached_page(
    client, site, post, decide, auth, action
):
    one = post(ARTICLE).get_json()["comment"]["id"]
    two = post(ARTICLE, body="Another view.").get_json()["comment"]["id"]
    assert ids(page(client, auth)) == [one, two]
    decide(one, action)
    assert ids(page(client, auth)) == [two]


def test_bulk_decisions_and_restores_show_at_once(client, site, post, decide, auth):
    made = [post(ARTICLE, body=f"Comment {n}.").get_json()["comment"]["id"] for n in range(3)]
    assert ids(page(client, auth)) == made
    response = client.post(
        "/api/v1/sites/news/decisions",
        json={"ids": made[:2], "action": "reject", "reason": "off_topic"},
        headers=auth,
    )
    assert response.status_code == 200, response.get_json()
    assert ids(page(client, auth)) == made[2:]
    assert ids(page(client, auth, status="rejected")) == made[:2]
    decide(made[0], "restore")
    assert ids(page(client, auth)) == [made[0], made[2]]
    assert ids(page(client, auth, status="rejected")) == [made[1]]


def test_an_edit_and_a_withdrawal_by_the_author_show_at_once(client, site, post, auth):
    created = post(ARTICLE, body="First words.").get_json()
    cid, edit = created["comment"]["id"], {"X-Edit-Token": created["edit_token"]}
    assert page(client, auth).get_json()["comments"][0]["body_text"] == "First words."
    response = client.patch(f"/api/v1/comments/{cid}", json={"body": "Better words."}, headers=edit)
    assert response.status_code == 200, response.get_json()
    item = page(client, auth).get_json()["comments"][0]
    assert item["body_text"] == "Better words."
    assert "edit" in [h["action"] for h in item["history"]]
    assert client.delete(f"/api/v1/comments/{cid}", headers=edit).status_code == 204
    assert ids(page(client, auth)) == []


def test_a_reader_report_shows_in_the_flagged_view_at_once(client, site, post, decide, auth):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    decide(cid)
    assert ids(page(client, auth, status="flagged")) == []
    response = client.post(f"/api/v1/comments/{cid}/flags", json={"reason": "abuse"})
    assert response.status_code == 201, response.get_json()
    flagged = page(client, auth, status="flagged").get_json()["comments"]
    assert [c["id"] for c in flagged] == [cid]
    assert [f["reason"] for f in flagged[0]["flags"]] == ["abuse"]
    decide(cid, "reject", reason="abuse")
    assert ids(page(client, auth, status="flagged")) == []


def test_pages_of_other_queries_and_sites_are_kept_apart(client, make_site, make_token, post, auth):
    make_site("other")
    other = {"Authorization": f"Bearer {make_token('other')}"}
    mine = [post(ARTICLE, body=f"Comment {n}.").get_json()["comment"]["id"] for n in range(3)]
    first = page(client, auth, limit=2)
    assert ids(first) == mine[:2]
    cursor = first.get_json()["next_cursor"]
    assert ids(page(client, auth, limit=2, cursor=cursor)) == mine[2:]
    assert ids(page(client, auth, order="newest")) == mine[::-1]
    assert ids(page(client, auth, article="/elsewhere")) == []
    theirs = post(ARTICLE, site="other").get_json()["comment"]["id"]
    assert ids(client.get("/api/v1/sites/other/queue", headers=other)) == [theirs]
    # Another site's submission leaves this site's page (and its validator) as it was.
    assert page(client, auth, limit=2).headers["ETag"] == first.headers["ETag"]


def test_queue_pages_are_kept_apart_from_the_threads(app, client, site, post, auth):
    post(ARTICLE)
    page(client, auth)
    client.get(f"/api/v1/sites/news/articles/{ARTICLE.replace('/', '%2F')}/comments")
    queue_cache, thread_cache = app.extensions["queue_cache"], app.extensions["thread_cache"]
    assert queue_cache is not thread_cache
    # A moderator paging deep into the queue cannot push readers' threads out of theirs.
    assert queue_cache.max_bytes < thread_cache.max_bytes
    assert [k.startswith("queue:") for k in queue_cache._data] == [True]
    assert thread_cache._data and not any(k.startswith("queue:") for k in thread_cache._data)
