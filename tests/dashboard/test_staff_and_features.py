"""Readers in the dashboard: staff, badges, featured comments and reactions on cards; featuring
from a card and from dashboard.js; answering as staff; an author's page; the site's readers'
settings and its SSO secret."""

# Fixtures imported from test_dashboard are used as arguments, which ruff takes for redefinitions.

from __future__ import annotations

import re
from html import unescape
from typing import Any

from sqlalchemy import select

from moderation.db import db
from moderation.identity import email_hash
from moderation.models import Action, Ban, BanKind, Comment, Commenters, Decision, Reader, Site

from ..conftest import browser_key, thread_url
from .conftest import card_ids

STORY = "/2026/11/story"
OTHER = "/2026/12/other"
PAYLOAD = "<script>window.__pwned()</script><img src=x onerror=window.__pwned()>"
SHORT_PAYLOAD = "<img src=x onerror=window.__pwned()>"
RAW = ("<script>window.__pwned", "<img src=x onerror", "<svg onload")


def _site(slug: str = "news") -> Site:
    found = db.session.scalar(select(Site).where(Site.slug == slug))
    assert found is not None
    return found


def _comment(app, comment_id: int) -> Comment:
    with app.app_context():
        comment = db.session.get_one(Comment, comment_id)
        db.session.expunge(comment)
        return comment


def _log(app, comment_id: int) -> list[tuple[str, str, int | None]]:
    with app.app_context():
        rows = db.session.execute(
            select(Decision.action, Decision.actor, Decision.moderator_id)
            .where(Decision.comment_id == comment_id)
            .order_by(Decision.id)
        )
        return [(a.value, actor, m) for a, actor, m in rows]


def _card(html: str, comment_id: int) -> str:
    found = re.search(rf'<article class="card" id="comment-{comment_id}".*?</article>', html, re.S)
    assert found, comment_id
    return found.group(0)


def _thread(client, article: str = STORY) -> list[dict[str, Any]]:
    return client.get(thread_url("news", article)).get_json()["comments"]


# --- Cards ------------------------------------------------------------------------------------


def test_cards_show_staff_badges_featured_and_reactions(app, moderator, post, sign, decide):
    token = sign(role="staff", badges=["Editor", "Climate desk"])
    staff = post(STORY, headers={"X-Reader-Token": token}).get_json()["comment"]["id"]
    guest = post(STORY, body="From a guest.").get_json()["comment"]["id"]
    decide(guest, "feature")
    with app.app_context():
        db.session.get_one(Comment, guest).reactions = 7
        db.session.commit()
    html = moderator.page("/dashboard/queue?view=approved").get_data(as_text=True)
    staff_card, guest_card = _card(html, staff), _card(html, guest)
    assert 'class="badge badge-staff">Staff<' in staff_card
    assert ">Editor<" in staff_card and ">Climate desk<" in staff_card
    assert "badge-featured" not in staff_card
    assert "badge-staff" not in guest_card
    assert 'class="badge badge-featured">Featured<' in guest_card
    assert "Respect: 7" in guest_card
    assert "Respect: 0" in staff_card


# --- Feature and unfeature --------------------------------------------------------------------


def test_feature_and_unfeature_from_a_cards_form_are_logged(app, moderator, post):
    comment = post(STORY).get_json()["comment"]["id"]
    html = moderator.page("/dashboard/queue").get_data(as_text=True)
    assert re.search(r'name="action" value="feature"[^>]*>Feature <kbd[^>]*>f</kbd>', html)
    answer = moderator.form(
        "/dashboard/decisions",
        {"ids": str(comment), "action": "feature", "next": "/dashboard/queue"},
        expect=302,
    )
    assert answer.location.endswith("/dashboard/queue")
    stored = _comment(app, comment)
    assert (stored.status.value, stored.featured) == ("approved", True)
    assert "1 comment featured." in moderator.page("/dashboard/queue").get_data(as_text=True)
    # Featured, its card offers to unfeature it, and no longer to feature it.
    card = _card(moderator.page(f"/dashboard/comments/{comment}").get_data(as_text=True), comment)
    assert 'value="unfeature"' in card and 'value="feature"' not in card
    moderator.form("/dashboard/decisions", {"ids": str(comment), "action": "unfeature"}, 302)
    stored = _comment(app, comment)
    assert (stored.status.value, stored.featured) == ("approved", False)
    mod_id = _log(app, comment)[-1][2]
    assert _log(app, comment)[-2:] == [
        ("feature", "moderator:mod@newsroom.example", mod_id),
        ("unfeature", "moderator:mod@newsroom.example", mod_id),
    ]
    assert mod_id is not None
    log = moderator.page(f"/dashboard/log?comment={comment}").get_data(as_text=True)
    assert re.findall(r'data-action="(\w+)"', log) == ["unfeature", "feature", "hold"]
    assert "<strong>Feature</strong>" in log and "<strong>Unfeature</strong>" in log
    only = moderator.page("/dashboard/log?action=feature").get_data(as_text=True)
    assert re.findall(r'data-action="(\w+)"', only) == ["feature"]


def test_feature_through_the_json_endpoint(app, moderator, post):
    ids = [post(STORY, body=f"Comment {n}.").get_json()["comment"]["id"] for n in range(3)]
    answer = moderator.decide(ids[:2], "feature")
    assert answer["comments"] == [{"id": i, "status": "approved"} for i in ids[:2]]
    assert answer["counts"]["pending"] == 1 and answer["counts"]["approved"] == 2
    assert answer["message"] == "2 comments featured."
    assert [c["featured"] for c in _thread(moderator.client)] == [True, True]
    refused = moderator.decide([ids[0]], "feature", expect=409)
    assert refused["error"]["message"] == f"Comment {ids[0]} is already featured."
    assert moderator.decide([ids[0]], "unfeature")["message"] == "1 comment no longer featured."
    assert _comment(app, ids[0]).featured is False
    assert [a for a, _who, _m in _log(app, ids[0])] == ["hold", "feature", "unfeature"]
    # Neither applies to a rejected comment: the card offers neither, the endpoint refuses.
    moderator.decide([ids[2]], "reject")
    card = _card(moderator.page(f"/dashboard/comments/{ids[2]}").get_data(as_text=True), ids[2])
    assert "feature" not in re.findall(r'name="action" value="(\w+)"', card)
    moderator.decide([ids[2]], "feature", expect=409)


def test_feature_of_another_sites_comment_is_not_found(app, make_site, moderator, post):
    make_site("sport", origins=("https://sport.example",))
    theirs = post("/s/match", site="sport").get_json()["comment"]["id"]
    moderator.decide([theirs], "feature", expect=404)
    moderator.form("/dashboard/decisions", {"ids": str(theirs), "action": "feature"}, 302)
    assert _comment(app, theirs).featured is False


# --- Answering as staff -----------------------------------------------------------------------


def test_a_staff_answer_appears_in_the_thread_at_once(app, moderator, post, decide, client):
    parent = post(STORY).get_json()["comment"]["id"]
    pending = moderator.page("/dashboard/queue").get_data(as_text=True)
    assert "Answer as staff" not in _card(pending, parent)  # not public yet
    decide(parent)
    assert len(_thread(client)) == 1  # the thread is cached: the answer must move it on
    card = _card(moderator.page(f"/dashboard/comments/{parent}").get_data(as_text=True), parent)
    assert "Answer as staff" in card
    assert re.search(r'name="author_name"[^>]*value="mod"', card)  # the email before the @
    assert f'action="/dashboard/comments/{parent}/answer"' in card
    answer = moderator.form(
        f"/dashboard/comments/{parent}/answer",
        {"body": "Thanks, we corrected the date.", "author_name": "mod", "next": "/dashboard/log"},
        expect=302,
    )
    assert answer.location.endswith("/dashboard/log")
    [root] = _thread(client)
    [reply] = root["replies"]
    assert reply["staff"] is True
    assert reply["author_name"] == "mod"
    assert "we corrected the date" in reply["html"]
    with app.app_context():
        stored = db.session.scalar(select(Comment).where(Comment.parent_id == parent))
        assert (stored.staff, stored.status.value) == (True, "approved")
    assert _log(app, reply["id"])[0][:2] == ("approve", "moderator:mod@newsroom.example")
    html = moderator.page("/dashboard/queue?view=approved").get_data(as_text=True)
    assert 'class="badge badge-staff">Staff<' in _card(html, reply["id"])


def test_staff_answers_that_cannot_be_published(app, make_site, moderator, post, decide):
    parent = post(STORY).get_json()["comment"]["id"]
    refused = moderator.form(
        f"/dashboard/comments/{parent}/answer", {"body": "Too early.", "author_name": "mod"}, 302
    )
    assert refused.location.endswith(f"/dashboard/comments/{parent}")
    page = moderator.page(refused.location).get_data(as_text=True)
    assert "Answer not published: Approve the comment first" in page
    decide(parent)
    moderator.form(f"/dashboard/comments/{parent}/answer", {"body": "  ", "author_name": "m"}, 302)
    assert "Answer not published: The answer is empty." in moderator.page(
        f"/dashboard/comments/{parent}"
    ).get_data(as_text=True)
    make_site("sport", origins=("https://sport.example",))
    theirs = post("/s/match", site="sport").get_json()["comment"]["id"]
    moderator.form(f"/dashboard/comments/{theirs}/answer", {"body": "Hi.", "author_name": "m"}, 404)
    with app.app_context():
        assert db.session.scalar(select(Comment).where(Comment.staff.is_(True))) is None


def test_a_staff_answer_needs_the_csrf_token_and_a_session(app, moderator, post, decide, dash):
    parent = post(STORY).get_json()["comment"]["id"]
    decide(parent)
    forged = moderator.client.post(
        f"/dashboard/comments/{parent}/answer", data={"body": "Forged.", "author_name": "x"}
    )
    assert forged.status_code == 403
    moderator.client.post(
        "/dashboard/logout", data={"csrf_token": moderator.csrf()}, base_url=moderator.base_url
    )
    signed_out = moderator.client.post(
        f"/dashboard/comments/{parent}/answer", data={"body": "Anon.", "author_name": "x"}
    )
    assert signed_out.status_code in (302, 403)
    with app.app_context():
        assert db.session.scalar(select(Comment).where(Comment.staff.is_(True))) is None


# --- An author's page -------------------------------------------------------------------------


def _author_link(html: str, comment_id: int) -> str:
    card = _card(html, comment_id)
    found = re.search(r'<strong class="author-name"><a href="([^"]+)"', card)
    assert found
    return unescape(found.group(1))


def test_the_authors_page_lists_their_comments_across_articles_and_their_bans(
    app, moderator, post, decide, auth, client
):
    first = post(STORY, author_email="ann@example.org").get_json()["comment"]["id"]
    # The same browser, with another address.
    second = post(
        OTHER,
        body="On another story.",
        article_title="The other story",
        author_email="ann@work.example",
        guest_key=browser_key("Ann Reader", "ann@example.org"),
    ).get_json()
    second = second["comment"]["id"]
    someone_else = post(STORY, body="Not Ann.", author_name="Bob").get_json()["comment"]["id"]
    decide(first, "feature")
    decide(second, "reject", reason="abuse")
    html = moderator.page("/dashboard/search?q=Ann+Reader").get_data(as_text=True)
    link = _author_link(html, first)
    with app.app_context():
        key = db.session.get_one(Comment, first).author_key
        assert db.session.get_one(Comment, second).author_key == key
    assert link == f"/dashboard/sites/news/authors/{key}"
    # A ban by email (another comment's address, the same person), one by identity, and
    # someone else's ban, which is not theirs.
    for body in (
        {"kind": "email", "email": "ANN@Work.example", "reason": "Insults"},
        {"kind": "author", "comment_id": second, "reason": "Repeat offender"},
        {"kind": "author", "comment_id": someone_else, "reason": "Bob's ban"},
    ):
        made = client.post("/api/v1/sites/news/bans", json=body, headers=auth)
        assert made.status_code == 201, made.get_json()
    page = moderator.page(link).get_data(as_text=True)
    listed = [int(i) for i in re.findall(r'<li class="author-comment" id="comment-(\d+)"', page)]
    assert listed == [second, first]  # newest first, both articles
    assert "The other story" in page
    assert "2 comments: 1 approved, 1 rejected, 0 spam" in page
    assert "Insults" in page and "Repeat offender" in page and "Bob&#39;s ban" not in page
    assert re.findall(r'<tr class="ban" data-kind="(\w+)"', page) == ["author", "email"]
    assert "badge-featured" in page
    assert "Abusive or hateful" in page and "<strong>Feature</strong>" in page
    assert "a guest (no account)" in page


def test_the_authors_page_pages_with_a_cursor(app, moderator, post, monkeypatch):
    monkeypatch.setattr("moderation.dashboard.authors.PAGE_SIZE", 2)
    ids = [post(STORY, body=f"Number {n}.").get_json()["comment"]["id"] for n in range(5)]
    with app.app_context():
        key = db.session.get_one(Comment, ids[0]).author_key
    html = moderator.page(f"/dashboard/sites/news/authors/{key}").get_data(as_text=True)
    seen = []
    while True:
        seen += [int(i) for i in re.findall(r'<li class="author-comment" id="comment-(\d+)"', html)]
        found = re.search(r'<a href="([^"]+)" rel="next">', html)
        if not found:
            break
        html = moderator.page(unescape(found.group(1))).get_data(as_text=True)
    assert seen == ids[::-1]


def test_the_authors_page_shows_their_account(app, moderator, post, sign):
    token = sign(name="Rhea Reader", email="rhea@example.org", badges=["Subscriber"])
    comment = post(STORY, headers={"X-Reader-Token": token}).get_json()["comment"]["id"]
    link = _author_link(moderator.page("/dashboard/queue").get_data(as_text=True), comment)
    page = moderator.page(link).get_data(as_text=True)
    assert "signed in with the site's login as <strong>Rhea Reader</strong>" in page
    assert "rhea@example.org" in page and "<code>reader-1</code>" in page
    assert ">Subscriber<" in page


def test_the_authors_page_of_other_sites_and_no_one_is_not_found(
    app, make_site, make_moderator, moderator, post, dash
):
    make_site("sport", origins=("https://sport.example",))
    theirs = post("/s/match", site="sport").get_json()["comment"]["id"]
    mine = post(STORY).get_json()["comment"]["id"]
    with app.app_context():
        their_key = db.session.get_one(Comment, theirs).author_key
        my_key = db.session.get_one(Comment, mine).author_key
    moderator.page(f"/dashboard/sites/sport/authors/{their_key}", expect=404)
    moderator.page(f"/dashboard/sites/news/authors/{their_key}", expect=404)  # no comment here
    moderator.page("/dashboard/sites/news/authors/not-a-key", expect=404)
    moderator.page(f"/dashboard/sites/nowhere/authors/{my_key}", expect=404)
    moderator.page(f"/dashboard/sites/news/authors/{my_key}?cursor=nonsense", expect=400)
    moderator.page(f"/dashboard/sites/news/authors/{my_key}")
    moderator.client.post(
        "/dashboard/logout", data={"csrf_token": moderator.csrf()}, base_url=moderator.base_url
    )
    signed_out = moderator.page(f"/dashboard/sites/news/authors/{my_key}", expect=302)
    assert "/dashboard/login" in signed_out.location


def test_hostile_names_and_badges_are_escaped(app, admin_dash, post, decide, sign):
    token = sign(name=f"Eve {PAYLOAD}", badges=["Subscriber"])
    comment = post(STORY, headers={"X-Reader-Token": token}).get_json()["comment"]["id"]
    decide(comment)
    with app.app_context():
        # Any characters may be in a badge (only control ones and length are refused).
        db.session.get_one(Comment, comment).badges = [PAYLOAD, '"><svg onload=window.__pwned()>']
        reader = db.session.scalars(select(Reader)).one()
        reader.badges = [PAYLOAD]
        reader.email = 'x"><svg onload=window.__pwned()>@example.org'
        db.session.commit()
        key = db.session.get_one(Comment, comment).author_key
    with app.app_context():
        update = _site()
        update.reaction_label = SHORT_PAYLOAD  # a label is at most 40 characters
        db.session.commit()
    admin_dash.form(
        f"/dashboard/comments/{comment}/answer",
        {"body": f"Answer {PAYLOAD}", "author_name": f"Staff {PAYLOAD}"},
        expect=302,
    )
    for path in (
        "/dashboard/queue?view=approved",
        f"/dashboard/comments/{comment}",
        f"/dashboard/sites/news/authors/{key}",
        "/dashboard/sites/news",
        "/dashboard/search?q=Eve",
    ):
        html = admin_dash.page(path).get_data(as_text=True)
        for raw in RAW:
            assert raw not in html, (path, raw)
    page = admin_dash.page(f"/dashboard/sites/news/authors/{key}").get_data(as_text=True)
    assert "Eve &lt;script&gt;window.__pwned()&lt;/script&gt;" in page


# --- The site's readers' settings and SSO secret ----------------------------------------------


def test_admins_set_who_may_comment_sign_in_and_reaction_label(app, admin_dash):
    page = admin_dash.page("/dashboard/sites/news").get_data(as_text=True)
    assert 'id="commenters-guests" name="commenters" value="guests" checked' in page
    assert "no reader can sign in" in page
    saved = admin_dash.form(
        "/dashboard/sites/news/readers",
        {
            "commenters": "mixed",
            "login_url": "https://news.example/login",
            "reaction_label": "Insightful",
        },
        expect=302,
    )
    assert saved.location.endswith("/dashboard/sites/news#readers-title")
    with app.app_context():
        site = _site()
        assert (site.commenters, site.login_url, site.reaction_label) == (
            Commenters.MIXED,
            "https://news.example/login",
            "Insightful",
        )
    page = admin_dash.page("/dashboard/sites/news").get_data(as_text=True)
    assert 'value="mixed" checked' in page and 'value="https://news.example/login"' in page
    refused = admin_dash.form(
        "/dashboard/sites/news/readers",
        {"commenters": "readers", "login_url": "javascript:alert(1)", "reaction_label": "Ok"},
        expect=400,
    ).get_data(as_text=True)
    assert "The sign-in page is an http(s) address." in refused
    assert 'value="javascript:alert(1)"' in refused  # what was typed, to correct
    no_secret = admin_dash.form(
        "/dashboard/sites/news/readers",
        {"commenters": "readers", "login_url": "", "reaction_label": "Ok"},
        expect=400,
    ).get_data(as_text=True)
    assert "Give the site an SSO secret first" in no_secret
    with app.app_context():
        assert _site().commenters is Commenters.MIXED  # nothing saved
    admin_dash.form(
        "/dashboard/sites/news/readers",
        {"commenters": "everyone", "login_url": "", "reaction_label": "Ok"},
        expect=400,
    )
    assert (
        admin_dash.client.post(
            "/dashboard/sites/news/readers", data={"commenters": "guests"}
        ).status_code
        == 403
    )  # no CSRF token


def test_a_new_sso_secret_is_shown_once(app, admin_dash):
    made = admin_dash.form("/dashboard/sites/news/sso-secret", expect=201)
    html = made.get_data(as_text=True)
    assert made.headers["Cache-Control"] == "no-store"
    with app.app_context():
        first = _site().sso_secret
    assert first and f"<code>{first}</code>" in html
    page = admin_dash.page("/dashboard/sites/news").get_data(as_text=True)
    assert first not in page and "The site has a secret" in page
    again = admin_dash.form("/dashboard/sites/news/sso-secret", expect=201).get_data(as_text=True)
    with app.app_context():
        site = _site()
        assert site.sso_previous_secret == first and site.sso_secret != first
        assert f"<code>{site.sso_secret}</code>" in again
    assert "still accepted until" in again
    assert first not in again


def test_readers_settings_and_secrets_are_for_admins_only(app, moderator):
    moderator.page("/dashboard/sites/news", expect=403)
    moderator.form(
        "/dashboard/sites/news/readers",
        {"commenters": "mixed", "login_url": "", "reaction_label": "Ok"},
        expect=403,
    )
    moderator.form("/dashboard/sites/news/sso-secret", expect=403)
    with app.app_context():
        site = _site()
        assert (site.commenters, site.sso_secret) == (Commenters.GUESTS, None)


def test_the_log_lists_feature_among_the_actions(moderator):
    html = moderator.page("/dashboard/log").get_data(as_text=True)
    assert '<option value="feature">Feature</option>' in html
    assert Action.UNFEATURE.value in html


def test_queue_view_still_lists_featured_cards_by_id(app, moderator, post):
    ids = [post(STORY, body=f"Comment {n}.").get_json()["comment"]["id"] for n in range(2)]
    moderator.decide([ids[0]], "feature")
    assert card_ids(moderator.page("/dashboard/queue").get_data(as_text=True)) == [ids[1]]
    approved = moderator.page("/dashboard/queue?view=approved").get_data(as_text=True)
    assert card_ids(approved) == [ids[0]]


def test_email_ban_hash_is_the_one_bans_keep(app, moderator, post, auth, client):
    comment = post(STORY, author_email="Zed@Example.org").get_json()["comment"]["id"]
    client.post(
        "/api/v1/sites/news/bans", json={"kind": "email", "comment_id": comment}, headers=auth
    )
    with app.app_context():
        ban = db.session.scalars(select(Ban)).one()
        site_id = _site().id
        assert ban.kind is BanKind.EMAIL
        assert ban.value_hash == email_hash("test-secret", site_id, "zed@example.org")
        key = db.session.get_one(Comment, comment).author_key
    page = moderator.page(f"/dashboard/sites/news/authors/{key}").get_data(as_text=True)
    assert re.findall(r'<tr class="ban" data-kind="(\w+)"', page) == ["email"]
