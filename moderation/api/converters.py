"""The path parameters of the service's routes, and what the OpenAPI document says of each.

A segment that cannot name anything (a slug with a capital or a NUL, an id beyond the
database's range) matches no route: a 404, before any query could fail on it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from werkzeug.routing import BaseConverter, ValidationError

from ..models import MAX_ID
from ..schemas.fields import ARTICLE_KEY, SLUG


class Documented(BaseConverter):
    """A converter with its parameter's schema and description for the document."""

    schema: ClassVar[dict[str, Any]] = {"type": "string"}
    description: ClassVar[str] = ""


class SlugConverter(Documented):
    """A site's slug."""

    regex = "[a-z0-9-]{1,64}"
    schema = {"type": "string", "pattern": SLUG}
    description = "The site's slug."


class ArticleKeyConverter(Documented):
    """An article key: anything, slashes included (``%2F`` arrives decoded as ``/``); the view
    checks it, so that a bad key is a 400 naming it rather than a 404."""

    regex = ".+?"
    part_isolating = False
    schema = {"type": "string", "pattern": ARTICLE_KEY}
    description = (
        "The site's own key for the article, URL-encoded (`%2F` for `/`): 1 to 512 printable"
        " characters."
    )


def digits_up_to(maximum: int) -> str:
    """A regular expression of the numbers 1 to ``maximum``, written without leading zeros."""
    digits = str(maximum)
    shorter = f"[1-9][0-9]{{0,{len(digits) - 2}}}" if len(digits) > 1 else ""
    same_length = []
    for position, digit in enumerate(digits):
        if digit == "0":
            continue
        rest = len(digits) - position - 1
        low = "1" if position == 0 else "0"
        if int(digit) - 1 >= int(low):
            tail = f"[0-9]{{{rest}}}" if rest else ""
            same_length.append(f"{digits[:position]}[{low}-{int(digit) - 1}]{tail}")
    same_length.append(digits)
    return "|".join(filter(None, [shorter, *same_length]))


class IdConverter(Documented):
    """A row's id: 1 to the largest id the database holds. The expression itself stops at the
    largest (Werkzeug answers 405 rather than 404 when a converter refuses what its expression
    took, if another method's rule took the path)."""

    regex = f"(?:{digits_up_to(MAX_ID)})"
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
    description = "The id."

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class DocsAssetConverter(Documented):
    """A file of the API's documentation page."""

    names = ("swagger-ui-bundle.js", "swagger-ui.css", "api-docs.js")
    regex = "|".join(name.replace(".", r"\.") for name in names)
    schema = {"type": "string", "enum": list(names)}
    description = "The file's name."


CONVERTERS: dict[str, type[Documented]] = {
    "docs_asset": DocsAssetConverter,
    "slug": SlugConverter,
    "article": ArticleKeyConverter,
    "id": IdConverter,
}
