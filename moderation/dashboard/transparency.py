"""The transparency report's page (DSA Art. 15 and 24): one of the moderator's sites over a
period, as tables and two charts, and the same figures to download as CSV or JSON (the API's
copy needs a token; a moderator has a session)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask import Response, render_template, request

from .. import charts
from ..comments import transparency
from ..db import db
from ..errors import NotFound
from ..models import Site, utcnow
from ..schemas import requests
from ..schemas.parse import parse_values
from .blueprint import bp
from .filters import read_filters, visible_sites

#: The period the page shows when none is asked for: the last 30 days, today included.
DEFAULT_DAYS = 30
HANDLING_LABELS = {
    "illegal": "Illegal",
    "house_rules": "Against the house rules",
    "no_action": "No action",
    "open": "Not assessed yet",
}
AUTOMATION_LABELS = {"automated": "By the rules (automated)", "human": "By people"}


def asked_report(args: Mapping[str, Any]) -> tuple[Site, date, date]:
    """The site (one of the moderator's; the first of them when none is named) and the period
    (``from``, ``to``; by default the last :data:`DEFAULT_DAYS` days) the request asks for."""
    site = read_filters(args).site
    if site is None:
        site = next(iter(visible_sites().values()), None)
        if site is None:
            raise NotFound("There is no site among the ones you moderate.")
    today = utcnow().date()
    values = {"from": str(today - timedelta(days=DEFAULT_DAYS - 1)), "to": str(today)}
    values.update({k: args[k] for k in ("from", "to") if args.get(k)})
    period = parse_values(requests.TransparencyQuery, values)
    return site, period.start, period.end


def _file_name(found: transparency.Report, extension: str) -> str:
    return (
        f"transparency-{found.site}-{found.start.isoformat()}-{found.end.isoformat()}.{extension}"
    )


def draw_charts(days: list[transparency.Day]) -> dict[str, object]:
    """Restricting decisions a day by who made them, and notices a day by their handling."""
    when = [d.day for d in days]
    return {
        "restrictions": charts.stacked_bars(
            "chart-restrictions",
            "Comments removed or withheld per day, by the rules or by people",
            when,
            [
                charts.Series(f"automation-{key}", label, [d.restrictions[key] for d in days])
                for key, label in AUTOMATION_LABELS.items()
            ],
        ),
        "notices": charts.stacked_bars(
            "chart-notices",
            "Notices of illegal content received per day, by how they were handled",
            when,
            [
                charts.Series(f"handling-{key}", label, [d.notices[key] for d in days])
                for key, label in HANDLING_LABELS.items()
            ],
        ),
    }


@bp.get("/transparency")
def transparency_page() -> str:
    """The report of one site over a period: figures in tables, two charts, downloads."""
    site, start, end = asked_report(request.args)
    found = transparency.report(db.session(), site.id, start, end)
    days = transparency.report_days(db.session(), site.id, start, end)
    return render_template(
        "dashboard/transparency.html",
        report=found,
        figures=found.to_json(),
        site=site,
        sites=visible_sites(),
        charts=draw_charts(days),
        days=days,
        handling_labels=HANDLING_LABELS,
        automation_labels=AUTOMATION_LABELS,
        period={"site": site.slug, "from": start.isoformat(), "to": end.isoformat()},
    )


@bp.get("/transparency.csv")
def transparency_csv() -> Response:
    """The page's figures as CSV rows ``section,metric,value``, to download."""
    site, start, end = asked_report(request.args)
    found = transparency.report(db.session(), site.id, start, end)
    return Response(
        found.to_csv(),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{found.file_name("csv")}"'},
    )


@bp.get("/transparency.json")
def transparency_json() -> Response:
    """The page's figures as the API's JSON, to download."""
    site, start, end = asked_report(request.args)
    found = transparency.report(db.session(), site.id, start, end)
    return Response(
        json.dumps(found.to_json(), indent=2, ensure_ascii=False),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{found.file_name("json")}"'},
    )
