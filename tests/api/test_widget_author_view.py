"""What the author is told of their own comment, and of a submission the service refuses: a
spam verdict shown as waiting, only the site's policies as reasons, every field at fault."""

from __future__ import annotations

from typing import Any

import pytest

from moderation.serializers import AUTHOR_VISIBLE_REASONS

from ..conftest import thread_url

ARTICLE = "/2026/11/belgium-eu-peace-talks"
SIGNALS = {"too_fast", "honeypot", "no_form_token", "blocked_word", "suspect_word", "spam_score"}


@pytest.fixture
def app_config(app_config: dict[str, Any], request: pytest.FixtureRequest) -> dict[str, Any]:
    """The test configuration, with the pace check a test asks for (``indirect``)."""
    return {**app_config, "min_form_seconds": getattr(request, "param", 0)}


def own_view(client, created: dict[str, Any]) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/comments/{created['comment']['id']}",
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["comment"]


@pytest.mark.parametrize("app_config", [3], indirect=True)
def test_a_comment_posted_too_fast_is_pending_to_its_author_and_spam_to_moderators(
    client, site, post, auth
):
    created = post(ARTICLE).get_json()
    assert created["comment"]["status"] == "pending"
    assert created["comment"]["held_because"] == []
    assert own_view(client, created)["status"] == "pending"
    assert own_view(client, created)["held_because"] == []
    [queued] = client.get(f"/api/v1/sites/{site}/queue?status=spam", headers=auth).get_json()[
        "comments"
    ]
    assert queued["status"] == "spam"
    assert "too_fast" in queued["held_because"]


def test_the_honeypot_is_never_named_to_the_author_but_the_policy_is(client, site, post, auth):
    created = post(ARTICLE, website="https://spam.example").get_json()
    assert created["comment"]["status"] == "pending"
    assert not SIGNALS & set(created["comment"]["held_because"])
    assert set(own_view(client, created)["held_because"]) <= AUTHOR_VISIBLE_REASONS
    [queued] = client.get(f"/api/v1/sites/{site}/queue?status=spam", headers=auth).get_json()[
        "comments"
    ]
    assert "honeypot" in queued["held_because"]


def test_a_moderators_spam_verdict_is_told_to_the_author(client, site, post, decide):
    created = post(ARTICLE).get_json()
    decide(created["comment"]["id"], "spam")
    assert own_view(client, created)["status"] == "spam"


def test_an_empty_name_and_an_empty_body_are_both_reported(client, site):
    response = client.post(thread_url(site, ARTICLE), json={"body": " ", "author_name": ""})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error"
    assert (error["field"], error["message"]) == ("body", "Please fill in the comment.")
    assert error["fields"] == [
        {"field": "body", "message": "Please fill in the comment."},
        {"field": "author_name", "message": "Please fill in the name."},
    ]


def test_one_field_at_fault_is_reported_as_before(client, site):
    response = client.post(thread_url(site, ARTICLE), json={"body": "Hi", "author_name": ""})
    assert response.get_json()["error"] == {
        "code": "validation_error",
        "message": "Please fill in the name.",
        "field": "author_name",
    }
