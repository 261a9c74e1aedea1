"""Sites, moderators and API tokens, managed by an admin through the dashboard."""

# Fixtures imported from test_dashboard are used as arguments, which ruff takes for redefinitions.

from __future__ import annotations

import re

from sqlalchemy import select

from moderation.db import db
from moderation.identity import token_hash
from moderation.models import ApiToken, Comment, Moderator, Site

from ..conftest import thread_url
from .conftest import PASSWORD, Dashboard, held


def site_row(app, slug: str) -> Site | None:
    with app.app_context():
        found = db.session.scalar(select(Site).where(Site.slug == slug))
        if found is not None:
            db.session.expunge(found)
        return found


def test_admin_creates_a_site(app, admin_dash):
    response = admin_dash.form(
        "/dashboard/sites",
        {
            "slug": "gazette",
            "name": "The Gazette",
            "origins": "https://www.gazette.example/\nhttps://m.gazette.example",
            "mode": "post",
            "edit_window_minutes": "30",
        },
        expect=302,
    )
    assert response.location == "/dashboard/sites/gazette"
    created = site_row(app, "gazette")
    assert created is not None
    assert created.name == "The Gazette"
    assert created.origins == ["https://www.gazette.example", "https://m.gazette.example"]
    assert created.moderation_mode.value == "post"
    assert created.edit_window_minutes == 30
    assert "The Gazette" in admin_dash.page("/dashboard/sites").get_data(as_text=True)


def test_bad_site_fields_are_shown_and_nothing_is_created(app, admin_dash):
    for data, message in (
        ({"slug": "Bad Slug", "origins": "https://a.example"}, "is not a site slug"),
        ({"slug": "ok", "origins": "javascript:alert(1)"}, "is not an origin"),
        ({"slug": "ok", "origins": ""}, "at least one origin"),
        ({"slug": "news", "origins": "https://a.example"}, "exists already"),
        ({"slug": "ok", "origins": "https://a.example", "edit_window_minutes": "x"}, "minutes"),
        ({"slug": "ok", "origins": "https://a.example", "edit_window_minutes": "9999"}, "0 to"),
    ):
        fields = {"name": "", "mode": "pre", "edit_window_minutes": "15", **data}
        response = admin_dash.form("/dashboard/sites", fields)
        assert response.status_code == 400, data
        assert message in response.get_data(as_text=True), data
    assert site_row(app, "ok") is None


def test_admin_edits_a_site_and_closing_it_stops_comments(app, admin_dash, post, client):
    post("/story", body="Before the close.")
    admin_dash.form(
        "/dashboard/sites/news",
        {
            "name": "News Daily",
            "origins": "https://news.example\nhttps://beta.news.example",
            "mode": "post",
            "edit_window_minutes": "5",
            "closed": "on",
        },
        expect=302,
    )
    edited = site_row(app, "news")
    assert edited.name == "News Daily"
    assert edited.origins == ["https://news.example", "https://beta.news.example"]
    assert (edited.moderation_mode.value, edited.edit_window_minutes, edited.closed) == (
        "post",
        5,
        True,
    )
    assert client.get(thread_url("news", "/story")).get_json()["article"]["closed"] is True
    assert post("/story", expect=403).get_json()["error"]["code"] == "article_closed"
    bad = admin_dash.form(
        "/dashboard/sites/news",
        {"name": "", "origins": "https://news.example", "mode": "pre", "edit_window_minutes": "5"},
    )
    assert bad.status_code == 400 and "site name" in bad.get_data(as_text=True)


def _admin_at(app, make_moderator, host: str) -> Dashboard:
    """An admin's browser that reached the dashboard under another ``Host``."""
    make_moderator("chief@newsroom.example", sites=(), is_admin=True)
    browser = Dashboard(app.test_client(), app, base_url=f"http://{host}")
    browser.login("chief@newsroom.example")
    return browser


def test_site_page_has_the_embed_snippet_at_the_public_url(app, site, make_moderator):
    app.config["SETTINGS"].public_url = "https://comments.news.example"
    html = _admin_at(app, make_moderator, "evil.example").page("/dashboard/sites/news").text
    assert "&lt;div id=&#34;comments&#34; data-site=&#34;news&#34;&gt;&lt;/div&gt;" in html
    assert (
        "&lt;script src=&#34;https://comments.news.example/embed.js&#34; async&gt;&lt;/script&gt;"
        in html
    )
    assert "evil.example" not in html and "PUBLIC_URL" not in html
    assert 'data-copy="snippet"' in html


def test_without_a_public_url_the_snippet_says_so_and_never_uses_the_host(
    app, site, make_moderator
):
    html = _admin_at(app, make_moderator, "evil.example").page("/dashboard/sites/news").text
    assert "evil.example" not in html
    assert "https://PUBLIC_URL/embed.js" in html
    assert "set <code>public_url</code>" in html


def test_token_is_shown_once_stored_hashed_and_revocable(app, admin_dash, client):
    created = admin_dash.form("/dashboard/sites/news/tokens", {"label": "CMS plugin"}, expect=201)
    token = re.search(r'<pre class="snippet" id="new-token"><code>([^<]+)</code>', created.text)
    assert token is not None
    value = token.group(1)
    with app.app_context():
        record = db.session.scalar(select(ApiToken))
        assert record.token_hash == token_hash(value) and record.label == "CMS plugin"
        record_id = record.id
    assert value not in admin_dash.page("/dashboard/sites/news").get_data(as_text=True)
    auth = {"Authorization": f"Bearer {value}"}
    assert client.get("/api/v1/sites/news/queue", headers=auth).status_code == 200

    admin_dash.form(f"/dashboard/sites/news/tokens/{record_id}/revoke", expect=302)
    assert client.get("/api/v1/sites/news/queue", headers=auth).status_code == 401
    assert "revoked" in admin_dash.page("/dashboard/sites/news").get_data(as_text=True)
    assert admin_dash.form("/dashboard/sites/news/tokens/999/revoke").status_code == 404


def test_admin_adds_a_moderator_who_can_then_sign_in(app, admin_dash, make_site):
    make_site("sport", origins=("https://sport.example",))
    admin_dash.form(
        "/dashboard/moderators",
        {"email": "New.Person@Newsroom.example", "password": PASSWORD, "sites": ["sport"]},
        expect=302,
    )
    with app.app_context():
        person = db.session.scalar(select(Moderator).where(Moderator.email.like("new.%")))
        assert person.email == "new.person@newsroom.example"
        assert [s.slug for s in person.sites] == ["sport"] and not person.is_admin
    newcomer = Dashboard(app.test_client(), app)
    newcomer.login("new.person@newsroom.example")
    assert newcomer.client.get("/dashboard/sites").status_code == 403
    duplicate = admin_dash.form(
        "/dashboard/moderators",
        {"email": "new.person@newsroom.example", "password": PASSWORD, "sites": ["sport"]},
    )
    assert duplicate.status_code == 400 and "exists already" in duplicate.text
    short = admin_dash.form(
        "/dashboard/moderators", {"email": "x@newsroom.example", "password": "short"}
    )
    assert short.status_code == 400 and "at least 10" in short.text


def test_admin_changes_a_moderators_sites_role_and_password(app, admin_dash, make_moderator):
    person = make_moderator("ed@newsroom.example", sites=("news",))
    editor = Dashboard(app.test_client(), app)
    editor.login("ed@newsroom.example")

    admin_dash.form(
        f"/dashboard/moderators/{person}", {"what": "sites", "sites": [], "is_admin": "on"}
    )
    with app.app_context():
        changed = db.session.get_one(Moderator, person)
        assert changed.is_admin and changed.sites == []
    editor.page("/dashboard/sites")  # their role changed under a live session

    admin_dash.form(
        f"/dashboard/moderators/{person}",
        {"what": "password", "password": "reset by the chief"},
        expect=302,
    )
    assert editor.client.get("/dashboard/").status_code == 302  # signed out by the reset
    editor.login("ed@newsroom.example", "reset by the chief")


def test_admin_cannot_demote_or_remove_themselves(app, admin_dash):
    with app.app_context():
        me = db.session.scalar(select(Moderator.id).where(Moderator.is_admin))
    demote = admin_dash.form(f"/dashboard/moderators/{me}", {"what": "sites", "sites": []})
    assert demote.status_code == 400 and "own admin role" in demote.text
    remove = admin_dash.form(f"/dashboard/moderators/{me}", {"what": "delete"})
    assert remove.status_code == 400 and "own account" in remove.text


def test_removing_a_moderator_keeps_their_decisions_in_the_log(
    app, admin_dash, make_moderator, post
):
    person = make_moderator("gone@newsroom.example")
    leaving = Dashboard(app.test_client(), app)
    leaving.login("gone@newsroom.example")
    [cid] = held(post, 1)
    leaving.decide([cid], "approve")
    admin_dash.form(f"/dashboard/moderators/{person}", {"what": "delete"}, expect=302)
    assert leaving.client.get("/dashboard/").status_code == 302
    log = admin_dash.page("/dashboard/log?action=approve").get_data(as_text=True)
    assert "moderator:gone@newsroom.example" in log
    assert admin_dash.client.get(f"/dashboard/moderators/{person}").status_code == 404


# --- Screening rules --------------------------------------------------------------------------


def _rules_form(page_html: str) -> dict[str, str]:
    """The rules form as the page fills it: every field with its current value."""
    form = page_html[page_html.index('id="rules-title"') :]
    fields: dict[str, str] = {}
    for name, value in re.findall(
        r'<input id="rule-\w+" name="(\w+)" type="number"[^>]*value="([^"]*)"', form
    ):
        fields[name] = value
    for name, value in re.findall(
        r'<textarea id="rule-\w+" name="(\w+)" rows="4">([^<]*)</textarea>', form
    ):
        fields[name] = value
    for name in re.findall(r'<input type="checkbox" id="rule-\w+" name="(\w+)" checked>', form):
        fields[name] = "on"
    return fields


def test_admin_edits_a_sites_screening_rules(app, admin_dash, site, post):
    from moderation.dashboard.forms import RULE_LABELS
    from moderation.rules import RuleSettings

    assert set(RULE_LABELS) == set(RuleSettings().to_json()), "every rule setting has a field"
    fields = _rules_form(admin_dash.page("/dashboard/sites/news").get_data(as_text=True))
    assert fields["max_links"] == "2" and fields["report_threshold"] == "3"
    fields.update(blocked_words="scam\nbuy cheap pills", max_links="4")
    admin_dash.form("/dashboard/sites/news/rules", fields, expect=302)
    with app.app_context():
        overrides = db.session.scalar(select(Site.rule_settings).where(Site.slug == "news"))
    # Only what differs from the configured defaults is stored.
    assert overrides == {"blocked_words": ["scam", "buy cheap pills"], "max_links": 4}
    rejected = post("/story", body="Buy cheap pills!").get_json()["comment"]
    with app.app_context():
        stored = db.session.get_one(Comment, rejected["id"])
        assert stored.status.value == "rejected" and stored.held_because == ["blocked_word"]
    page = admin_dash.page("/dashboard/sites/news").get_data(as_text=True)
    # What each rule does by default is on the page, and which ones the site sets itself.
    assert re.search(r'data-rule="max_links">Default: 2 · this site sets its own<', page)
    assert re.search(r'data-rule="report_threshold">Default: 3<', page)


def test_bad_rule_values_are_refused_with_the_reason(app, admin_dash, site):
    fields = _rules_form(admin_dash.page("/dashboard/sites/news").get_data(as_text=True))
    fields["spam_threshold"] = "7"
    response = admin_dash.form("/dashboard/sites/news/rules", fields, expect=400)
    assert "spam threshold must be at most 1." in response.get_data(as_text=True)
    fields["max_links"] = "many"
    response = admin_dash.form("/dashboard/sites/news/rules", fields, expect=400)
    assert "a number" in response.get_data(as_text=True)
