"""Cursors: where the next page of a list starts, handed to clients as opaque strings.

A cursor names the last row of the page before (``c1:<id>``, or ``s1:<score>:<id>`` for the queue
by spam score), base64url without padding. Anything else is refused as not one the service
handed out, never looked up.
"""

from __future__ import annotations

import base64
import binascii
import math

from ..errors import ValidationError
from ..models import MAX_ID

#: Comments the classifier has not scored sort below every scored one.
UNSCORED = -1.0
MAX_CURSOR = 100  # characters: more than any cursor this module writes


def _refused(field: str) -> ValidationError:
    return ValidationError(field, "This cursor is not one the service handed out.")


def _encode(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _parts(cursor: str, field: str) -> tuple[str, str]:
    if len(cursor) > MAX_CURSOR or not cursor.isascii():
        raise _refused(field)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise _refused(field) from None
    prefix, _, value = raw.partition(":")
    return prefix, value


def _id(value: str, field: str) -> int:
    if not value.isascii() or not value.isdigit() or not 0 < int(value) <= MAX_ID:
        raise _refused(field)
    return int(value)


def encode_cursor(last_id: int) -> str:
    return _encode(f"c1:{last_id}")


def decode_cursor(cursor: str | None, field: str = "cursor") -> int | None:
    """The id a cursor names (None for no cursor: the first page)."""
    if not cursor:
        return None
    prefix, value = _parts(cursor, field)
    if prefix != "c1":
        raise _refused(field)
    return _id(value, field)


def encode_score_cursor(score: float | None, last_id: int) -> str:
    return _encode(f"s1:{score if score is not None else UNSCORED!r}:{last_id}")


def decode_score_cursor(cursor: str, field: str = "cursor") -> tuple[float, int]:
    """The spam score and id a queue-by-score cursor names."""
    prefix, value = _parts(cursor, field)
    score, _, last_id = value.partition(":")
    if prefix != "s1":
        raise _refused(field)
    try:
        number = float(score)
    except ValueError:
        raise _refused(field) from None
    if not math.isfinite(number):
        raise _refused(field)
    return number, _id(last_id, field)
