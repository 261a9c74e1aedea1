"""Standard Webhooks signatures (https://www.standardwebhooks.com): what a receiver checks with
the ``standardwebhooks`` library, or with twenty lines of its own.

The signed content is ``{webhook-id}.{webhook-timestamp}.{body}``, HMAC-SHA256 with the secret's
bytes (base64 after the ``whsec_`` prefix), sent as ``v1,<base64>``; during a rotation both the
new and the previous secret sign, space-separated, so a receiver holding either accepts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Iterable

PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh secret: 24 random bytes (the specification asks for 24 to 64), ``whsec_``
    and base64."""
    return PREFIX + base64.b64encode(secrets.token_bytes(24)).decode("ascii")


def _key(secret: str) -> bytes:
    if not secret.startswith(PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    return base64.b64decode(secret[len(PREFIX) :])


def signature(secrets_: Iterable[str], message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: one ``v1,`` signature per secret, space-separated."""
    content = f"{message_id}.{timestamp}.".encode() + body
    return " ".join(
        "v1," + base64.b64encode(hmac.new(_key(s), content, hashlib.sha256).digest()).decode()
        for s in secrets_
    )
