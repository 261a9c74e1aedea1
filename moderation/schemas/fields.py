"""The field types of the contract: each says in its schema exactly what it accepts.

Every check a field needs is one the OpenAPI document can state (a length, a pattern, a range),
so that what the document calls valid the service accepts and what it calls invalid the service
refuses. Patterns are written in the part of regular-expression syntax that Python and
ECMA-262 read alike (no ``\\s`` or ``\\d``, whose sets differ; the end of the string as
``(?![\\s\\S])``, since Python's ``$`` also matches before a final newline), and are validated
with Python's engine.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

from ..comments import cursors
from ..models import MAX_ID
from ..sanitize import normalise_text

MAX_NAME = 100
MAX_EMAIL = 254
MAX_URL = 2048
MAX_TITLE = 300
MAX_ARTICLE_KEY = 512
MAX_NOTE = 500
MAX_EXPLANATION = 2000
MAX_SEARCH = 200
#: Article keys per count request.
MAX_COUNT_KEYS = 100

_END = r"(?![\s\S])"
# What ``str.strip()`` removes, and what ``sanitize.normalise_text`` drops (C0 and C1 controls,
# the Unicode line and paragraph separators): a text made only of these is empty.
_INVISIBLE = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
#: Somewhere in it, one character that is neither space nor control.
VISIBLE = f"[^{_INVISIBLE}]"
#: Visible, and on one line.
SINGLE_LINE = rf"^[^\r\n]*[^{_INVISIBLE}][^\r\n]*{_END}"
# Space and controls as either syntax counts them, for the email pattern.
_SPACE_OR_CONTROL = r"\x00-\x20\x7f-\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_ADDRESS_CHAR = f"[^{_SPACE_OR_CONTROL}@<>\"',;]"
# Deliberately plain: one @, a dot in the domain, no spaces, controls or angle brackets. Real
# validation of an address is mail sent to it.
EMAIL = f"^{_ADDRESS_CHAR}+@{_ADDRESS_CHAR}+\\.[^{_SPACE_OR_CONTROL}@<>\"',;.]+{_END}"
SLUG = f"^[a-z0-9-]{{1,64}}{_END}"
ARTICLE_KEY = f"^[^\\x00-\\x1f\\x7f]{{1,{MAX_ARTICLE_KEY}}}{_END}"
HTTP_URL = f"^https?://[^{_SPACE_OR_CONTROL}/?#@]+(?:[/?#][^{_SPACE_OR_CONTROL}]*)?{_END}"
CURSOR = cursors.CURSOR
DIGITS = re.compile(r"[0-9]{1,12}")
EMAIL_RE = re.compile(EMAIL)
SLUG_RE = re.compile(SLUG)

#: What a pattern means, in the words of a validation error.
PATTERN_MESSAGES = {
    VISIBLE: "Please fill in the {label}.",
    SINGLE_LINE: "The {label} must fit on one line.",
    EMAIL: "This does not look like an email address.",
    SLUG: "A site is named by 1 to 64 of a-z, 0-9 and -.",
    ARTICLE_KEY: "The article key must be 1 to 512 printable characters.",
    HTTP_URL: "Use a full http:// or https:// address.",
    CURSOR: "This is not a cursor (the next_cursor of an earlier page).",
}


def normalised(value: str) -> str:
    """Line endings unified, controls dropped, the ends stripped."""
    return normalise_text(value).strip()


def _query_int(value: Any) -> Any:
    # A query string's number: digits only (lax parsing would also take " 5", "+5" or "5_0").
    if isinstance(value, str):
        if not DIGITS.fullmatch(value):
            raise PydanticCustomError("int_parsing", "not a whole number")
        return int(value)
    return value


#: A comment's (or another row's) id: 1 to the largest the database holds.
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
#: The same in a query string.
QueryId = Annotated[int, Field(ge=1, le=MAX_ID), BeforeValidator(_query_int)]
#: A page size in a query string.
PageSize = Annotated[int, Field(ge=1, le=200), BeforeValidator(_query_int)]

#: A reader's name or an article's title: one line, something visible in it.
Name = Annotated[
    str, Field(max_length=MAX_NAME, pattern=SINGLE_LINE, title="name"), AfterValidator(normalised)
]
Title = Annotated[
    str,
    Field(max_length=MAX_TITLE, pattern=SINGLE_LINE, title="article title"),
    AfterValidator(normalised),
]
#: A reader's note on a report; a moderator's explanation, or the reason of a ban.
Note = Annotated[
    str, Field(max_length=MAX_NOTE, pattern=VISIBLE, title="note"), AfterValidator(normalised)
]
Explanation = Annotated[
    str,
    Field(max_length=MAX_EXPLANATION, pattern=VISIBLE, title="explanation"),
    AfterValidator(normalised),
]

Email = Annotated[str, Field(max_length=MAX_EMAIL, pattern=EMAIL, title="email address")]
#: An optional email: ``""`` or null mean none given.
OptionalEmail = Annotated[
    Email | Literal[""] | None,
    AfterValidator(lambda value: value or None),
    Field(description="Never shown publicly. Empty or null: none."),
]
HttpUrl = Annotated[str, Field(max_length=MAX_URL, pattern=HTTP_URL, title="URL")]
ArticleKey = Annotated[
    str,
    Field(
        pattern=ARTICLE_KEY,
        description="The site's own key for the article: 1 to 512 printable characters.",
    ),
]
Cursor = Annotated[
    str, Field(pattern=CURSOR, description="`next_cursor` of the previous page.", title="cursor")
]
Slug = Annotated[str, Field(pattern=SLUG)]
#: A moment, as the API writes it: RFC 3339 in UTC, to the second.
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
