"""Who may see and do what: a moderator works on their own sites only, by any URL; admin pages
are for admins."""

# Fixtures imported from test_dashboard are used as arguments, which ruff takes for redefinitions.

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.db import db
from moderation.models import Article, Comment, Decision

from .conftest import Dashboard, card_ids, held, statuses, tab_count


@pytest.fixture
def two_sites(app, make_site, post, moderator):
    """``news`` (the moderator's) and ``rival`` (not theirs), each with pending comments."""
    make_site("rival", origins=("https://rival.example",))
    mine = held(post, 2, "/mine")
    theirs = held(post, 2, "/theirs", site="rival")
    with app.app_context():
        their_article = db.session.get_one(Comment, theirs[0]).article_id
    return mine, theirs, their_article


def test_moderator_sees_only_their_sites_comments(moderator, two_sites):
    mine, theirs, _ = two_sites
    html = moderator.page("/dashboard/queue").get_data(as_text=True)
    assert card_ids(html) == mine
    assert not set(theirs) & set(card_ids(html))
    assert tab_count(html, "pending") == 2
    assert "rival" not in html.lower()
    assert card_ids(moderator.page("/dashboard/search?q=Held").get_data(as_text=True)) == mine[::-1]
    overview = moderator.page("/dashboard/").get_data(as_text=True)
    assert 'tile-number">2</span> <span class="tile-label">Pending' in overview
    articles = moderator.page("/dashboard/articles").get_data(as_text=True)
    assert "/theirs" not in articles and "/mine" in articles


def test_moderator_cannot_see_other_sites_comments_by_any_url(moderator, two_sites):
    _, theirs, their_article = two_sites
    for path in (
        f"/dashboard/comments/{theirs[0]}",
        "/dashboard/queue?site=rival",
        f"/dashboard/queue?article={their_article}",
        "/dashboard/search?q=Held&site=rival",
        f"/dashboard/search?q=Held&article={their_article}",
        f"/dashboard/log?article={their_article}",
        "/dashboard/log?site=rival",
        "/dashboard/articles?site=rival",
    ):
        response = moderator.client.get(path)
        assert response.status_code == 404, path
        assert "Held comment" not in response.get_data(as_text=True), path
    log = moderator.page(f"/dashboard/log?comment={theirs[0]}").get_data(as_text=True)
    assert 'class="log-entry"' not in log


def test_moderator_cannot_decide_other_sites_comment(app, moderator, two_sites):
    mine, theirs, _ = two_sites
    refused = moderator.decide([theirs[0]], "approve", expect=404)
    assert refused["error"]["code"] == "not_found"
    # Mixed with one of their own: nothing at all is decided.
    moderator.decide([mine[0], theirs[1]], "spam", expect=404)
    form = moderator.form("/dashboard/decisions", {"ids": [theirs[0]], "action": "approve"})
    assert form.status_code == 302
    assert statuses(app, mine + theirs) == dict.fromkeys(mine + theirs, "pending")
    with app.app_context():
        assert not db.session.scalar(select(Decision.id).where(Decision.actor.like("moder%")))


def test_moderator_cannot_close_or_reconfigure_other_sites_article(app, moderator, two_sites):
    _, _, their_article = two_sites
    for data in ({"closed": "1"}, {"mode": "post"}):
        response = moderator.form(f"/dashboard/articles/{their_article}", data)
        assert response.status_code == 404, data
    with app.app_context():
        article = db.session.get_one(Article, their_article)
        assert article.closed is False and article.moderation_mode is None


def test_decisions_filter_for_counts_cannot_peek_at_another_site(moderator, two_sites):
    mine, _, their_article = two_sites
    response = moderator.decide([mine[0]], "approve", expect=404, article=their_article)
    assert response["error"]["code"] == "not_found"


def test_moderator_with_no_sites_sees_nothing(app, make_moderator, post, site):
    make_moderator("idle@newsroom.example", sites=())
    ids = held(post, 1)
    idle = Dashboard(app.test_client(), app)
    idle.login("idle@newsroom.example")
    assert card_ids(idle.page("/dashboard/queue").get_data(as_text=True)) == []
    idle.decide(ids, "approve", expect=404)


def test_admin_sees_every_site(app, admin_dash, make_site, post):
    make_site("rival", origins=("https://rival.example",))
    mine = held(post, 1)
    theirs = held(post, 1, site="rival")
    html = admin_dash.page("/dashboard/queue").get_data(as_text=True)
    assert card_ids(html) == mine + theirs
    admin_dash.decide(theirs, "approve")


@pytest.mark.parametrize(
    "path",
    [
        "/dashboard/sites",
        "/dashboard/sites/news",
        "/dashboard/moderators",
        "/dashboard/moderators/1",
    ],
)
def test_admin_pages_are_forbidden_to_moderators(moderator, path):
    assert moderator.client.get(path).status_code == 403


def test_admin_actions_are_forbidden_to_moderators(app, moderator):
    for path, data in (
        ("/dashboard/sites", {"slug": "mine", "origins": "https://mine.example"}),
        ("/dashboard/sites/news", {"name": "Taken", "origins": "https://x.example"}),
        ("/dashboard/sites/news/tokens", {"label": "sneaky"}),
        ("/dashboard/moderators", {"email": "x@y.example", "password": "long enough pw"}),
        ("/dashboard/moderators/1", {"what": "sites", "is_admin": "on"}),
    ):
        assert moderator.form(path, data).status_code == 403, path
    with app.app_context():
        from moderation.models import ApiToken, Moderator, Site

        assert db.session.scalar(select(Site.name).where(Site.slug == "news")) == "News"
        assert db.session.scalar(select(ApiToken.id)) is None
        assert db.session.scalar(select(Moderator.is_admin)) is False
