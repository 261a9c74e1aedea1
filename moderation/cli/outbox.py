"""The ``moderation`` commands of the outbox: a site's webhooks and Slack channels, and the
delivery worker."""

from __future__ import annotations

import signal
import threading

import click

from .. import admin
from ..db import db
from ..models import EndpointKind
from ..outbox import endpoints
from ..outbox.events import PUBLIC_TYPES
from ..outbox.worker import Worker
from .base import _app, _require_schema, _transaction, main


@main.group()
def webhook() -> None:
    """Manage a site's webhooks (Standard Webhooks) and Slack channels."""


def _site_id(slug: str) -> int:
    [site] = admin.get_sites(db.session(), [slug])
    return site.id


@webhook.command("add")
@click.argument("slug")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice(PUBLIC_TYPES),
    help="An event type to send (repeatable). Default: every type.",
)
@click.option("--description", default="", help="What the endpoint is, for the other admins.")
def webhook_add(slug: str, url: str, events: tuple[str, ...], description: str) -> None:
    """Send the site's events to URL, signed; prints the secret on its last line."""
    app = _app()
    _require_schema(app)
    allow_private = app.config["SETTINGS"].webhook_allow_private
    with _transaction(app):
        endpoint = endpoints.add_endpoint(
            db.session(),
            _site_id(slug),
            url,
            events=events,
            description=description,
            allow_private=allow_private,
        )
        secret, endpoint_id = endpoint.secret, endpoint.id
    click.echo(f"Webhook {endpoint_id} of {slug}: {url} ({', '.join(events) or 'every event'})")
    click.echo("Verify deliveries with this secret (shown only now):")
    click.echo(secret)


@webhook.command("slack")
@click.argument("slug")
@click.argument("url")
@click.option(
    "--topic",
    "topics",
    multiple=True,
    type=click.Choice(endpoints.SLACK_TOPICS),
    help="pending: new comments waiting; reported: readers' reports; staff: staff comments "
    "(repeatable). Default: all three.",
)
def webhook_slack(slug: str, url: str, topics: tuple[str, ...]) -> None:
    """Post the site's queue to a Slack incoming webhook at URL."""
    app = _app()
    _require_schema(app)
    allow_private = app.config["SETTINGS"].webhook_allow_private
    with _transaction(app):
        endpoint = endpoints.add_endpoint(
            db.session(),
            _site_id(slug),
            url,
            kind=EndpointKind.SLACK,
            events=topics,
            allow_private=allow_private,
        )
        endpoint_id = endpoint.id
    click.echo(f"Slack channel {endpoint_id} of {slug}: {', '.join(topics) or 'all topics'}")


@webhook.command("list")
@click.argument("slug")
def webhook_list(slug: str) -> None:
    """The site's webhooks and Slack channels, one per line."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        for endpoint in endpoints.list_endpoints(db.session(), _site_id(slug)):
            what = ",".join(endpoint.events) or "*"
            click.echo(f"{endpoint.id}\t{endpoint.kind.value}\t{endpoint.url}\t{what}")


@webhook.command("remove")
@click.argument("slug")
@click.argument("endpoint_id", type=int)
def webhook_remove(slug: str, endpoint_id: int) -> None:
    """Stop sending to an endpoint (its waiting deliveries go with it)."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        endpoints.remove_endpoint(db.session(), _site_id(slug), endpoint_id)
    click.echo(f"Removed endpoint {endpoint_id} of {slug}.")


@webhook.command("rotate")
@click.argument("slug")
@click.argument("endpoint_id", type=int)
def webhook_rotate(slug: str, endpoint_id: int) -> None:
    """A new secret for a webhook; the old one signs too for 24 hours. Prints the new one on
    its last line."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        endpoint = endpoints.rotate_secret(db.session(), _site_id(slug), endpoint_id)
        secret = endpoint.secret
    click.echo("The previous secret signs beside this one for 24 hours:")
    click.echo(secret)


@main.command()
@click.option("--once", is_flag=True, help="Deliver what is due now, then stop.")
def worker(once: bool) -> None:
    """Deliver the outbox: webhooks, Slack and mail. Run as many as you like on PostgreSQL."""
    app = _app()
    _require_schema(app)
    delivery = Worker(app)
    if once:
        while delivery.run_once():
            pass
        return
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    click.echo("Delivering the outbox; Ctrl-C to stop.")
    delivery.run(stop)
