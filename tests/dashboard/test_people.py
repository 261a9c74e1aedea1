"""Moderators' tools for people in the dashboard, through HTTP: ban and suspend from a card or
the author's page, always pre-moderate, trust, lift, notes, and finding an author."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from moderation.db import db
from moderation.models import Action, Comment, Decision

STORY = "/2026/11/story"


def _key(app, comment_id: int) -> str:
    with app.app_context():
        return db.session.get_one(Comment, comment_id).author_key


def _log(app, comment_id: int) -> list[tuple]:
    with app.app_context():
        return list(
            db.session.execute(
                select(Decision.action, Decision.actor, Decision.explanation)
                .where(Decision.comment_id == comment_id)
                .order_by(Decision.id)
            )
        )


def _flash(dash, response) -> str:
    page = dash.page(response.location).get_data(as_text=True)
    found = re.search(r'class="flash[^"]*"[^>]*>(.*?)</', page, re.S)
    return unescape(found.group(1)).strip() if found else page


def test_a_suspension_from_a_card_rejects_waiting_comments_and_ends(app, moderator, post):
    ids = [post(STORY, body=f"Troll post {n}.").get_json()["comment"]["id"] for n in range(3)]
    key = _key(app, ids[0])
    done = moderator.form(
        f"/dashboard/sites/news/authors/{key}/ban",
        {"comment_id": ids[0], "duration": "1d", "reason_code": "abuse",
         "explanation": "cool off", "reject_pending": "1", "next": "/dashboard/queue"},
        expect=302,
    )  # fmt: skip
    assert done.location.endswith("/dashboard/queue")
    assert "suspended until" in _flash(moderator, done)
    with app.app_context():
        statuses = list(db.session.scalars(select(Comment.status).where(Comment.id.in_(ids))))
    assert {s.value for s in statuses} == {"rejected"}
    assert any(a is Action.SUSPEND and who == "moderator:mod@newsroom.example"
               for a, who, _e in _log(app, ids[0]))  # fmt: skip
    refused = post(STORY, body="Back again.", expect=403)
    assert refused.status_code == 403 and "until" in refused.get_json()["error"]["message"]

    page = moderator.page(f"/dashboard/sites/news/authors/{key}").get_data(as_text=True)
    assert "cool off" in page and 'data-kind="author"' in page
    ban_id = re.search(r"/dashboard/sites/news/bans/(\d+)/lift", page).group(1)
    lifted = moderator.form(
        f"/dashboard/sites/news/bans/{ban_id}/lift", {"author_key": key}, expect=302
    )
    assert "lifted" in _flash(moderator, lifted)
    assert post(STORY, body="Sorry about that.").status_code == 201
    assert _log(app, ids[0])[-1][0] is Action.LIFT


def test_a_ban_until_a_date_and_for_good(app, moderator, post):
    comment = post(STORY).get_json()["comment"]["id"]
    key = _key(app, comment)
    url = f"/dashboard/sites/news/authors/{key}/ban"
    bad = moderator.form(url, {"comment_id": comment, "duration": "date", "until": "soon"})
    assert "YYYY-MM-DD" in _flash(moderator, bad)
    past = moderator.form(url, {"comment_id": comment, "duration": "date", "until": "2020-01-01"})
    assert "future" in _flash(moderator, past)
    good = moderator.form(url, {"comment_id": comment, "duration": "forever"}, expect=302)
    assert "banned for good" in _flash(moderator, good)


def test_always_premoderate_and_trust_from_the_authors_page(app, moderator, post):
    first = post(STORY, body="First of mine.").get_json()["comment"]["id"]
    moderator.decide([first])
    key = _key(app, first)
    url = f"/dashboard/sites/news/authors/{key}/standing"
    trusted = moderator.form(url, {"standing": "trusted", "duration": "forever"}, expect=302)
    assert "trusted" in _flash(moderator, trusted)
    assert post(STORY, body="Published at once.").get_json()["comment"]["status"] == "approved"

    week = moderator.form(url, {"standing": "premoderated", "duration": "7d",
                                "explanation": "a bad week"}, expect=302)  # fmt: skip
    assert "always pre-moderated until" in _flash(moderator, week)
    assert post(STORY, body="Held again.").get_json()["comment"]["status"] == "pending"
    page = moderator.page(f"/dashboard/sites/news/authors/{key}").get_data(as_text=True)
    assert 'data-standing="premoderated"' in page and "a bad week" in page
    with app.app_context():
        measures = db.session.scalars(
            select(Decision.action)
            .where(Decision.action.in_([Action.TRUST, Action.PREMODERATE]))
            .order_by(Decision.id)
        )
        assert list(measures) == [Action.TRUST, Action.PREMODERATE]

    moderator.form(url, {"standing": "lift"}, expect=302)
    page = moderator.page(f"/dashboard/sites/news/authors/{key}").get_data(as_text=True)
    assert "The rules alone judge this author." in page
    nothing = moderator.form(url, {"standing": "lift"}, expect=302)
    assert "no standing to lift" in _flash(moderator, nothing)


def test_notes_are_kept_escaped_and_never_reach_readers(app, moderator, post, client):
    comment = post(STORY).get_json()["comment"]["id"]
    moderator.decide([comment])
    key = _key(app, comment)
    hostile = "<script>window.__pwned()</script> had one bad day"
    moderator.form(f"/dashboard/sites/news/authors/{key}/notes", {"body": hostile}, expect=302)
    page = moderator.page(f"/dashboard/sites/news/authors/{key}").get_data(as_text=True)
    assert "&lt;script&gt;window.__pwned()&lt;/script&gt; had one bad day" in page
    assert "<script>window.__pwned()" not in page
    assert "mod@newsroom.example" in page.split('class="notes"', 1)[1]
    thread = client.get(f"/api/v1/sites/news/articles/{STORY.lstrip('/')}/comments")
    assert "bad day" not in thread.get_data(as_text=True)
    empty = moderator.form(f"/dashboard/sites/news/authors/{key}/notes", {"body": " "})
    assert "Write the note" in _flash(moderator, empty)


def test_find_an_author_by_name_email_or_the_address_of_a_comment(app, moderator, post):
    one = post(STORY, author_name="Troll", author_email="troll@example.org").get_json()
    post(STORY, author_name="Other Name", author_email="other@example.org", body="Second.")
    found = moderator.page("/dashboard/sites/news/authors?by=name&q=troll").get_data(as_text=True)
    key = _key(app, one["comment"]["id"])
    assert f"/dashboard/sites/news/authors/{key}" in found and "1 author found" in found
    by_email = moderator.page("/dashboard/sites/news/authors?by=email&q=TROLL@example.org")
    assert key in by_email.get_data(as_text=True)
    by_ip = moderator.page(f"/dashboard/sites/news/authors?by=ip&q={one['comment']['id']}")
    assert "2 authors found" in by_ip.get_data(as_text=True)  # both from the test client
    bad = moderator.page("/dashboard/sites/news/authors?by=ip&q=abc").get_data(as_text=True)
    assert "number of a comment" in bad
    moderator.page("/dashboard/sites/nope/authors?q=x", expect=404)


def test_measures_need_the_csrf_token_and_the_right_site(app, moderator, post, make_site):
    comment = post(STORY).get_json()["comment"]["id"]
    key = _key(app, comment)
    refused = moderator.client.post(
        f"/dashboard/sites/news/authors/{key}/ban", data={"comment_id": comment}
    )
    assert refused.status_code in (400, 403)
    make_site("sport", origins=("https://sport.example",))
    moderator.form(f"/dashboard/sites/sport/authors/{key}/ban", {"comment_id": comment}, expect=404)
    moderator.form(f"/dashboard/sites/news/authors/{'0' * 64}/ban",
                   {"comment_id": comment}, expect=404)  # fmt: skip
