"""The ``moderation`` command's group and what its commands share: the app, one transaction per
command, the schema check, a password from a prompt or a pipe."""

from __future__ import annotations

import getpass
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
from flask import Flask

from .. import create_app
from ..config import ConfigError
from ..db import db, write_intent
from ..errors import ApiError
from ..migrate import current_revision, head_revision


def _app(**overrides: Any) -> Flask:
    try:
        return create_app(overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@contextmanager
def _transaction(app: Flask) -> Iterator[None]:
    """One transaction per command: committed on success, rolled back on any error."""
    token = write_intent.set(True)
    try:
        with app.app_context():
            try:
                yield
                db.session.commit()
            except ApiError as exc:
                db.session.rollback()
                raise click.ClickException(exc.message) from None
            except Exception:
                db.session.rollback()
                raise
    finally:
        write_intent.reset(token)


def _require_schema(app: Flask) -> None:
    if current_revision(app) != head_revision():
        raise click.ClickException(
            "The database is not initialised or is out of date: run `moderation init` first."
        )


@click.group()
@click.version_option(package_name="moderation")
def main() -> None:
    """A reader-comment service: submissions in, a moderation queue, approved threads out.

    Configuration comes from the TOML file named by MODERATION_CONFIG and from MODERATION_<KEY>
    environment variables (see config.example.toml).
    """


@main.group()
def site() -> None:
    """Manage sites (publications)."""


@main.group()
def moderator() -> None:
    """Manage moderator accounts."""


@main.group()
def token() -> None:
    """Manage moderation API tokens."""


def _read_password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Again: ") != first:
        raise click.ClickException("The passwords differ.")
    return first
