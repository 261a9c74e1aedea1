"""Readers' tokens, verified alone (no database): what is accepted and what is refused."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import jwt
import pytest

from moderation import sso
from moderation.errors import InvalidReaderToken
from moderation.models import Role

# One test signs with HS512 on purpose, with a key PyJWT finds short for it.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

SECRET = "sso_" + "s" * 40
OLD = "sso_" + "o" * 40


def _token(key: str = SECRET, algorithm: str = "HS256", **claims: object) -> str:
    payload = {"sub": "r1", "iat": int(time.time()), "exp": int(time.time()) + 60, **claims}
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, key, algorithm=algorithm)


def test_the_claims_of_a_good_token():
    claims = sso.verify(
        _token(name="  Rhea\n Reader ", email="r@example.org", badges=["Subscriber", "Subscriber"],
               role="staff", jti="j1"),
        [SECRET],
        datetime.now(UTC),
    )  # fmt: skip
    assert claims.subject == "r1"
    assert claims.name == "Rhea Reader"  # control characters and runs of spaces folded
    assert claims.badges == ("Subscriber",)
    assert (claims.role, claims.jti) == (Role.STAFF, "j1")


def test_the_previous_secret_verifies_when_given():
    assert sso.verify(_token(key=OLD), [SECRET, OLD], datetime.now(UTC)).subject == "r1"
    with pytest.raises(InvalidReaderToken, match="not signed with this site's secret"):
        sso.verify(_token(key=OLD), [SECRET], datetime.now(UTC))


def test_a_little_clock_skew_is_forgiven():
    now = int(time.time())
    assert sso.verify(_token(exp=now - 30), [SECRET], datetime.now(UTC)).subject == "r1"
    with pytest.raises(InvalidReaderToken, match="expired"):
        sso.verify(_token(exp=now - sso.CLOCK_SKEW - 5), [SECRET], datetime.now(UTC))


@pytest.mark.parametrize(
    ("token", "message"),
    [
        (lambda: jwt.encode({"sub": "r1"}, None, algorithm="none"), "signed HS256"),
        (lambda: _token(algorithm="HS512"), "signed HS256"),
        (lambda: "not.a.jwt", "not a JWT"),
        (lambda: _token(sub=None), "sub"),
        (lambda: _token(sub=""), "sub"),
        (lambda: _token(role="editor"), "role"),
        (lambda: _token(email="nobody"), "email"),
        (lambda: _token(badges=["new\nline"]), "badge"),
        (lambda: _token(badges=["x" * 33]), "badge"),
        (lambda: _token(badges=[f"b{n}" for n in range(9)]), "at most"),
        (lambda: _token(name=12), "name"),
    ],
)
def test_refused_with_a_reason(token, message):
    with pytest.raises(InvalidReaderToken, match=message):
        sso.verify(token(), [SECRET], datetime.now(UTC))


def test_no_secret_no_readers():
    with pytest.raises(InvalidReaderToken, match="does not accept"):
        sso.verify(_token(), [], datetime.now(UTC))


def test_new_secrets_are_long_and_distinct():
    first, second = sso.new_secret(), sso.new_secret()
    assert first != second and len(first) >= 40
