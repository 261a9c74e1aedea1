"""The webhooks page (endpoints, their secrets, the deliveries) and a moderator's mail notices,
through the dashboard's forms."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from moderation.db import db
from moderation.models import (
    Channel,
    Delivery,
    DeliveryStatus,
    Endpoint,
    EndpointKind,
    Event,
    Moderator,
    Site,
    utcnow,
)

from .conftest import Dashboard

PAGE = "/dashboard/sites/news/webhooks"
# An address literal on the public internet: checked without a DNS lookup.
PUBLIC_HOOK = "https://93.184.215.14/hook"
SLACK_HOOK = "https://93.184.215.14/services/T000/B000/XXXX"
_SECRET = re.compile(r"whsec_[A-Za-z0-9+/=_-]+")


@pytest.fixture
def extra_settings() -> dict[str, Any]:
    """Settings a test adds to the app's (by parametrizing this fixture)."""
    return {}


@pytest.fixture
def app_config(app_config: dict[str, Any], extra_settings: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, **extra_settings}


def endpoints_of(app) -> list[Endpoint]:
    with app.app_context():
        found = list(db.session.scalars(select(Endpoint).order_by(Endpoint.id)))
        for e in found:
            db.session.expunge(e)
        return found


def add_webhook(dash: Dashboard, url: str = PUBLIC_HOOK, **fields: Any) -> Any:
    return dash.form(PAGE, {"url": url, "description": "", **fields})


def failed_delivery(app, last_response: str = "upstream broke") -> tuple[int, int]:
    """A webhook endpoint of ``news`` and a delivery to it that failed for good."""
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "news"))
        assert site is not None
        endpoint = Endpoint(
            site_id=site.id,
            kind=EndpointKind.WEBHOOK,
            url=PUBLIC_HOOK,
            events=[],
            secret="whsec_dGVzdA==",
            description="receiver",
        )
        event = Event(
            site_id=site.id, type="comment.created", message_id="msg_failed1", data={"id": 1}
        )
        db.session.add_all([endpoint, event])
        db.session.flush()
        delivery = Delivery(
            event_id=event.id,
            site_id=site.id,
            channel=Channel.WEBHOOK,
            endpoint_id=endpoint.id,
            status=DeliveryStatus.FAILED,
            attempts=8,
            last_status=502,
            last_error="Bad gateway from the receiver",
            last_response=last_response,
            last_attempt_at=utcnow(),
        )
        db.session.add(delivery)
        db.session.commit()
        return endpoint.id, delivery.id


def test_adding_a_webhook_shows_its_secret_once(app, admin_dash):
    response = add_webhook(admin_dash, description="Newsroom CMS")
    assert response.status_code == 201
    secret = _SECRET.search(response.get_data(as_text=True))
    assert secret is not None
    [stored] = endpoints_of(app)
    assert stored.secret == secret.group(0)
    assert stored.kind is EndpointKind.WEBHOOK and stored.events == []
    listing = admin_dash.page(PAGE).get_data(as_text=True)
    assert PUBLIC_HOOK in listing and "Newsroom CMS" in listing
    assert "every event" in listing
    assert "whsec_" not in listing


def test_the_site_page_links_to_the_webhooks(admin_dash):
    assert PAGE in admin_dash.page("/dashboard/sites/news").get_data(as_text=True)


@pytest.mark.parametrize(
    "url", ["http://127.0.0.1/hook", "http://169.254.169.254/", "http://[::1]/", "ftp://x.example/"]
)
def test_a_refused_url_is_shown_and_nothing_is_stored(app, admin_dash, url):
    response = add_webhook(admin_dash, url, description="kept")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'class="flash flash-error"' in text
    assert "whsec_" not in text
    assert 'value="kept"' in text  # the form keeps what was typed
    assert endpoints_of(app) == []


@pytest.mark.parametrize("extra_settings", [{"webhook_allow_private": True}])
def test_a_loopback_url_is_accepted_when_private_addresses_are_allowed(app, admin_dash):
    assert add_webhook(admin_dash, "http://127.0.0.1/hook").status_code == 201
    assert [e.url for e in endpoints_of(app)] == ["http://127.0.0.1/hook"]


def test_an_unknown_event_is_refused(app, admin_dash):
    response = add_webhook(admin_dash, events=["comment.created", "comment.exploded"])
    assert response.status_code == 400
    assert "Unknown event: comment.exploded" in response.get_data(as_text=True)
    assert endpoints_of(app) == []


def test_the_event_filter_is_stored_and_shown(app, admin_dash):
    add_webhook(admin_dash, events=["comment.decided", "flag.created"])
    [stored] = endpoints_of(app)
    assert stored.events == ["comment.decided", "flag.created"]
    listing = admin_dash.page(PAGE).get_data(as_text=True)
    assert "<code>comment.decided</code>, <code>flag.created</code>" in listing


def test_a_slack_channel_is_added_with_its_topics(app, admin_dash):
    response = admin_dash.form(
        PAGE + "/slack", {"url": SLACK_HOOK, "topics": ["pending", "reported"]}, expect=302
    )
    assert response.location == PAGE
    [stored] = endpoints_of(app)
    assert stored.kind is EndpointKind.SLACK and stored.secret is None
    assert stored.events == ["pending", "reported"]
    listing = admin_dash.page(PAGE).get_data(as_text=True)
    assert "Slack channel added." in listing
    assert "Comments waiting for a moderator, Readers&#39; reports" in listing


def test_a_slack_channel_needs_https_and_known_topics(app, admin_dash):
    plain = admin_dash.form(PAGE + "/slack", {"url": "http://93.184.215.14/x"})
    assert plain.status_code == 400 and "https://" in plain.get_data(as_text=True)
    unknown = admin_dash.form(PAGE + "/slack", {"url": SLACK_HOOK, "topics": ["gossip"]})
    assert unknown.status_code == 400 and "Unknown topic: gossip" in unknown.get_data(as_text=True)
    assert endpoints_of(app) == []


def test_an_endpoint_is_removed(app, admin_dash):
    add_webhook(admin_dash)
    [stored] = endpoints_of(app)
    listing = admin_dash.page(PAGE).get_data(as_text=True)
    assert f"/webhooks/{stored.id}/remove" in listing and "data-confirm=" in listing
    admin_dash.form(f"{PAGE}/{stored.id}/remove", expect=302)
    assert endpoints_of(app) == []
    assert "Endpoint removed" in admin_dash.page(PAGE).get_data(as_text=True)
    admin_dash.form(f"{PAGE}/{stored.id}/remove", expect=404)


def test_a_new_secret_is_shown_once_and_the_old_one_signs_for_a_day(app, admin_dash):
    first = _SECRET.search(add_webhook(admin_dash).get_data(as_text=True))
    assert first is not None
    [stored] = endpoints_of(app)
    response = admin_dash.form(f"{PAGE}/{stored.id}/rotate", expect=201)
    second = _SECRET.search(response.get_data(as_text=True))
    assert second is not None and second.group(0) != first.group(0)
    [rotated] = endpoints_of(app)
    assert rotated.secret == second.group(0) and rotated.previous_secret == first.group(0)
    assert rotated.previous_until is not None
    assert rotated.previous_until - utcnow() > timedelta(hours=23)
    until = rotated.previous_until.strftime("%Y-%m-%d %H:%M UTC")
    listing = admin_dash.page(PAGE).get_data(as_text=True)
    assert f"The previous secret also signs until {until}." in listing
    assert "whsec_" not in listing


def test_a_slack_channel_has_no_secret_to_rotate(app, admin_dash):
    admin_dash.form(PAGE + "/slack", {"url": SLACK_HOOK}, expect=302)
    [stored] = endpoints_of(app)
    response = admin_dash.form(f"{PAGE}/{stored.id}/rotate", expect=400)
    assert "Only a webhook has a secret." in response.get_data(as_text=True)


def test_a_failed_delivery_is_listed_and_sent_again(app, admin_dash):
    _, delivery_id = failed_delivery(app)
    listing = admin_dash.page(PAGE).get_data(as_text=True)
    row = listing[listing.index(f'id="delivery-{delivery_id}"') :]
    row = row[: row.index("</tr>")]
    assert 'class="failed"' in listing
    assert "comment.created" in row and "HTTP 502" in row
    assert "Bad gateway from the receiver" in row and "upstream broke" in row
    assert "Send again" in row
    admin_dash.form(f"/dashboard/sites/news/deliveries/{delivery_id}/resend", expect=302)
    with app.app_context():
        delivery = db.session.get(Delivery, delivery_id)
        assert delivery is not None
        assert delivery.status is DeliveryStatus.PENDING and delivery.attempts == 0
    # On its way now: not sent again twice.
    again = admin_dash.form(f"/dashboard/sites/news/deliveries/{delivery_id}/resend")
    assert again.status_code == 409
    assert "still on its way" in again.get_data(as_text=True)


def test_a_mail_delivery_shows_its_recipient(app, admin_dash):
    with app.app_context():
        site = db.session.scalar(select(Site).where(Site.slug == "news"))
        assert site is not None
        event = Event(site_id=site.id, type="flag.created", message_id="msg_mail1", data={})
        db.session.add(event)
        db.session.flush()
        db.session.add(
            Delivery(
                event_id=event.id,
                site_id=site.id,
                channel=Channel.MAIL,
                recipient="desk@newsroom.example",
                mail="report",
                status=DeliveryStatus.SENT,
                attempts=1,
            )
        )
        db.session.commit()
    listing = admin_dash.page(PAGE).get_data(as_text=True)
    assert "mail: desk@newsroom.example" in listing


def test_another_sites_delivery_is_not_found(app, admin_dash, make_site):
    make_site("gazette", origins=("https://gazette.example",))
    _, delivery_id = failed_delivery(app)
    admin_dash.form(f"/dashboard/sites/gazette/deliveries/{delivery_id}/resend", expect=404)
    admin_dash.page("/dashboard/sites/nowhere/webhooks", expect=404)


def test_the_webhooks_page_is_for_admins(app, moderator):
    endpoint_id, delivery_id = failed_delivery(app)
    moderator.page(PAGE, expect=403)
    for path in (
        PAGE,
        PAGE + "/slack",
        f"{PAGE}/{endpoint_id}/remove",
        f"{PAGE}/{endpoint_id}/rotate",
        f"/dashboard/sites/news/deliveries/{delivery_id}/resend",
    ):
        assert moderator.form(path, {"url": PUBLIC_HOOK}).status_code == 403, path
    [kept] = endpoints_of(app)
    assert kept.id == endpoint_id


def test_forms_without_the_csrf_token_are_refused(app, admin_dash):
    for data in ({"url": PUBLIC_HOOK}, {"url": PUBLIC_HOOK, "csrf_token": "forged"}):
        response = admin_dash.client.post(PAGE, data=data)
        assert response.status_code == 403
        assert "expired" in response.get_data(as_text=True)
    assert endpoints_of(app) == []


def test_hostile_values_are_escaped(app, admin_dash):
    script = "<script>alert(1)</script>"
    image = "<img src=x onerror=alert(1)>"
    add_webhook(admin_dash, description=script)
    failed_delivery(app, last_response=image)
    listing = admin_dash.page(PAGE).get_data(as_text=True)
    assert script not in listing and image not in listing
    assert html.escape(script, quote=False) in listing
    assert html.escape(image, quote=False) in listing


# --- Mail notices -----------------------------------------------------------------------------

NOTICES = "/dashboard/account/notices"


def preferences(app, email: str) -> tuple[bool, int | None, bool]:
    with app.app_context():
        found = db.session.scalar(select(Moderator).where(Moderator.email == email))
        assert found is not None
        return found.notify_reports, found.notify_queue_minutes, found.notify_digest


def test_a_moderator_saves_their_mail_notices(app, moderator):
    page = moderator.page(NOTICES).get_data(as_text=True)
    assert "Mail me each new report" in page and "Mail me a daily digest" in page
    response = moderator.form(
        NOTICES,
        {"notify_reports": "on", "notify_queue_minutes": "30", "notify_digest": "on"},
        expect=302,
    )
    assert response.location == NOTICES
    assert preferences(app, "mod@newsroom.example") == (True, 30, True)
    page = moderator.page(NOTICES).get_data(as_text=True)
    assert "Your mail notices are saved." in page and 'value="30"' in page
    moderator.form(NOTICES, {"notify_queue_minutes": ""}, expect=302)
    assert preferences(app, "mod@newsroom.example") == (False, None, False)


@pytest.mark.parametrize("minutes", ["4", "1441", "abc", "-5", "٣٠", "99999999"])
def test_out_of_range_minutes_are_refused(app, moderator, minutes):
    response = moderator.form(
        NOTICES, {"notify_reports": "on", "notify_queue_minutes": minutes}, expect=400
    )
    assert "5 to 1440 minutes" in response.get_data(as_text=True)
    assert preferences(app, "mod@newsroom.example") == (False, None, False)


def test_the_notices_page_is_linked_from_the_account(moderator):
    assert NOTICES in moderator.page("/dashboard/password").get_data(as_text=True)
    assert NOTICES in moderator.page("/dashboard/").get_data(as_text=True)


def test_the_notices_form_needs_the_csrf_token(app, moderator):
    response = moderator.client.post(NOTICES, data={"notify_digest": "on"})
    assert response.status_code == 403
    assert preferences(app, "mod@newsroom.example") == (False, None, False)


def test_nothing_is_left_behind_by_refused_forms(app, admin_dash):
    add_webhook(admin_dash, "http://127.0.0.1/hook")
    admin_dash.form(PAGE + "/slack", {"url": "http://127.0.0.1/x"})
    with app.app_context():
        assert db.session.scalar(select(func.count(Endpoint.id))) == 0
