"""Which article key an imported article gets: the rule the operator chooses (``--keys``).

The widget names an article by ``data-article``, or by the page's path when the page gives none
(``embed.js``), so the path of the source's URL is the default: the imported thread is the one
the widget already asks for. A site that sets ``data-article`` to something else maps each URL
to its key in a CSV file of ``url,key`` lines.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from .records import ImportedArticle, ImportFileError

#: The longest key an article may have (``Article.key``).
MAX_KEY = 512

KeyRule = Callable[[ImportedArticle], str]


def by_path(article: ImportedArticle) -> str:
    """The URL's path, as the widget names a page that sets no ``data-article``."""
    if article.url is None:
        return article.source_id
    return urlsplit(article.url.strip()).path or "/"


def by_url(article: ImportedArticle) -> str:
    """The full URL, as given."""
    return article.url.strip() if article.url else article.source_id


def from_mapping(path: Path) -> KeyRule:
    """A rule from a CSV file of ``url,key`` lines (a header ``url,key`` is allowed). A URL the
    file does not name is an error, so an incomplete mapping shows up in a dry run instead of
    importing threads under keys no page asks for."""
    mapping: dict[str, str] = {}
    with path.open(newline="", encoding="utf-8") as file:
        for number, row in enumerate(csv.reader(file), start=1):
            if not row or (number == 1 and [c.strip().lower() for c in row] == ["url", "key"]):
                continue
            if len(row) != 2 or not row[0].strip() or not row[1].strip():
                raise ImportFileError(f"{path.name}: expected url,key", number)
            mapping[row[0].strip()] = row[1].strip()

    def by_mapping(article: ImportedArticle) -> str:
        url = (article.url or "").strip()
        if url not in mapping:
            raise ImportFileError(f"no key for {url or article.source_id!r} in {path.name}")
        return mapping[url]

    return by_mapping


def rule_named(name: str) -> KeyRule:
    """``path``, ``url``, or the path of a mapping file."""
    if name == "path":
        return by_path
    if name == "url":
        return by_url
    return from_mapping(Path(name))


def article_key(rule: KeyRule, article: ImportedArticle) -> str:
    """The key of an imported article: its own where it has one (our export), else the rule's."""
    key = article.key if article.key is not None else rule(article)
    if not key or len(key) > MAX_KEY:
        raise ImportFileError(f"article {article.source_id}: key {key[:80]!r} is empty or too long")
    return key
