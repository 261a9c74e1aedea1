"""The ``moderation`` commands of the GDPR, for the operator answering a person's request: export
what a site keeps of them, erase it, and apply the retention periods now (the worker does it
hourly)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, TypeVar

import click

from .. import admin
from ..comments import privacy
from ..db import db
from ..models import utcnow
from .base import _app, _require_schema, _transaction, main

ACTOR = "cli"
F = TypeVar("F", bound=Callable[..., Any])


@main.group("reader")
def reader() -> None:
    """A person's data on a site: export it, erase it (GDPR access and erasure)."""


def _selector(email: str | None, subject: str | None, edit_token: str | None) -> dict[str, str]:
    given = {
        name: value
        for name, value in (("email", email), ("subject", subject), ("edit_token", edit_token))
        if value is not None
    }
    if len(given) != 1:
        raise click.UsageError("Give one of --email, --subject or --edit-token.")
    return given


def _person_options(command: F) -> F:
    """The options that name one person on one site."""
    for option in reversed(
        [
            click.option("--site", "site_slug", required=True, help="The site's slug."),
            click.option("--email", help="The person's email (any case)."),
            click.option("--subject", help="Their account's subject (the `sub` of their login)."),
            click.option("--edit-token", "edit_token", help="The edit token of one comment."),
        ]
    ):
        command = option(command)
    return command


@reader.command("export")
@_person_options
def reader_export(
    site_slug: str, email: str | None, subject: str | None, edit_token: str | None
) -> None:
    """Print, as JSON, everything the site keeps of one person."""
    selector = _selector(email, subject, edit_token)
    app = _app()
    _require_schema(app)
    with _transaction(app):
        [site] = admin.get_sites(db.session(), [site_slug])
        found = privacy.export(db.session(), site.id, **selector)
    click.echo(json.dumps(found, indent=2, ensure_ascii=False))


@reader.command("erase")
@_person_options
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reader_erase(
    site_slug: str, email: str | None, subject: str | None, edit_token: str | None, yes: bool
) -> None:
    """Erase one person's data from the site; their comments keep their place as [deleted]."""
    selector = _selector(email, subject, edit_token)
    app = _app()
    _require_schema(app)
    if not yes:
        click.confirm(
            f"Erase the comments, account and subscriptions of this person on {site_slug}?",
            abort=True,
        )
    with _transaction(app):
        [site] = admin.get_sites(db.session(), [site_slug])
        erased = privacy.erase(db.session(), site.id, actor=ACTOR, **selector)
    for name, count in asdict(erased).items():
        click.echo(f"{name.replace('_', ' ')}: {count}")


@main.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be removed; change nothing.")
def purge(dry_run: bool) -> None:
    """Apply the retention periods now: address hashes past retention_ip_days, texts of
    rejected, spam and deleted comments past retention_text_days, on every site."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        counts = privacy.purge(db.session(), app.config["SETTINGS"], utcnow(), dry_run=dry_run)
    verb = "would clear" if dry_run else "cleared"
    click.echo(f"Address hashes {verb}: {counts['ip_hashes']}")
    click.echo(f"Comment texts {verb}: {counts['texts']}")
