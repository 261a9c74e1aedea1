"""Safe retries over HTTP: a submission or report sent again with its ``Idempotency-Key`` is
answered the first answer, nothing is stored twice, and a key names one request only."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from moderation.db import db
from moderation.models import Comment, Flag, IdempotentRequest

from ..conftest import PUBLISH_AT_ONCE, thread_url
from ..pages import served_env, service_processes

ARTICLE = "/2026/11/story"


def _payload(client, body="A comment worth sending once.", article=ARTICLE, **fields):
    token = client.get(thread_url("news", article)).headers["X-Form-Token"]
    return {"body": body, "author_name": "Ann Reader", "form_token": token, **fields}


def _send(client, payload, key, article=ARTICLE):
    headers = {"Idempotency-Key": key} if key is not None else {}
    return client.post(thread_url("news", article), json=payload, headers=headers)


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_retry_is_answered_the_first_answer_and_stores_nothing_twice(app, client, site):
    payload, key = _payload(client), str(uuid.uuid4())
    first = _send(client, payload, key)
    again = _send(client, payload, key)
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _count(app, Comment) == 1
    # The edit token the retry hands back is the comment's own.
    comment_id, token = first.get_json()["comment"]["id"], again.get_json()["edit_token"]
    edited = client.patch(
        f"/api/v1/comments/{comment_id}", json={"body": "Edited."}, headers={"X-Edit-Token": token}
    )
    assert edited.status_code == 200


def test_the_stored_answer_keeps_no_edit_token(app, client, site):
    created = _send(client, _payload(client), "key-1").get_json()
    with app.app_context():
        (stored,) = db.session.scalars(select(IdempotentRequest))
        assert created["edit_token"] not in stored.body
        assert "key-1" not in stored.key_hash
        comment = db.session.get(Comment, created["comment"]["id"])
        assert created["edit_token"] not in comment.edit_token_hash


def test_without_a_key_a_resend_is_a_second_comment(app, client, site):
    payload = _payload(client)
    assert _send(client, payload, None).status_code == 201
    assert _send(client, payload, None).status_code == 201
    assert _count(app, Comment) == 2


def test_a_key_names_one_request_another_body_is_refused(app, client, site):
    _send(client, _payload(client), "the-key")
    other = _send(client, _payload(client, body="Something else entirely."), "the-key")
    assert other.status_code == 422
    assert other.get_json()["error"]["code"] == "idempotency_key_reused"
    assert other.get_json()["error"]["field"] == "Idempotency-Key"
    assert _count(app, Comment) == 1


def test_the_same_json_written_otherwise_is_the_same_request(app, client, site):
    payload = _payload(client)
    first = _send(client, payload, "same-meaning")
    reordered = json.dumps(dict(reversed(list(payload.items()))), indent=2)
    again = client.post(
        thread_url("news", ARTICLE),
        data=reordered,
        headers={"Idempotency-Key": "same-meaning", "Content-Type": "application/json"},
    )
    assert again.status_code == 201 and again.get_json() == first.get_json()
    assert _count(app, Comment) == 1


def test_a_key_is_scoped_to_its_path(app, client, site):
    key = "same-key-elsewhere"
    _send(client, _payload(client), key)
    elsewhere = _send(client, _payload(client, article="/2026/11/other"), key, "/2026/11/other")
    assert elsewhere.status_code == 201 and "Idempotent-Replayed" not in elsewhere.headers
    assert _count(app, Comment) == 2


def test_a_refused_request_is_not_remembered(app, client, site):
    empty = _send(client, _payload(client, body="<p></p>"), "k")
    assert empty.status_code == 400
    # Nothing was stored, so the key is free: the corrected comment goes through under it.
    assert _send(client, _payload(client), "k").status_code == 201
    assert _count(app, Comment) == 1


@pytest.mark.parametrize("key", ["", "a" * 256, "with space", "naïve", "tab\there"])
def test_a_malformed_key_is_a_400_naming_the_header(app, client, site, key):
    response = _send(client, _payload(client), key)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "Idempotency-Key"
    assert _count(app, Comment) == 0


def test_a_key_is_forgotten_after_a_day(app, client, site):
    payload = _payload(client)
    _send(client, payload, "old-key")
    with app.app_context():
        for stored in db.session.scalars(select(IdempotentRequest)):
            stored.created_at -= timedelta(hours=24, seconds=1)
        db.session.commit()
    later = _send(client, payload, "old-key")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert _count(app, Comment) == 2
    assert _count(app, IdempotentRequest) == 1  # the old answer went when the new one came


def test_a_stored_answer_goes_with_its_comment(app, client, site):
    _send(client, _payload(client), "gone-with-it")
    with app.app_context():
        db.session.delete(db.session.scalars(select(Comment)).one())
        db.session.commit()
    assert _count(app, IdempotentRequest) == 0


def test_retries_do_not_count_against_the_rate_limit(app_config, site):
    from moderation import create_app

    app = create_app({**app_config, "rate_limits": True})
    client = app.test_client()
    payload = _payload(client)
    first = _send(client, payload, "first")
    for n in range(4):
        _send(client, _payload(client, body=f"Comment {n}."), f"k{n}")
    assert _send(client, _payload(client, body="One too many."), "k5").status_code == 429
    again = _send(client, payload, "first")
    assert again.status_code == 201 and again.get_json() == first.get_json()


def test_a_retried_report_is_answered_the_first_answer(app, client, make_site):
    make_site("news", mode="post", rules=PUBLISH_AT_ONCE)
    comment_id = _send(client, _payload(client), None).get_json()["comment"]["id"]
    url, report = f"/api/v1/comments/{comment_id}/flags", {"reason": "abuse", "note": "Rude."}
    first = client.post(url, json=report, headers={"Idempotency-Key": "report-1"})
    again = client.post(url, json=report, headers={"Idempotency-Key": "report-1"})
    assert first.status_code == again.status_code == 201
    assert again.get_json() == first.get_json()
    assert _count(app, Flag) == 1
    # Without the key, the same reader's second report is what it always was.
    assert client.post(url, json=report).status_code == 409
    changed = client.post(url, json={"reason": "spam"}, headers={"Idempotency-Key": "report-1"})
    assert changed.status_code == 422


def _post(port: int, path: str, payload: dict, key: str):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}",
        data=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", "Idempotency-Key": key},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _all_at_once(count: int, send) -> list:
    """``send(n)`` for n in range(count), each in a thread, released together."""
    answers: list = []
    start = threading.Barrier(count)

    def run(n: int) -> None:
        start.wait()
        answers.append(send(n))

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_copies_racing_through_two_processes_store_one_comment(app, client, site):
    env = served_env(app)
    path = thread_url("news", ARTICLE)
    rounds, copies = 6, 4
    with service_processes(env, count=2) as ports:
        for round_ in range(rounds):
            payload = _payload(client, body=f"Sent {copies} times at once ({round_}).")
            key = f"race-{round_}"

            def send(n: int, payload: dict = payload, key: str = key) -> tuple:
                return _post(ports[n % 2], path, payload, key)

            answers = _all_at_once(copies, send)
            assert [status for status, _ in answers] == [201] * copies, answers
            assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    assert _count(app, Comment) == rounds
    assert _count(app, IdempotentRequest) == rounds


def test_a_retry_with_a_malformed_header_is_refused_not_replayed(client, site):
    payload, key = _payload(client), str(uuid.uuid4())
    assert _send(client, payload, key).status_code == 201
    again = client.post(
        thread_url("news", ARTICLE),
        json=payload,
        headers={"Idempotency-Key": key, "X-Guest-Key": "not a key"},
    )
    assert again.status_code == 400
    assert again.get_json()["error"]["field"] == "X-Guest-Key"
