"""The service's own commands: set up the database, the sites and their first people, serve,
and the demo."""

from __future__ import annotations

import secrets
from datetime import timedelta

import click

from .. import admin
from ..comments import readers
from ..db import db
from ..migrate import current_revision, upgrade_database
from ..serving import run_server
from .base import _app, _read_password, _require_schema, _transaction, main, moderator, site, token

DEMO_SITE = "demo"
DEMO_MODERATOR = "moderator@demo.example"


@main.command()
def init() -> None:
    """Create the database, or upgrade it in place to the current schema."""
    app = _app()
    before = current_revision(app)
    after = upgrade_database(app)
    where = app.config["SQLALCHEMY_DATABASE_URI"].split("@")[-1]
    if before == after:
        click.echo(f"Database {where} is up to date (revision {after}).")
    else:
        click.echo(f"Database {where} upgraded from {before or 'empty'} to {after}.")


@main.command()
def recount() -> None:
    """Recompute every article's comment count from its comments."""
    app = _app()
    with _transaction(app):
        changed = admin.recount(db.session())
    click.echo(f"{changed} article count(s) corrected.")


@site.command("create")
@click.argument("slug")
@click.option("--origin", "origins", multiple=True, required=True, help="Repeatable.")
@click.option("--name", help="Display name (default: the slug).")
@click.option("--mode", type=click.Choice(["pre", "post"]), default="pre", show_default=True)
@click.option("--edit-window", type=int, default=None, help="Minutes authors may edit.")
@click.option(
    "--starter-words/--no-starter-words",
    default=True,
    show_default=True,
    help="Hold comments with common insults and spam phrases (en, fr, nl, de) to begin with.",
)
def site_create(
    slug: str,
    origins: tuple[str, ...],
    name: str | None,
    mode: str,
    edit_window: int | None,
    starter_words: bool,
) -> None:
    """Create site SLUG whose pages live on the given --origin URLs."""
    app = _app()
    _require_schema(app)
    window = edit_window
    if window is None:
        window = app.config["SETTINGS"].default_edit_window_minutes
    with _transaction(app):
        created = admin.create_site(
            db.session(),
            slug,
            origins,
            name=name,
            mode=mode,
            edit_window_minutes=window,
            starter_words=starter_words,
        )
        click.echo(f"Site {created.slug} created for {', '.join(created.origins)} ({mode}).")


@site.command("sso-secret")
@click.argument("slug")
@click.option(
    "--grace-hours",
    type=click.FloatRange(0, 24 * 30),
    default=24,
    show_default=True,
    help="How long the secret it replaces keeps verifying.",
)
def site_sso_secret(slug: str, grace_hours: float) -> None:
    """Give site SLUG a new secret for signing readers' tokens (HS256), printed last."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        found = admin.get_sites(db.session(), [slug])[0]
        rotated = found.sso_secret is not None
        secret = readers.rotate_secret(db.session(), found, timedelta(hours=grace_hours))
    if rotated:
        click.echo(f"The previous secret keeps working for {grace_hours:g} h.", err=True)
    click.echo(f"SSO secret for {slug} (shown once; give it to the site's login):", err=True)
    click.echo(secret)


@site.command("readers")
@click.argument("slug")
@click.option(
    "--commenters",
    type=click.Choice(["guests", "readers", "mixed"]),
    help="guests: anyone; readers: signed-in readers only; mixed: both, guests held.",
)
@click.option("--login-url", help="Where the widget sends readers to sign in ('' for none).")
@click.option("--reaction-label", help='The reaction button\'s label (default "Respect").')
def site_readers(
    slug: str, commenters: str | None, login_url: str | None, reaction_label: str | None
) -> None:
    """Who may comment on site SLUG, where they sign in, and what a reaction is called."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        found = admin.get_sites(db.session(), [slug])[0]
        admin.update_readers(
            db.session(),
            found,
            commenters=commenters,
            login_url=login_url,
            reaction_label=reaction_label,
        )
        click.echo(
            f"Site {slug}: {found.commenters.value} may comment"
            + (f", signing in at {found.login_url}" if found.login_url else "")
            + f"; reactions are called {found.reaction_label!r}."
        )


@moderator.command("create")
@click.argument("email")
@click.option("--site", "sites", multiple=True, help="A site they moderate; repeatable.")
@click.option("--admin", "is_admin", is_flag=True, help="May manage sites, people and tokens.")
def moderator_create(email: str, sites: tuple[str, ...], is_admin: bool) -> None:
    """Create a moderator; the password comes from a prompt, or standard input if piped.

    The first account of an installation is an admin whatever the options: without one, nobody
    could open the sites, the moderators, the rules or the tokens."""
    app = _app()
    _require_schema(app)
    with app.app_context():
        first = not admin.admin_exists(db.session())
    if not sites and not is_admin and not first:
        raise click.UsageError("Give --site (repeatable), or --admin.")
    password = _read_password()
    with _transaction(app):
        created = admin.create_moderator(db.session(), email, password, sites, is_admin or first)
        role = "admin" if created.is_admin else "moderator"
        click.echo(f"{role.capitalize()} {created.email} created.")
        if first and not is_admin:
            click.echo("As the first account, it is an admin (there was none).", err=True)


@token.command("create")
@click.option("--site", "site_slug", required=True)
@click.option("--label", default="", help="What the token is for.")
def token_create(site_slug: str, label: str) -> None:
    """Create an API token for one site; the token is printed once, alone on the last line."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        _record, value = admin.create_token(db.session(), site_slug, label)
    click.echo(f"Token for {site_slug} (shown once; store it now):", err=True)
    click.echo(value)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
@click.option(
    "--access-log/--no-access-log",
    default=True,
    show_default=True,
    help="One line per request on standard output.",
)
def serve(host: str, port: int, workers: int, access_log: bool) -> None:
    """Serve the service with a production WSGI server (gunicorn)."""
    _require_schema(_app())
    run_server(_app, host, port, workers, access_log)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int)
def demo(host: str, port: int, workers: int) -> None:
    """Set up a demo site, a moderator and an article page, then serve them."""
    app = _app()
    upgrade_database(app)
    # The demo's own address is its public one unless the configuration names another.
    base = app.config["SETTINGS"].public_url or f"http://{host}:{port}"
    origins = [base, f"http://localhost:{port}", f"http://127.0.0.1:{port}"]
    with _transaction(app):
        if not admin.get_sites_or_none(db.session(), DEMO_SITE):
            admin.create_site(
                db.session(), DEMO_SITE, origins, name="The Demo Gazette", starter_words=True
            )
        else:
            admin.add_origins(db.session(), DEMO_SITE, origins)
        password = None
        if not admin.moderator_exists(db.session(), DEMO_MODERATOR):
            password = secrets.token_urlsafe(9)
            # An admin, so a newcomer also sees the site, rules and token pages.
            admin.create_moderator(db.session(), DEMO_MODERATOR, password, [DEMO_SITE], True)
        _record, api_token = admin.create_token(db.session(), DEMO_SITE, "demo")
        [demo_site] = admin.get_sites(db.session(), [DEMO_SITE])
        if not demo_site.sso_secret:
            # The demo page plays the publisher's login too: it signs readers in with this.
            readers.rotate_secret(db.session(), demo_site)

    click.echo(
        "\n".join(
            [
                "",
                f"  Article page with the widget:  {base}/demo/",
                f"  Moderators' dashboard:         {base}/dashboard/",
                f"  Moderator:                     {DEMO_MODERATOR}"
                + (f" / {password}" if password else " (password set on the first run)"),
                f"  Moderation API token:          {api_token}",
                f"  Approve comment 1 from a shell: curl -X POST -H 'Authorization: Bearer "
                f"{api_token}' -H 'Content-Type: application/json' "
                f"""-d '{{"action": "approve"}}' {base}/api/v1/comments/1/decision""",
                "",
            ]
        )
    )
    run_server(lambda: _app(DEMO_SITE=DEMO_SITE, public_url=base), host, port, workers)
