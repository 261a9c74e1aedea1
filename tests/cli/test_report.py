"""``moderation report transparency``, run as an operator would: JSON or CSV, by default over
the last full month, a bad period or site refused in words."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from moderation import create_app
from moderation.cli.report import period
from moderation.db import db
from moderation.models import Ban, BanKind, Site, utcnow

from .test_commands import env, run  # noqa: F401 - the CLI tests' environment and runner

pytestmark = pytest.mark.usefixtures("env")


def _site_with_bans() -> None:
    """A site ``news`` with two bans in March 2026 (one a suspension) and one in April."""
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")
    app = create_app()
    with app.app_context():
        site_id = db.session.scalar(db.select(Site.id).where(Site.slug == "news"))
        for n, (day, ends) in enumerate([(2, None), (31, datetime(2026, 5, 1, tzinfo=UTC))]):
            db.session.add(_ban(site_id, n, datetime(2026, 3, day, 8, tzinfo=UTC), ends))
        db.session.add(_ban(site_id, 9, datetime(2026, 4, 1, tzinfo=UTC), None))
        db.session.commit()


def _ban(site_id: int, n: int, at: datetime, ends: datetime | None) -> Ban:
    return Ban(
        site_id=site_id,
        kind=BanKind.EMAIL,
        value_hash=f"hash-{n}",
        label=f"troll{n}@example.org",
        created_by="cli",
        created_at=at,
        expires_at=ends,
    )


def test_the_report_prints_json_for_the_period_asked():
    _site_with_bans()
    out = run(
        "report", "transparency", "--site", "news", "--from", "2026-03-01", "--to", "2026-03-31"
    )
    figures = json.loads(out.output)
    assert figures["site"] == "news"
    assert figures["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert figures["bans"]["records"] == 2 and figures["bans"]["temporary_records"] == 1
    assert out.output.startswith('{\n  "site"')  # indented by two


def test_the_report_prints_csv_when_asked():
    _site_with_bans()
    out = run(
        "report", "transparency", "--site", "news", "--from", "2026-03-01", "--to", "2026-04-01",
        "--csv",
    )  # fmt: skip
    rows = list(csv.reader(io.StringIO(out.output)))
    assert rows[0] == ["section", "metric", "value"]
    figures = {(section, metric): value for section, metric, value in rows[1:]}
    assert figures["bans", "records"] == "3"
    assert figures["period", "to"] == "2026-04-01"


def test_the_default_period_is_the_last_full_month():
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")
    figures = json.loads(run("report", "transparency", "--site", "news").output)
    today = utcnow().date()
    last = today.replace(day=1).toordinal() - 1
    assert figures["period"]["to"] == date.fromordinal(last).isoformat()
    assert figures["period"]["from"] == date.fromordinal(last).replace(day=1).isoformat()


def test_a_bound_not_given_is_the_last_full_months():
    march = datetime(2026, 3, 10)
    assert period(None, None, date(2026, 4, 20)) == (date(2026, 3, 1), date(2026, 3, 31))
    assert period(march, None, date(2026, 4, 20)) == (date(2026, 3, 10), date(2026, 3, 31))


def test_a_bad_period_or_site_is_refused_in_words():
    run("init")
    run("site", "create", "news", "--origin", "https://news.example")
    reversed_period = run(
        "report", "transparency", "--site", "news", "--from", "2026-03-02", "--to", "2026-03-01",
        ok=False,
    )  # fmt: skip
    assert reversed_period.exit_code != 0 and "must not come before" in reversed_period.output
    too_long = run(
        "report", "transparency", "--site", "news", "--from", "2025-01-01", "--to", "2026-01-02",
        ok=False,
    )  # fmt: skip
    assert "at most 366 days" in too_long.output
    not_a_day = run("report", "transparency", "--site", "news", "--from", "March", ok=False)
    assert not_a_day.exit_code == 2 and "--from" in not_a_day.output
    unknown = run("report", "transparency", "--site", "nope", ok=False)
    assert "No such site" in unknown.output
