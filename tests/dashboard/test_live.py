"""The queue's live changes in the dashboard: behind the moderator's sign-in, of their own sites
only, and linked from the queue page."""

from __future__ import annotations

import re

from .conftest import held


def names(body: str) -> list[str]:
    return re.findall(r"^event: (\w+)$", body, re.M)


def ready_id(body: str) -> str:
    return re.findall(r"^id: (\d+)\nevent: ready$", body, re.M)[-1]


def test_the_stream_needs_a_signed_in_moderator(dash, site):
    response = dash.client.get("/dashboard/events")
    assert response.status_code == 302
    assert "/dashboard/login" in response.location


def test_a_moderator_hears_of_their_own_sites_only(moderator, make_site, post):
    make_site("other", origins=["https://other.example"])
    start = ready_id(moderator.page("/dashboard/events").get_data(as_text=True))
    [mine] = held(post, 1)
    held(post, 1, site="other")
    body = moderator.page("/dashboard/events", headers={"Last-Event-ID": start}).get_data(
        as_text=True
    )
    assert names(body) == ["queued", "ready"]
    assert f'"id":{mine},"status":"pending"' in body
    assert moderator.page("/dashboard/events?site=other", expect=404)


def test_the_queue_page_names_its_stream(moderator):
    page = moderator.page("/dashboard/queue?site=news").get_data(as_text=True)
    assert 'data-events="/dashboard/events?site=news"' in page
    assert 'id="queue-fresh"' in page
