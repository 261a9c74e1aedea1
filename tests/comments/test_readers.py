"""Signed-in readers through the core: secrets and their rotation, identification, the account,
signing out."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select

from moderation.comments import readers
from moderation.errors import InvalidReaderToken
from moderation.models import Reader, Role, Site, utcnow


def _site(session) -> Site:
    return session.scalars(select(Site).where(Site.slug == "news")).one()


def _token(secret: str, **claims) -> str:
    now = int(time.time())
    return jwt.encode({"sub": "s1", "iat": now, "exp": now + 60, **claims}, secret, "HS256")


def test_rotation_keeps_the_old_secret_for_its_grace(session):
    site = _site(session)
    first = readers.rotate_secret(session, site)
    assert readers.secrets_in_force(site, utcnow()) == [first]
    second = readers.rotate_secret(session, site, timedelta(minutes=5))
    assert readers.secrets_in_force(site, utcnow()) == [second, first]
    assert readers.secrets_in_force(site, utcnow() + timedelta(minutes=6)) == [second]


def test_identify_reads_and_remember_writes_the_account(session):
    site = _site(session)
    secret = readers.rotate_secret(session, site)
    signed_in = readers.identify(session, site, _token(secret, name="Rhea", role="staff"), utcnow())
    assert signed_in is not None and signed_in.reader is None and signed_in.staff
    reader = readers.remember(session, site, signed_in, "Typed")
    assert (reader.name, reader.role) == ("Rhea", Role.STAFF)
    again = readers.identify(session, site, _token(secret), utcnow())
    assert again is not None and again.reader is not None and again.reader.id == reader.id
    # A token without a name keeps the account's.
    assert readers.remember(session, site, again, "Typed").name == "Rhea"
    assert session.scalars(select(Reader)).all() == [reader]
    assert readers.identify(session, site, None, utcnow()) is None


def test_signing_out_needs_a_jti_and_refuses_the_token_after(session):
    site = _site(session)
    secret = readers.rotate_secret(session, site)
    with pytest.raises(InvalidReaderToken, match="no jti"):
        readers.sign_out(session, site, _token(secret))
    token = _token(secret, jti="j-1")
    readers.sign_out(session, site, token)
    readers.sign_out(session, site, token)  # twice is once
    with pytest.raises(InvalidReaderToken, match="signed out"):
        readers.identify(session, site, token, utcnow())
