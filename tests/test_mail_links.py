"""The pages behind mailed links: a look changes nothing (mail scanners open every link), the
button does; a one-click unsubscribe (RFC 8058) is answered at once; an altered link is refused."""

from __future__ import annotations

from sqlalchemy import select

from moderation.db import db
from moderation.models import MailSubscription, Site, utcnow
from moderation.outbox import subscriptions
from moderation.outbox.subscriptions import Link


def subscription(app, confirmed: bool = False) -> int:
    with app.app_context():
        site = db.session.scalars(select(Site)).one()
        row = MailSubscription(
            site_id=site.id,
            email="ann@reader.example",
            lang="de",
            replies=True,
            decisions=True,
            confirmed_at=utcnow() if confirmed else None,
        )
        db.session.add(row)
        db.session.commit()
        return site.id


def token(app, link: Link) -> str:
    return subscriptions.sign(app.config["SECRET_KEY"], link)


def state(app):
    with app.app_context():
        row = db.session.scalars(select(MailSubscription)).one()
        return row.confirmed_at is not None, row.replies, row.decisions


def test_opening_a_confirmation_link_changes_nothing_until_the_button(app, client, site):
    site_id = subscription(app)
    url = "/mail/confirm?token=" + token(
        app, Link("confirm", site_id=site_id, email="ann@reader.example", lists=("replies",))
    )
    page = client.get(url)
    assert page.status_code == 200 and 'lang="de"' in page.get_data(as_text=True)
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    assert state(app)[0] is False
    assert client.post(url).status_code == 200
    assert state(app)[0] is True


def test_one_click_unsubscribes_only_what_the_link_names(app, client, site):
    site_id = subscription(app, confirmed=True)
    url = "/mail/unsubscribe?token=" + token(
        app, Link("unsubscribe", site_id=site_id, email="ann@reader.example", lists=("replies",))
    )
    assert client.get(url).status_code == 200 and state(app) == (True, True, True)
    answer = client.post(
        url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert answer.status_code == 200
    assert state(app) == (True, False, True)


def test_a_link_of_one_purpose_does_not_do_the_other(app, client, site):
    site_id = subscription(app)
    unsubscribe = token(
        app, Link("unsubscribe", site_id=site_id, email="ann@reader.example", lists=("replies",))
    )
    assert client.post("/mail/confirm?token=" + unsubscribe).status_code == 400
    assert state(app)[0] is False


def test_altered_or_missing_tokens_are_refused_with_a_page(app, client, site):
    subscription(app)
    for url in ("/mail/confirm", "/mail/confirm?token=x", "/mail/unsubscribe?token=%3Cscript%3E"):
        page = client.post(url)
        assert page.status_code == 400
        assert "<script>" not in page.get_data(as_text=True)
