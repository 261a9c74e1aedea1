"""The moderation API's people, through HTTP: find an author, read their page, set and lift
their standing, notes, and bans that suspend and reject what waits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

BASE = "/api/v1/sites/news"
STORY = "/2026/11/story"


def _soon(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**delta)).isoformat().replace("+00:00", "Z")


def test_find_read_and_note_an_author(client, auth, post):
    first = post(STORY, author_name="Troll", author_email="troll@example.org").get_json()
    found = client.get(f"{BASE}/authors", query_string={"email": "TROLL@example.org"}, headers=auth)
    assert found.status_code == 200, found.get_json()
    [author] = found.get_json()["authors"]
    assert author["name"] == "Troll" and author["comments"] == 1
    key = author["author_key"]
    noted = client.post(f"{BASE}/authors/{key}/notes", json={"body": "Watch."}, headers=auth)
    assert noted.status_code == 201 and noted.get_json()["note"]["body"] == "Watch."
    page = client.get(f"{BASE}/authors/{key}", headers=auth).get_json()
    assert page["author"]["record"]["total"] == 1 and page["author"]["emails"] == [
        "troll@example.org"
    ]
    assert [n["body"] for n in page["author"]["notes"]] == ["Watch."]
    assert [c["id"] for c in page["comments"]] == [first["comment"]["id"]]
    assert page["author"]["standing"] is None


def test_lookups_match_every_way_given_and_need_a_token(client, auth, post):
    post(STORY, author_name="Troll", author_email="troll@example.org")
    post(STORY, author_name="Troll", author_email="other@example.org", body="Second.")

    def found(query):
        answer = client.get(f"{BASE}/authors?{query}", headers=auth)
        assert answer.status_code == 200, answer.get_json()
        return [a["comments"] for a in answer.get_json()["authors"]]

    assert found("name=troll") == [1, 1]
    assert found("name=Troll&email=other@example.org") == [1]
    assert found("name=Troll&email=nobody@example.org") == []
    assert found("") == []
    assert found("ip_of_comment=999999") == []
    note = client.post(f"{BASE}/authors/{'0' * 64}/notes", json={"body": "\f"}, headers=auth)
    assert note.status_code == 400
    assert client.get(f"{BASE}/authors?name=a").status_code == 401
    assert client.get(f"{BASE}/authors/not-a-key", headers=auth).status_code == 404
    assert client.get(f"{BASE}/authors/{'0' * 64}", headers=auth).status_code == 404


def test_standing_set_and_lifted_holds_and_frees(client, auth, post):
    first = post(STORY, body="Mine.").get_json()["comment"]["id"]
    client.post(f"/api/v1/comments/{first}/decision", json={"action": "approve"}, headers=auth)
    [author] = client.get(f"{BASE}/authors?name=Ann Reader", headers=auth).get_json()["authors"]
    url = f"{BASE}/authors/{author['author_key']}/standing"
    trusted = client.put(url, json={"standing": "trusted", "reason": "a regular"}, headers=auth)
    assert trusted.status_code == 200, trusted.get_json()
    assert trusted.get_json()["standing"]["standing"] == "trusted"
    assert post(STORY, body="Straight out.").get_json()["comment"]["status"] == "approved"
    held = client.put(url, json={"standing": "premoderated", "until": _soon(days=7)}, headers=auth)
    assert held.get_json()["standing"]["expires_at"] is not None
    assert post(STORY, body="Held now.").get_json()["comment"]["status"] == "pending"
    past = client.put(url, json={"standing": "trusted", "until": "2020-01-01T00:00:00Z"},
                      headers=auth)  # fmt: skip
    assert past.status_code == 400
    assert client.delete(url, headers=auth).status_code == 204
    assert client.delete(url, headers=auth).status_code == 404
    bad = client.put(url, json={"standing": "adored"}, headers=auth)
    assert bad.status_code == 400 and bad.get_json()["error"]["field"] == "standing"


def test_a_suspension_rejects_waiting_comments_and_refuses_until_it_ends(client, auth, post):
    ids = [post(STORY, body=f"Troll {n}.").get_json()["comment"]["id"] for n in range(2)]
    made = client.post(
        f"{BASE}/bans",
        json={"kind": "author", "comment_id": ids[0], "expires_at": _soon(hours=1),
              "reason": "cool off", "reason_code": "abuse", "reject_pending": True},
        headers=auth,
    )  # fmt: skip
    assert made.status_code == 201, made.get_json()
    queue = client.get(f"{BASE}/queue?status=rejected", headers=auth).get_json()["comments"]
    assert sorted(c["id"] for c in queue) == ids
    log = queue[0]["history"]
    assert [e["action"] for e in log][-1] == "reject" and log[-1]["reason"] == "abuse"
    refused = post(STORY, body="Again.", expect=403)
    assert "until" in refused.get_json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) > 3000
