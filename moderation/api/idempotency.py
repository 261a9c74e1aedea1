"""Safe retries: a submission or report sent again with its ``Idempotency-Key`` is answered the
first answer, and nothing is stored twice.

As in the IETF's Idempotency-Key draft (and Stripe's API, which it follows): a key names one
request, so the same key with another body is refused (422); a key is remembered for a day and
its scope is the operation's method and path. Only a request that stored something is
remembered: one refused (a field at fault, a ban, a closed article) stored nothing, and its retry
is simply tried again.

The first answer is written with the row it made, in the same transaction, under the key as
primary key. Two copies of one request racing each other both run; one commits, the other's
insert of the key fails (on PostgreSQL it waits for the first to end) and it answers the
winner's answer, its own work rolled back. Edit tokens are kept only as hashes, so the answer is
kept without its token: a comment sent with a key gets a token derived from the key, and a
replay derives it again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import Response, current_app, g, request
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..db import db, read_phase
from ..errors import IdempotencyKeyReused, ValidationError
from ..identity import keyed_hash
from ..models import IdempotentRequest, utcnow
from .payload import body_bytes

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEEP = timedelta(hours=24)
MAX_KEY_CHARS = 255
_KEY = re.compile(rf"[\x21-\x7e]{{1,{MAX_KEY_CHARS}}}")  # visible ASCII: a UUID, a ULID...

#: How the OpenAPI document describes the request header.
DECLARED = {
    HEADER: (
        "Any unique string (a UUID) naming this request: sent again with a retry, it is answered "
        "the first answer instead of doing the work twice. Kept a day.",
        False,
        {"type": "string", "pattern": "^[!-~]{1,255}$"},
    )
}
#: ... and the answer's header.
REPLAYED = {REPLAYED_HEADER: "`true` when this is the stored answer to an earlier request."}


@dataclass(frozen=True)
class Key:
    """A request's key, scoped and hashed, and the fingerprint of its body."""

    hash: str
    fingerprint: str

    def edit_token(self, secret_key: str) -> str:
        """The edit token of the comment this request makes, the same for every retry."""
        digest = hmac.new(secret_key.encode(), b"edit-token\x00" + self.hash.encode(), "sha256")
        return base64.urlsafe_b64encode(digest.digest()).rstrip(b"=").decode()


def requested() -> Key | None:
    """This request's key (None: it has none), or 400 for one that is not visible ASCII of at
    most 255 characters."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    if not _KEY.fullmatch(raw):
        raise ValidationError(
            HEADER, f"{HEADER} must be 1 to {MAX_KEY_CHARS} visible ASCII characters, e.g. a UUID."
        )
    scope = f"{request.method} {request.path}\x00{raw}"
    return Key(
        hash=keyed_hash(current_app.config["SECRET_KEY"], "idempotency", scope),
        fingerprint=hashlib.sha256(_canonical(body_bytes())).hexdigest(),
    )


def _canonical(body: bytes) -> bytes:
    """The body as the request it means: the same JSON in another key order or spacing is the
    same request; a body that is not JSON is taken byte for byte."""
    try:
        value = json.loads(body)
    except ValueError:
        return body
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def earlier(session: Session, key: Key, now: datetime | None = None) -> IdempotentRequest | None:
    """The stored answer to this key (None: a new request), or 422 if it named another request."""
    found = session.get(IdempotentRequest, key.hash, populate_existing=True)
    if found is None or found.created_at <= (now or utcnow()) - KEEP:
        return None
    if not hmac.compare_digest(found.fingerprint, key.fingerprint):
        raise IdempotencyKeyReused(field=HEADER)
    return found


def is_replay() -> bool:
    """Whether this request repeats one already answered: the rate limits let it through."""
    try:
        return earlier_answer() is not None
    except Exception:  # a bad key or body is the view's to refuse, not the limiter's
        return False


def earlier_answer() -> IdempotentRequest | None:
    """:func:`earlier` for this request's key, looked up once per request."""
    if "idempotent_earlier" not in g:
        key = requested()
        session = db.session()
        if key is None:
            g.idempotent_earlier = None
        elif session.in_transaction():
            g.idempotent_earlier = earlier(session, key)
        else:
            # A read of its own, so that on SQLite the write lock is not taken before the
            # submission's screening (see ``db.read_phase``).
            with read_phase(session):
                g.idempotent_earlier = earlier(session, key)
    found: IdempotentRequest | None = g.idempotent_earlier
    return found


def remember(
    session: Session,
    key: Key,
    comment_id: int,
    response: Response,
    *,
    secret_fields: tuple[str, ...] = (),
    now: datetime | None = None,
) -> None:
    """Store ``response`` as the answer to ``key``, without ``secret_fields``; flushed, so that
    losing a race raises :class:`IntegrityError` here (see :func:`replay_after_race`)."""
    now = now or utcnow()
    session.execute(
        delete(IdempotentRequest)
        .where(IdempotentRequest.created_at <= now - KEEP)
        .execution_options(synchronize_session=False)
    )
    body = json.loads(response.get_data())
    for name in secret_fields:
        body.pop(name, None)
    session.add(
        IdempotentRequest(
            key_hash=key.hash,
            fingerprint=key.fingerprint,
            comment_id=comment_id,
            status_code=response.status_code,
            body=json.dumps(body, separators=(",", ":")),
            location=response.headers.get("Location"),
            created_at=now,
        )
    )
    session.flush()


def replay(stored: IdempotentRequest, **restored: Any) -> Response:
    """The stored answer again, with the ``restored`` fields it was stored without."""
    body = json.loads(stored.body)
    body.update(restored)
    response = Response(json.dumps(body), status=stored.status_code, mimetype="application/json")
    if stored.location:
        response.headers["Location"] = stored.location
    response.headers[REPLAYED_HEADER] = "true"
    return response


def replay_after_race(session: Session, key: Key) -> IdempotentRequest:
    """After losing the race to store ``key``'s answer: the winner's, this request rolled back."""
    session.rollback()
    winner = earlier(session, key)
    if winner is None:  # pragma: no cover - the insert failed on this very key
        raise IntegrityError("idempotency key", None, Exception("no stored answer"))
    return winner
