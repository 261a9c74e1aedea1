"""The ``moderation`` commands about people: bans and suspensions, moderators' accounts and the
API tokens, for the operator at a shell (the dashboard and the moderation API do the same)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import click
from sqlalchemy import select

from .. import admin
from ..comments import bans
from ..db import db
from ..models import BanKind, Moderator, Reason, utcnow
from .base import _app, _read_password, _require_schema, _transaction, main, moderator, token

ACTOR = "cli"
_DURATION = re.compile(r"^(\d+)\s*([hdw])$")
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_until(value: str | None, now: datetime | None = None) -> datetime | None:
    """When a suspension ends: ``1h``, ``1d``, ``7d``, ``2w`` from now, a date (its midnight,
    UTC) or an RFC 3339 time. None: a ban for good."""
    if value is None:
        return None
    now = now or utcnow()
    text = value.strip().lower()
    if found := _DURATION.match(text):
        return now + int(found.group(1)) * _UNITS[found.group(2)]
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(
            "give 1h, 1d, 7d, 2w, a date (2026-12-31) or a time (2026-12-31T18:00:00Z)",
            param_hint="--until",
        ) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


@main.group()
def ban() -> None:
    """Ban or suspend authors of a site, list the bans in force, lift one."""


@ban.command("add")
@click.option("--site", "site_slug", required=True)
@click.option("--email", help="Ban this email address.")
@click.option("--author-of", "author_of", type=int, help="Ban the author of this comment.")
@click.option("--ip-of", "ip_of", type=int, help="Ban the address this comment came from.")
@click.option("--until", help="Suspend only: 1h, 1d, 7d, a date or a time. Default: for good.")
@click.option("--reason", help="Why, for the other moderators and the log.")
@click.option(
    "--reason-code",
    type=click.Choice([r.value for r in Reason]),
    help="The reason as a decision's reason code.",
)
@click.option("--reject-pending", is_flag=True, help="Reject their comments awaiting a decision.")
def ban_add(
    site_slug: str,
    email: str | None,
    author_of: int | None,
    ip_of: int | None,
    until: str | None,
    reason: str | None,
    reason_code: str | None,
    reject_pending: bool,
) -> None:
    """Ban (or, with --until, suspend) by email, by the author of a comment, or by address."""
    if sum(x is not None for x in (email, author_of, ip_of)) != 1:
        raise click.UsageError("Give one of --email, --author-of or --ip-of.")
    kind = BanKind.EMAIL if email else BanKind.AUTHOR if author_of else BanKind.IP
    app = _app()
    _require_schema(app)
    with _transaction(app):
        [site] = admin.get_sites(db.session(), [site_slug])
        made = bans.create_ban(
            db.session(),
            site.id,
            kind,
            actor=ACTOR,
            secret_key=app.config["SECRET_KEY"],
            comment_id=author_of or ip_of,
            email=email,
            reason=reason,
            reason_code=Reason(reason_code) if reason_code else None,
            expires_at=parse_until(until),
            reject_pending=reject_pending,
        )
        ends = f"until {made.expires_at:%Y-%m-%d %H:%M} UTC" if made.expires_at else "for good"
        click.echo(f"Ban {made.id}: {made.label}, {ends}.")


@ban.command("list")
@click.option("--site", "site_slug", required=True)
def ban_list(site_slug: str) -> None:
    """The bans in force, newest first: id, what, until, by whom, why."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        [site] = admin.get_sites(db.session(), [site_slug])
        for found in bans.list_bans(db.session(), site.id):
            ends = f"{found.expires_at:%Y-%m-%d %H:%M}" if found.expires_at else "for good"
            why = found.reason or ""
            click.echo(f"{found.id}\t{found.kind.value}\t{found.label}\t{ends}\t"
                       f"{found.created_by}\t{why}")  # fmt: skip


@ban.command("lift")
@click.option("--site", "site_slug", required=True)
@click.argument("ban_id", type=int)
def ban_lift(site_slug: str, ban_id: int) -> None:
    """Lift a ban (its id is in `moderation ban list`)."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        [site] = admin.get_sites(db.session(), [site_slug])
        bans.lift_ban(db.session(), site.id, ban_id, actor=ACTOR)
        click.echo(f"Ban {ban_id} lifted.")


@moderator.command("list")
def moderator_list() -> None:
    """Every moderator: email, role, sites."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        for found in admin.list_moderators(db.session()):
            role = "admin" if found.is_admin else "moderator"
            sites = ",".join(sorted(s.slug for s in found.sites)) or "-"
            click.echo(f"{found.email}\t{role}\t{sites}")


@moderator.command("set-password")
@click.argument("email")
def moderator_set_password(email: str) -> None:
    """Set a moderator's password (from a prompt, or standard input if piped)."""
    app = _app()
    _require_schema(app)
    password = _read_password()
    with _transaction(app):
        session = db.session()
        found = session.scalar(select(Moderator).where(Moderator.email == email.strip().lower()))
        if found is None:
            raise click.ClickException(f"There is no moderator {email}.")
        admin.set_password(session, found, password)
        click.echo(f"Password of {found.email} set.")


@token.command("list")
@click.option("--site", "site_slug", required=True)
def token_list(site_slug: str) -> None:
    """A site's API tokens: id, label, created, revoked (never the tokens themselves)."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        [site] = admin.get_sites(db.session(), [site_slug])
        for found in admin.list_tokens(db.session(), site.id):
            revoked = f"revoked {found.revoked_at:%Y-%m-%d %H:%M}" if found.revoked_at else "active"
            click.echo(f"{found.id}\t{found.label or '-'}\t"
                       f"{found.created_at:%Y-%m-%d %H:%M}\t{revoked}")  # fmt: skip


@token.command("revoke")
@click.option("--site", "site_slug", required=True)
@click.argument("token_id", type=int)
def token_revoke(site_slug: str, token_id: int) -> None:
    """Stop a token from working at once."""
    app = _app()
    _require_schema(app)
    with _transaction(app):
        [site] = admin.get_sites(db.session(), [site_slug])
        admin.revoke_token(db.session(), site.id, token_id)
        click.echo(f"Token {token_id} revoked.")
