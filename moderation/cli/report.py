"""The ``moderation report`` commands: figures to publish, for the operator at a shell (the
dashboard and the moderation API give the same)."""

from __future__ import annotations

import json
from datetime import date, datetime

import click

from .. import admin
from ..comments import transparency
from ..db import db
from ..models import utcnow
from .base import _app, _require_schema, _transaction, main

_DAY = click.DateTime(formats=["%Y-%m-%d"])


@main.group()
def report() -> None:
    """Reports to publish: the DSA transparency report."""


@report.command("transparency")
@click.option("--site", "site_slug", required=True)
@click.option("--from", "start", type=_DAY, help="The first day (UTC). Default: last month's.")
@click.option("--to", "end", type=_DAY, help="The last day (UTC). Default: last month's.")
@click.option("--csv", "as_csv", is_flag=True, help="CSV rows section,metric,value, not JSON.")
def report_transparency(
    site_slug: str, start: datetime | None, end: datetime | None, as_csv: bool
) -> None:
    """The site's transparency report (DSA Art. 15 and 24) over whole UTC days, both included:
    by default the last full calendar month."""
    first, last = period(start, end, utcnow().date())
    app = _app()
    _require_schema(app)
    with _transaction(app):
        [site] = admin.get_sites(db.session(), [site_slug])
        found = transparency.report(db.session(), site.id, first, last)
    if as_csv:
        click.echo(found.to_csv(), nl=False)
    else:
        click.echo(json.dumps(found.to_json(), indent=2, ensure_ascii=False))


def period(start: datetime | None, end: datetime | None, today: date) -> tuple[date, date]:
    """The days asked for; a bound not given is the last full calendar month's."""
    default_start, default_end = transparency.last_full_month(today)
    return (
        start.date() if start else default_start,
        end.date() if end else default_end,
    )
