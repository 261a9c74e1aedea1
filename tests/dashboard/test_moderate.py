"""The queue, decisions, articles, the log, search and the overview, through the dashboard."""

# Fixtures imported from test_dashboard are used as arguments, which ruff takes for redefinitions.

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from moderation.db import db
from moderation.models import Comment, Decision, Flag, Status

from ..conftest import PUBLISH_AT_ONCE, thread_url
from .conftest import card_ids, held, statuses, tab_count

STORY = "/2026/11/story"


# --- The queue --------------------------------------------------------------------------------


def test_queue_lists_pending_oldest_first_with_counts_per_tab(moderator, post, decide):
    ids = held(post, 4)
    decide(ids[0], "approve")
    decide(ids[1], "reject", reason="abuse")
    html = moderator.page("/dashboard/queue").get_data(as_text=True)
    assert card_ids(html) == ids[2:]
    assert tab_count(html, "pending") == 2
    assert tab_count(html, "approved") == 1
    assert tab_count(html, "rejected") == 1
    assert tab_count(html, "spam") == 0
    assert "<title>Pending (2)" in html
    newest = moderator.page("/dashboard/queue?order=newest").get_data(as_text=True)
    assert card_ids(newest) == ids[:1:-1]
    approved = moderator.page("/dashboard/queue?view=approved").get_data(as_text=True)
    assert card_ids(approved) == [ids[0]]


def test_queue_pages_with_a_cursor(app, moderator, post, monkeypatch):
    monkeypatch.setattr("moderation.dashboard.moderate.PAGE_SIZE", 2)
    ids = held(post, 5)
    first = moderator.page("/dashboard/queue").get_data(as_text=True)
    assert card_ids(first) == ids[:2]
    seen = list(card_ids(first))
    html = first
    while 'rel="next"' in html:
        link = re.search(r'<a href="([^"]+)" rel="next">', html).group(1).replace("&amp;", "&")
        html = moderator.page(link).get_data(as_text=True)
        seen += card_ids(html)
    assert seen == ids


def test_queue_filters_by_site_and_article(app, make_site, make_moderator, dash, post):
    make_site("news")
    make_site("sport", origins=("https://sport.example",))
    make_moderator(sites=("news", "sport"))
    dash.login("mod@newsroom.example")
    news = held(post, 2, "/a/one") + held(post, 1, "/a/two")
    sport = held(post, 2, "/s/match", site="sport")
    assert card_ids(dash.page("/dashboard/queue").get_data(as_text=True)) == news + sport
    only_sport = dash.page("/dashboard/queue?site=sport").get_data(as_text=True)
    assert card_ids(only_sport) == sport
    assert tab_count(only_sport, "pending") == 2
    with app.app_context():
        article_id = db.session.get(Comment, news[0]).article_id
    one_article = dash.page(f"/dashboard/queue?article={article_id}").get_data(as_text=True)
    assert card_ids(one_article) == news[:2]
    assert tab_count(one_article, "pending") == 2


def test_card_shows_what_a_moderator_needs(app, moderator, post, decide, client):
    first = post(
        STORY,
        body="The first word.",
        author_name="Ann Reader",
        author_email="ann@example.org",
        article_title="Council approves the tram",
        article_url="https://news.example/2026/11/story",
    ).get_json()["comment"]["id"]
    decide(first)
    earlier = post(STORY, body="Another take.", author_email="ann@example.org").get_json()
    decide(earlier["comment"]["id"], "reject", reason="off_topic")
    client.post(f"/api/v1/comments/{first}/flags", json={"reason": "abuse", "note": "rude remark"})
    reply = post(
        STORY,
        body="A *reply* with <b>bold</b> and <script>x()</script>",
        author_email="ann@example.org",
        parent_id=first,
    ).get_json()["comment"]["id"]

    html = moderator.page("/dashboard/queue").get_data(as_text=True)
    card = html[html.index(f'id="comment-{reply}"') :]
    assert '<a href="https://news.example/2026/11/story"' in card
    assert "Council approves the tram" in card
    assert "Ann Reader" in card and "ann@example.org" in card
    assert "1 approved, 1 rejected, 0 spam" in card
    assert "pre-moderation" in card  # why it was held
    assert "In reply to <strong>Ann Reader</strong>" in card
    assert "The first word." in card  # the parent, rendered
    assert "<b>bold</b>" in card  # the sanitized HTML, rendered
    assert "&lt;b&gt;bold&lt;/b&gt; and &lt;script&gt;x()&lt;/script&gt;" in card  # original text
    assert "<script>x()" not in html

    flagged = moderator.page("/dashboard/queue?view=flagged").get_data(as_text=True)
    assert card_ids(flagged) == [first]
    assert "Abusive or hateful" in flagged and "rude remark" in flagged
    assert tab_count(flagged, "flagged") == 1


# --- Decisions --------------------------------------------------------------------------------


def test_decisions_through_json_are_logged_with_the_moderator(app, moderator, post, client):
    ids = held(post, 3)
    answer = moderator.decide([ids[0]], "approve")
    assert answer["comments"] == [{"id": ids[0], "status": "approved"}]
    assert answer["counts"]["pending"] == 2 and answer["counts"]["approved"] == 1
    moderator.decide(
        [ids[1]], "reject", reason="personal_data", explanation="Please leave out addresses."
    )
    moderator.decide([ids[2]], "spam")
    assert statuses(app, ids) == {ids[0]: "approved", ids[1]: "rejected", ids[2]: "spam"}
    with app.app_context():
        log = list(
            db.session.scalars(
                select(Decision).where(Decision.actor.like("moderator:%")).order_by(Decision.id)
            )
        )
        moderator_id = log[0].moderator_id
    assert [(d.comment_id, d.action.value) for d in log] == [
        (ids[0], "approve"),
        (ids[1], "reject"),
        (ids[2], "spam"),
    ]
    assert {d.actor for d in log} == {"moderator:mod@newsroom.example"}
    assert moderator_id is not None and {d.moderator_id for d in log} == {moderator_id}
    assert log[1].reason.value == "personal_data"
    assert log[1].explanation == "Please leave out addresses."
    thread = client.get(thread_url("news", STORY)).get_json()
    assert [c["id"] for c in thread["comments"]] == [ids[0]]


def test_bulk_decision_through_the_form(app, moderator, post):
    ids = held(post, 4)
    response = moderator.form(
        "/dashboard/decisions",
        {
            "ids": ids[:3],
            "action": "reject",
            "reason": "off_topic",
            "explanation": "",
            "next": "/dashboard/queue?view=pending",
        },
        expect=302,
    )
    assert response.location == "/dashboard/queue?view=pending"
    html = moderator.page(response.location).get_data(as_text=True)
    assert "3 comments rejected." in html
    assert card_ids(html) == ids[3:]
    with app.app_context():
        reasons = set(
            db.session.scalars(select(Decision.reason).where(Decision.comment_id.in_(ids[:3])))
        )
    assert {r.value for r in reasons if r} == {"off_topic"}


def test_a_refused_decision_says_why_and_changes_nothing(app, moderator, post, decide):
    ids = held(post, 2)
    decide(ids[0], "approve")
    refused = moderator.decide([ids[1], ids[0]], "approve", expect=409)
    assert refused["error"]["code"] == "invalid_transition"
    assert str(ids[0]) in refused["error"]["message"]
    assert statuses(app, ids)[ids[1]] == "pending"  # all or nothing

    form = moderator.form(
        "/dashboard/decisions", {"ids": [ids[0]], "action": "approve"}, expect=302
    )
    html = moderator.page(form.location).get_data(as_text=True)
    assert "Not saved:" in html and f"Comment {ids[0]} is already approved." in html


def test_bad_decision_fields_are_validation_errors(moderator, post):
    [cid] = held(post, 1)
    for body, field in (
        ({"ids": [cid], "action": "delete"}, "action"),
        ({"ids": [cid], "action": "reject", "reason": "boring"}, "reason"),
        ({"ids": [], "action": "approve"}, "ids"),
        ({"ids": ["1; drop"], "action": "approve"}, "ids"),
        ({"ids": "1", "action": "approve"}, "ids"),
        ({"ids": [cid], "action": "reject", "explanation": "x" * 2001}, "explanation"),
        # The API refuses a reason on an approval: so does the dashboard, with the same words.
        ({"ids": [cid], "action": "approve", "reason": "abuse"}, "reason"),
        ({"ids": [2**31], "action": "approve"}, "ids"),
    ):
        response = moderator.client.post(
            "/dashboard/api/decisions", json=body, headers={"X-CSRF-Token": moderator.csrf()}
        )
        assert response.status_code == 400, body
        assert response.get_json()["error"]["field"] == field, body


def test_one_decision_gets_one_answer_in_the_api_and_the_dashboard(moderator, client, auth, post):
    """The same body, refused the same way by the API and the dashboard's endpoint."""
    [cid] = held(post, 1)
    for body in (
        {"ids": [cid], "action": "approve", "reason": "abuse"},
        {"ids": [cid], "action": "reject", "reason": "boring"},
        {"ids": [cid, 2**70], "action": "spam"},
        {"ids": [cid], "action": "approve", "colour": "red"},
    ):
        api = client.post("/api/v1/sites/news/decisions", json=body, headers=auth)
        dashboard = moderator.client.post(
            "/dashboard/api/decisions", json=body, headers={"X-CSRF-Token": moderator.csrf()}
        )
        assert api.status_code == dashboard.status_code == 400, body
        assert api.get_json() == dashboard.get_json(), body


def test_restore_puts_a_rejected_comment_back_in_the_queue(app, moderator, post):
    [cid] = held(post, 1)
    moderator.decide([cid], "spam")
    html = moderator.page("/dashboard/queue?view=spam").get_data(as_text=True)
    assert card_ids(html) == [cid] and 'value="restore"' in html
    moderator.decide([cid], "restore")
    assert card_ids(moderator.page("/dashboard/queue").get_data(as_text=True)) == [cid]


def test_keeping_a_reported_approved_comment_answers_the_reports(
    app, moderator, post, decide, client
):
    [cid] = held(post, 1)
    decide(cid)
    client.post(f"/api/v1/comments/{cid}/flags", json={"reason": "spam"})
    html = moderator.page("/dashboard/queue?view=flagged").get_data(as_text=True)
    assert card_ids(html) == [cid] and "Keep up" in html
    moderator.decide([cid], "approve")
    assert statuses(app, [cid]) == {cid: "approved"}
    with app.app_context():
        assert db.session.scalar(select(Flag.resolved_at).where(Flag.comment_id == cid))
    assert card_ids(moderator.page("/dashboard/queue?view=flagged").get_data(as_text=True)) == []
    # An approved comment nobody reported cannot be approved again.
    moderator.decide([cid], "approve", expect=409)


def test_post_moderated_comments_are_in_the_unreviewed_tab(app, make_site, moderator, post):
    make_site("open", origins=("https://open.example",), mode="post", rules=PUBLISH_AT_ONCE)
    with app.app_context():
        from moderation import admin

        person = admin.get_moderator(db.session(), 1)
        person.sites = admin.get_sites(db.session(), ["news", "open"])
        db.session.commit()
    cid = post(STORY, site="open").get_json()["comment"]["id"]
    html = moderator.page("/dashboard/queue?view=unreviewed").get_data(as_text=True)
    assert card_ids(html) == [cid]
    moderator.decide([cid], "approve")
    assert card_ids(moderator.page("/dashboard/queue?view=unreviewed").get_data(as_text=True)) == []


# --- Articles ---------------------------------------------------------------------------------


def _article_id(app, comment_id: int) -> int:
    with app.app_context():
        return db.session.get_one(Comment, comment_id).article_id


def test_articles_list_counts_by_status(app, moderator, post, decide):
    ids = held(post, 3, "/a/counted", article_title="Counted <em>story</em>")
    decide(ids[0])
    decide(ids[1], "spam")
    html = moderator.page("/dashboard/articles").get_data(as_text=True)
    row = html[html.index(f'id="article-{_article_id(app, ids[0])}"') :]
    row = row[: row.index("</tr>")]
    assert "Counted &lt;em&gt;story&lt;/em&gt;" in row
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "1", "0", "1"]


def test_closing_an_article_makes_the_widget_refuse_comments(app, moderator, post, client):
    [cid] = held(post, 1)
    article_id = _article_id(app, cid)
    before = client.get(thread_url("news", STORY))
    assert before.get_json()["article"]["closed"] is False
    moderator.form(f"/dashboard/articles/{article_id}", {"closed": "1"}, expect=302)
    after = client.get(thread_url("news", STORY), headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.get_json()["article"]["closed"] is True
    refused = post(STORY, body="Too late?", expect=403).get_json()
    assert refused["error"]["code"] == "article_closed"
    assert "Closed" in moderator.page("/dashboard/articles").get_data(as_text=True)
    moderator.form(f"/dashboard/articles/{article_id}", {"closed": "0"}, expect=302)
    post(STORY, body="Open again.")


def test_article_mode_overrides_the_site(app, moderator, post):
    [cid] = held(post, 1)
    article_id = _article_id(app, cid)
    moderator.form(f"/dashboard/articles/{article_id}", {"mode": "post"}, expect=302)
    published = post(STORY, body="Straight through.").get_json()["comment"]
    assert published["status"] in ("published", "pending")  # new-commenter rules may still hold
    with app.app_context():
        from moderation.models import Article

        assert db.session.get_one(Article, article_id).moderation_mode.value == "post"
    moderator.form(f"/dashboard/articles/{article_id}", {"mode": ""}, expect=302)
    with app.app_context():
        from moderation.models import Article

        assert db.session.get_one(Article, article_id).moderation_mode is None
    bad = moderator.form(f"/dashboard/articles/{article_id}", {"mode": "sometimes"})
    assert bad.status_code == 302
    assert "Not saved" in moderator.page(bad.location).get_data(as_text=True)


# --- The log, search and the overview ---------------------------------------------------------


def test_log_filters_by_moderator_article_and_action(app, moderator, post, make_moderator):
    one = held(post, 2, "/a/one")
    two = held(post, 1, "/a/two")
    moderator.decide([one[0]], "approve")
    moderator.decide([one[1], two[0]], "reject", reason="abuse", explanation="Keep it civil.")
    html = moderator.page("/dashboard/log").get_data(as_text=True)
    assert html.count('class="log-entry"') >= 6  # three holds and three decisions
    assert "Keep it civil." in html and "Abusive or hateful" in html

    rejects = moderator.page("/dashboard/log?action=reject").get_data(as_text=True)
    assert re.findall(r'data-comment="(\d+)"', rejects) == [str(two[0]), str(one[1])]
    article = _article_id(app, one[0])
    on_one = moderator.page(f"/dashboard/log?article={article}").get_data(as_text=True)
    assert set(re.findall(r'data-comment="(\d+)"', on_one)) == {str(i) for i in one}
    with app.app_context():
        me = db.session.scalar(select(Decision.moderator_id).where(Decision.moderator_id > 0))
    mine = moderator.page(f"/dashboard/log?moderator={me}").get_data(as_text=True)
    assert mine.count('class="log-entry"') == 3
    assert (
        moderator.page("/dashboard/log?moderator=9999")
        .get_data(as_text=True)
        .count('class="log-entry"')
        == 0
    )


def test_search_by_text_name_and_email(moderator, post):
    text = post(STORY, body="The bridge budget is 50% too high.").get_json()["comment"]["id"]
    name = post(STORY, body="Something else.", author_name="Zoë Marchal").get_json()
    email = post(STORY, body="Third.", author_email="Pieter@Example.org").get_json()
    found = lambda q: card_ids(  # noqa: E731
        moderator.page("/dashboard/search", query_string={"q": q}).get_data(as_text=True)
    )
    assert found("bridge BUDGET") == [text]
    assert found("50%") == [text]
    assert found("5_%") == []  # wildcards are literal
    assert found("Marchal") == [name["comment"]["id"]]
    assert found("pieter@example") == [email["comment"]["id"]]
    assert found("nothing like this") == []


def test_search_finds_every_status(moderator, post):
    ids = held(post, 3)
    moderator.decide([ids[0]], "approve")
    moderator.decide([ids[1]], "spam")
    html = moderator.page("/dashboard/search?q=Held+comment").get_data(as_text=True)
    assert sorted(card_ids(html)) == ids


def test_overview_shows_queue_sizes_oldest_pending_and_pace(app, moderator, post):
    ids = held(post, 3)
    with app.app_context():
        oldest = db.session.get_one(Comment, ids[0])
        oldest.created_at -= timedelta(hours=3)
        db.session.commit()
    moderator.decide([ids[0]], "approve")
    moderator.decide([ids[1]], "reject", reason="spam")
    html = moderator.page("/dashboard/").get_data(as_text=True)
    assert re.search(r'tile-number">1</span> <span class="tile-label">Pending', html)
    assert re.search(r'tile-number">1</span> <span class="tile-label">Approved', html)
    assert "Oldest pending comment:" in html and "none waiting" not in html
    assert "over the last 2 decisions" in html
    today_row = re.search(r'<tr><th scope="row">[\d-]+</th><td class="num">(\d+)</td>', html)
    assert today_row and today_row.group(1) == "2"  # newest day first


def test_overview_median_time_to_decide(app, make_moderator, dash, site, post):
    from moderation import overview
    from moderation.comments.decide import decide
    from moderation.models import Action

    make_moderator()
    ids = held(post, 3)
    with app.app_context():
        for minutes, cid in zip((10, 20, 60), ids, strict=True):
            db.session.get_one(Comment, cid).created_at -= timedelta(minutes=minutes)
        db.session.commit()
        decide(db.session(), site_id=None, comment_ids=ids, action=Action.APPROVE, actor="t")
        db.session.commit()
        glance = overview.at_a_glance(db.session(), site_ids=[1])
    assert glance.decisions_measured == 3
    assert 19 * 60 < glance.median_decision_seconds < 21 * 60
    assert glance.oldest_pending_at is None
    assert glance.decisions_per_day[-1][1] == 3
    assert len(glance.decisions_per_day) == overview.GLANCE_DAYS


def test_comment_page_shows_one_card_and_its_log(app, moderator, post):
    [cid] = held(post, 1)
    moderator.decide([cid], "reject", reason="abuse", explanation="Insults.")
    html = moderator.page(f"/dashboard/comments/{cid}").get_data(as_text=True)
    assert card_ids(html) == [cid]
    assert "Insults." in html and Status.REJECTED.value in html


def test_queue_page_costs_the_same_queries_for_3_or_15_comments(
    moderator, post, decide, client, count_queries
):
    def page_queries() -> int:
        with count_queries() as queries:
            moderator.page("/dashboard/queue")
        return len(queries)

    root = post(STORY).get_json()["comment"]["id"]
    decide(root)
    client.post(f"/api/v1/comments/{root}/flags", json={"reason": "abuse"})
    held(post, 3, parent_id=root)
    few = page_queries()
    held(post, 12, "/2026/11/other", author_email="someone@example.org")
    assert page_queries() == few
    # session, sites, page, reports, logs, counts, parents, authors, open notices and appeals
    assert few <= 11, few


def test_card_says_which_rules_held_a_comment_and_what_they_saw(moderator, post):
    body = "See https://a.example.com, https://b.example.com and https://c.example.com"
    post(STORY, body=body)
    html = moderator.page("/dashboard/queue").get_data(as_text=True)
    assert "Held because:" in html
    assert '<span class="chip">many links: 3 links</span>' in html
    assert '<span class="chip">pre-moderation: the article is pre-moderated</span>' in html
