"""The ``moderation import`` and ``export`` commands: another comment system's export onto a
site, and a site out as JSON Lines (which ``import --format jsonl`` reads back)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from .. import admin
from ..db import db
from ..importers import jsonl, keys
from ..importers.records import ImportFileError, Record
from ..importers.writer import import_records
from .base import _app, _require_schema, _transaction, main

#: The formats ``import`` reads; each is the module ``moderation.importers.<format>`` with a
#: ``read(path)``, found by name so a reader joins by existing.
FORMATS = ("disqus", "wordpress", "isso", "remark42", "jsonl")


def reader_of(fmt: str) -> Callable[[Path], Iterator[Record]]:
    """The format's reader, ``moderation.importers.<fmt>.read``."""
    name = f"moderation.importers.{fmt}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        raise click.ClickException(f"The {fmt} format cannot be read yet.") from None
    return module.read  # type: ignore[no-any-return]


@main.command("import")
@click.option("--site", "site_slug", required=True, help="The site's slug.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="The file's.")
@click.option("--dry-run", is_flag=True, help="Import, report, and roll it all back.")
@click.option(
    "--keys",
    "key_rule",
    default="path",
    show_default=True,
    help="Article keys from the URL's path, the whole url, or a CSV file of url,key lines.",
)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(site_slug: str, fmt: str, dry_run: bool, key_rule: str, file: Path) -> None:
    """Import FILE, another comment system's export, onto a site: in one transaction, and
    idempotent (records imported before are skipped)."""
    read = reader_of(fmt)
    app = _app()
    _require_schema(app)
    try:
        rule = keys.rule_named(key_rule)
        with _transaction(app):
            [site] = admin.get_sites(db.session(), [site_slug])
            summary = import_records(
                db.session(),
                site,
                read(file),
                source=fmt,
                secret_key=app.config["SECRET_KEY"],
                key_rule=rule,
                dry_run=dry_run,
            )
    except (ImportFileError, OSError) as exc:
        # ImportFileError's words are "line N: reason" when the reader knows the line.
        raise click.ClickException(str(exc)) from None
    for warning in summary.warnings:
        click.echo(f"warning: {warning}", err=True)
    if dry_run:
        click.echo(
            f"Dry run, nothing written. Articles: {summary.articles_new} new, "
            f"{summary.articles_existing} existing. Comments: "
            + (", ".join(f"{s} {n}" for s, n in sorted(summary.by_status.items())) or "none")
            + f". Skipped duplicates: {summary.skipped}."
        )
    click.echo(summary.line())


@main.command("export")
@click.option("--site", "site_slug", required=True, help="The site's slug.")
def export_command(site_slug: str) -> None:
    """Print a site's articles, comments and decisions as JSON Lines."""
    app = _app()
    _require_schema(app)
    out = sys.stdout
    with _transaction(app):
        [site] = admin.get_sites(db.session(), [site_slug])
        for line in jsonl.export(db.session(), site):
            out.write(line + "\n")
    out.flush()
