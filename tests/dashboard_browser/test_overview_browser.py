"""The overview's charts in Debian's Chromium, in the light and the dark colour scheme: drawn with
no script and nothing the CSP refuses, screenshots for a person to look at, and axe-core's audit
clean."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from moderation.db import db
from moderation.models import Action, Reason

from ..test_overview import History
from .conftest import Service

pytestmark = pytest.mark.browser


def _fortnight(service: Service, site: str) -> None:
    """Two weeks of work: a queue that grows and shrinks, decisions of every kind (and the
    rules' verdicts, which the charts leave out), a hostile article title."""
    now = datetime.now(UTC)
    with service.app.app_context():
        history = History(db.session(), site, title='<script>window.__pwned()</script>"')
        for back in range(14):
            when = now - timedelta(days=back)
            for i in range(back % 4 + 1):
                history.held(when - timedelta(hours=30 + i))
            for i in range((13 - back) % 5 + 1):
                history.decided(when - timedelta(hours=3 + i * 2), when - timedelta(minutes=20))
            history.decided(
                when - timedelta(hours=8), when - timedelta(hours=1), Action.REJECT,
                reason=[Reason.ABUSE, Reason.OFF_TOPIC, Reason.SPAM][back % 3],
            )  # fmt: skip
            if back % 2:
                history.decided(
                    when - timedelta(hours=2), when, Action.SPAM, "token:tools", Reason.SPAM
                )
            history.decided(
                when - timedelta(minutes=1), when, Action.SPAM, "system:akismet", Reason.SPAM
            )
        db.session.commit()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_overview_charts_in_both_colour_schemes(
    service: Service, signed_in: Any, axe_source: str, artifacts: Path, scheme: str
) -> None:
    newsroom = service.newsroom()
    _fortnight(service, newsroom.site)
    watched = signed_in(
        newsroom,
        color_scheme=scheme,
        java_script_enabled=True,
        viewport={"width": 1200, "height": 900},
    )
    page = watched.page
    charts = page.locator("svg.chart-svg[role=img]")
    expect(charts).to_have_count(5)
    expect(page.get_by_role("img", name="Pending comments at the end of each day")).to_be_visible()
    expect(page.locator("svg.chart-stacked rect.chart-bar").first).to_be_visible()
    expect(page.locator("#chart-timing-desc")).to_contain_text("Median: highest")
    # The bars take their colours from the stylesheet, not the black of a bare SVG.
    fill = page.locator("svg.chart-stacked rect.chart-series-approve").first.evaluate(
        "(e) => getComputedStyle(e).fill"
    )
    assert fill not in ("rgb(0, 0, 0)", "")
    # The labels take the page's own colours (its variables), so they follow its theme.
    label, hint = page.evaluate(
        """() => [getComputedStyle(document.querySelector('.chart-day-label')).fill,
                  getComputedStyle(document.querySelector('.hint')).color]"""
    )
    assert label == hint
    page.locator("details.chart-figures summary").first.click()
    page.screenshot(path=str(artifacts / f"dashboard-overview-charts-{scheme}.png"), full_page=True)
    assert watched.pwned() == 0
    assert watched.violations() == []
    assert watched.errors() == []

    # The CSP (rightly) refuses the injected audit script: audit the same page without it.
    audited = signed_in(newsroom, color_scheme=scheme, bypass_csp=True)
    audited.page.add_script_tag(content=axe_source)
    results = audited.page.evaluate(
        """async () => await axe.run(document,
            { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] })"""
    )
    violations = [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in results["violations"]
    ]
    assert violations == [], json.dumps(violations, indent=2)
