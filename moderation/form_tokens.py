"""Form tokens: signed timestamps that show a comment came from a page a person had open.

Every thread read hands one out (``X-Form-Token``); the widget sends it back with a comment, and
the ``form_timing`` rule reads its age: too fast is a script, none or forged is held.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

MAX_AGE_SECONDS = 24 * 3600


class FormTokens:
    """Issues and checks one app's form tokens."""

    def __init__(self, secret_key: str) -> None:
        self._signer = TimestampSigner(secret_key, salt="comment-form")
        # The timestamp is in whole seconds, so a token is signed once per site and second.
        # Only the current second is kept: the memo is as small as the sites read within it.
        self._second = 0
        self._issued: dict[str, str] = {}

    def issue(self, site_slug: str) -> str:
        now = int(time.time())
        if now != self._second:
            self._second, self._issued = now, {}
        issued = self._issued  # this second's, even if another thread starts the next one
        token = issued.get(site_slug)
        if token is None:
            token = issued[site_slug] = self._signer.sign(site_slug).decode()
        return token

    def check(self, token: object, site_slug: str, min_seconds: float) -> str | None:
        """None for a token that shows a person's pace; otherwise what is wrong with it."""
        if not isinstance(token, str) or not token:
            return "no form token"
        try:
            value, signed_at = self._signer.unsign(
                token, max_age=MAX_AGE_SECONDS, return_timestamp=True
            )
        except SignatureExpired:
            return "form token expired"
        except BadSignature:
            return "invalid form token"
        if value.decode() != site_slug:
            return "form token of another site"
        age = (datetime.now(UTC) - signed_at).total_seconds()
        if age < min_seconds:
            return f"too fast: posted {age:.1f} s after the form loaded"
        return None
