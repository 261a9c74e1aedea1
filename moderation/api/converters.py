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


class IdConverter(Documented):
    """A row's id: digits, 1 to the largest id the database holds."""

    regex = "[0-9]{1,10}"
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
