"""The transparency report's page: the moderator's own sites only, its figures as tables and
charts, and the same figures to download."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from moderation.models import Action, Decision, Flag, Reason, Status, utcnow

PAGE = "/dashboard/transparency"
MARCH = {"site": "news", "from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
def history(session, new_comment):
    """In March 2026 a moderator's rejection, a rule's hold, and a notice assessed in 4 hours."""
    comment = new_comment()
    for day, actor, action in [
        (4, "moderator:ed@news.example", Action.REJECT),
        (20, "system:blocked_words", Action.HOLD),
    ]:
        session.add(
            Decision(
                site_id=comment.site_id,
                comment_id=comment.id,
                actor=actor,
                action=action,
                to_status=Status.REJECTED,
                reason=Reason.ABUSE,
                created_at=datetime(2026, 3, day, 9, tzinfo=UTC),
            )
        )
    received = datetime(2026, 3, 7, 10, tzinfo=UTC)
    session.add(
        Flag(
            comment_id=comment.id,
            reason=Reason.ILLEGAL,
            reporter_hash="notifier",
            receipt="N-7",
            category="defamation",
            assessment="house_rules",
            assessed_at=received + timedelta(hours=4),
            created_at=received,
        )
    )
    session.commit()
    return comment


def test_the_page_shows_the_figures_in_tables_and_charts(moderator, history):
    page = moderator.page(PAGE, query_string=MARCH).get_data(as_text=True)
    assert page.count("<svg") == 2 and "<table" in page
    assert 'id="chart-restrictions-title"' in page and 'id="chart-notices-title"' in page
    assert "2026-03-01 to 2026-03-31" in page
    assert "Median time to assess one: <strong>4.0 h</strong>" in page
    assert "defamation" in page
    assert "Download CSV" in page and "transparency.csv?" in page


def test_the_page_defaults_to_the_last_30_days_of_the_first_site(moderator):
    page = moderator.page(PAGE).get_data(as_text=True)
    today = utcnow().date()
    assert f'value="{(today - timedelta(days=29)).isoformat()}"' in page
    assert f'value="{today.isoformat()}"' in page
    assert "<svg" in page


def test_the_csv_download_has_the_pages_figures(moderator, history):
    response = moderator.page(PAGE + ".csv", query_string=MARCH)
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="transparency-news-2026-03-01-2026-03-31.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    figures = {(section, metric): value for section, metric, value in rows[1:]}
    assert rows[0] == ["section", "metric", "value"]
    assert figures["restrictions", "total"] == "2"
    assert figures["restrictions", "by_automation.automated"] == "1"
    assert figures["notices", "by_handling.house_rules"] == "1"


def test_the_json_download_has_the_same_figures(moderator, history):
    response = moderator.page(PAGE + ".json", query_string=MARCH)
    body = response.get_json()
    assert body["site"] == "news" and body["notices"]["median_hours_to_act"] == 4.0


def test_another_sites_report_is_not_found(moderator, make_site):
    make_site("other", origins=("https://other.example",))
    for path in (PAGE, PAGE + ".csv", PAGE + ".json"):
        moderator.page(path, expect=404, query_string={**MARCH, "site": "other"})


def test_a_bad_period_is_refused(moderator):
    moderator.page(PAGE, expect=400, query_string={**MARCH, "to": "2026-02-01"})
    moderator.page(PAGE + ".csv", expect=400, query_string={**MARCH, "from": "soon"})


def test_the_page_is_for_signed_in_moderators(dash, site):
    response = dash.client.get(PAGE, query_string=MARCH)
    assert response.status_code == 302 and "/dashboard/login" in response.location


def test_the_navigation_links_to_the_report(moderator):
    assert 'href="/dashboard/transparency"' in moderator.page("/dashboard/").get_data(as_text=True)
