"""Cursors: where the next page of a list starts, as the last row of the page before.

A cursor is written as that row's id (``1234``), or for the queue by spam score its score and id
(``0.8125~1234``). Any such position is a place to start: one past the end gives an empty page.
The form is plain so that the API's document can say exactly which strings are cursors
(:data:`CURSOR`), and a client is refused only for what the document calls invalid.
"""

from __future__ import annotations

import math
import re

from ..errors import ValidationError
from ..models import MAX_ID

#: Comments the classifier has not scored sort below every scored one.
UNSCORED = -1.0
_END = r"(?![\s\S])"
_ID = "[0-9]{1,10}"
_SCORE = r"-?[0-9]{1,20}(?:\.[0-9]{1,20})?(?:e[+-]?[0-9]{1,3})?"
#: Every cursor, as a pattern in the syntax Python and ECMA-262 share.
CURSOR = f"^(?:{_ID}|{_SCORE}~{_ID}){_END}"
_SCORED = re.compile(f"({_SCORE})~({_ID})")
# Scores of a cursor beyond this are "before or after everything": bound, so no database meets
# an infinity.
_SCORE_BOUND = 1e300


def _refused(field: str) -> ValidationError:
    return ValidationError(field, "This is not a cursor (the next_cursor of an earlier page).")


def _position(digits: str) -> int:
    # Past the largest id is past the end: the database compares with ids it can hold.
    return min(int(digits), MAX_ID)


def encode_cursor(last_id: int) -> str:
    return str(last_id)


def decode_cursor(cursor: str | None, field: str = "cursor") -> int | None:
    """The id a cursor names (None for no cursor: the first page). A score cursor names its id."""
    if not cursor:
        return None
    if cursor.isascii() and cursor.isdigit() and len(cursor) <= 10:
        return _position(cursor)
    return decode_score_cursor(cursor, field)[1]


def encode_score_cursor(score: float | None, last_id: int) -> str:
    return f"{score if score is not None else UNSCORED!r}~{last_id}"


def decode_score_cursor(cursor: str, field: str = "cursor") -> tuple[float, int]:
    """The spam score and id a queue-by-score cursor names; an id cursor starts among the
    comments not scored yet."""
    if cursor.isascii() and cursor.isdigit() and len(cursor) <= 10:
        return UNSCORED, _position(cursor)
    found = _SCORED.fullmatch(cursor)
    if found is None:
        raise _refused(field)
    score = float(found.group(1))
    if not math.isfinite(score) or abs(score) > _SCORE_BOUND:
        score = math.copysign(_SCORE_BOUND, score)
    return score, _position(found.group(2))
