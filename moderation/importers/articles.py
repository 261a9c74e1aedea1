"""The articles of an import, found or made a batch at a time.

An article is found by its import key (imported before from this source), else by its key on
the site (the thread exists, its comments came through the widget), else made with the title,
URL and closed flag the source gives. An existing article is left as it is. Two source articles
whose URLs map to one key (``http`` and ``https`` under the path rule) are one article.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..comments.writes import with_defaults
from ..models import Article, ImportKey, ImportKind
from ..sanitize import normalise_text
from .keys import KeyRule, article_key
from .records import ImportedArticle

MAX_TITLE, MAX_URL = 300, 2048
_articles: Any = Article.__table__


def resolve_articles(
    session: Session,
    site_id: int,
    source: str,
    records: list[ImportedArticle],
    key_rule: KeyRule,
    write_keys: Callable[[list[tuple[str, int]]], None],
    now: Any,
) -> tuple[dict[str, int], int]:
    """Our article id for each record's source id, and how many were made; ``write_keys`` is
    given the (source id, article id) pairs that have no import key yet."""
    source_ids = {r.source_id for r in records}
    known = dict(
        session.execute(
            select(ImportKey.source_id, ImportKey.target_id).where(
                ImportKey.site_id == site_id,
                ImportKey.source == source,
                ImportKey.kind == ImportKind.ARTICLE,
                ImportKey.source_id.in_(source_ids),
            )
        ).all()
    )
    keyed = {r.source_id: article_key(key_rule, r) for r in records if r.source_id not in known}
    existing = _ids_by_key(session, site_id, set(keyed.values()))
    new_rows: dict[str, dict[str, Any]] = {}
    for record in records:
        key = keyed.get(record.source_id)
        if key is not None and key not in existing and key not in new_rows:
            new_rows[key] = with_defaults(
                Article,
                {
                    "site_id": site_id,
                    "key": key,
                    "url": record.url[:MAX_URL] if record.url else None,
                    "title": normalise_text(record.title).strip()[:MAX_TITLE] or None
                    if record.title
                    else None,
                    "closed": record.closed,
                    "created_at": record.created_at or now,
                },
            )
    if new_rows:
        session.execute(insert(_articles), list(new_rows.values()))
        existing.update(_ids_by_key(session, site_id, set(new_rows)))
    ids = {**known, **{source_id: existing[key] for source_id, key in keyed.items()}}
    write_keys([(source_id, existing[key]) for source_id, key in keyed.items()])
    return ids, len(new_rows)


def _ids_by_key(session: Session, site_id: int, keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    return dict(
        session.execute(
            select(Article.key, Article.id).where(Article.site_id == site_id, Article.key.in_(keys))
        ).all()
    )
