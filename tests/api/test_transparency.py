"""The transparency report through the moderation API: the token's own site only, JSON by
default and CSV when asked for, the period checked."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from moderation.models import Action, Decision, Flag, Reason, Status

URL = "/api/v1/sites/{site}/transparency"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def history(session, new_comment):
    """Two rejections by a moderator and a rule's hold in March 2026, one in April; a notice."""
    comment = new_comment()
    for day, actor, action in [
        (3, "moderator:ed@news.example", Action.REJECT),
        (9, "moderator:ed@news.example", Action.SPAM),
        (31, "system:blocked_words", Action.HOLD),
    ]:
        session.add(
            Decision(
                site_id=comment.site_id,
                comment_id=comment.id,
                actor=actor,
                action=action,
                to_status=Status.REJECTED,
                reason=Reason.ABUSE if action is Action.REJECT else None,
                created_at=datetime(2026, 3, day, 12, tzinfo=UTC),
            )
        )
    session.add(
        Decision(
            site_id=comment.site_id,
            comment_id=comment.id,
            actor="moderator:ed@news.example",
            action=Action.REJECT,
            to_status=Status.REJECTED,
            created_at=datetime(2026, 4, 1, tzinfo=UTC),
        )
    )
    session.add(
        Flag(
            comment_id=comment.id,
            reason=Reason.ILLEGAL,
            reporter_hash="notifier",
            receipt="N-1",
            category="hate_speech",
            created_at=datetime(2026, 3, 5, tzinfo=UTC),
        )
    )
    session.commit()
    return comment


def test_the_report_is_json_by_default(client, site, auth, history):
    response = client.get(URL.format(site=site), query_string=MARCH, headers=auth)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "Accept" in response.headers["Vary"]
    body = response.get_json()
    assert body["site"] == "news" and body["period"] == MARCH
    assert body["restrictions"]["total"] == 3
    assert body["restrictions"]["by_automation"] == {"automated": 1, "human": 2}
    assert body["restrictions"]["by_action"] == {"reject": 1, "spam": 1, "hold": 1}
    assert body["notices"]["received"] == 1
    assert body["notices"]["by_category"] == {"hate_speech": 1}
    assert body["notices"]["by_handling"]["open"] == 1
    assert body["notices"]["median_hours_to_act"] is None


def test_the_report_is_csv_when_asked_for(app, site, auth, history):
    # The document lists one media type an answer (JSON); CSV is the same answer's alternative,
    # named in its description, so this request is not held to the JSON schema.
    plain = FlaskClient(app)
    response = plain.get(
        URL.format(site=site), query_string=MARCH, headers={**auth, "Accept": "text/csv"}
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="transparency-news-2026-03-01-2026-03-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["section", "metric", "value"]
    figures = {(section, metric): value for section, metric, value in rows[1:]}
    assert figures["restrictions", "total"] == "3"
    assert figures["notices", "by_category.hate_speech"] == "1"
    assert figures["report", "site"] == "news"


def test_json_is_preferred_when_the_client_takes_both(client, site, auth, history):
    headers = {**auth, "Accept": "application/json, text/csv;q=0.5"}
    response = client.get(URL.format(site=site), query_string=MARCH, headers=headers)
    assert response.mimetype == "application/json"


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"to": "2026-03-31"}, "from"),
        ({"from": "2026-03-01"}, "to"),
        ({"from": "March", "to": "2026-03-31"}, "from"),
        ({"from": "2026-02-30", "to": "2026-03-31"}, "from"),
        ({"from": "2026-03-01", "to": "2026-03-01T10:00:00Z"}, "to"),
        ({"from": "2026-03-02", "to": "2026-03-01"}, "to"),
        ({"from": "2025-01-01", "to": "2026-01-02"}, "to"),
    ],
)
def test_a_bad_period_is_refused_naming_the_field(client, site, auth, period, field):
    response = client.get(URL.format(site=site), query_string=period, headers=auth)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["field"] == field


def test_a_year_is_the_longest_period(client, site, auth):
    period = {"from": "2024-01-01", "to": "2024-12-31"}  # 366 days
    response = client.get(URL.format(site=site), query_string=period, headers=auth)
    assert response.status_code == 200


def test_another_sites_token_is_forbidden(client, site, make_site, make_token, history):
    make_site("other", origins=("https://other.example",))
    other = {"Authorization": f"Bearer {make_token('other')}"}
    response = client.get(URL.format(site=site), query_string=MARCH, headers=other)
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "forbidden"


def test_no_token_or_an_unknown_one_is_unauthorized(client, site):
    response = client.get(URL.format(site=site), query_string=MARCH)
    assert response.status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    response = client.get(URL.format(site=site), query_string=MARCH, headers=bad)
    assert response.status_code == 401


def test_the_document_lists_the_operation_with_its_period(client):
    document = client.get("/api/v1/openapi.json").get_json()
    described = document["paths"]["/api/v1/sites/{site}/transparency"]["get"]
    names = {p["name"]: p for p in described["parameters"]}
    assert names["from"]["required"] and names["to"]["required"]
    assert names["from"]["schema"]["format"] == "date"
    assert "text/csv" in described["description"]
    assert set(described["responses"]) >= {"200", "400", "401", "403"}
