"""Our own format: a site as JSON Lines, one object a line, and read back as records.

``{"type": "article", ...}`` lines first, then ``{"type": "comment", ...}`` in the order they
were written (a parent before its replies), then ``{"type": "decision", ...}``: the log. Ids are
this database's, as strings; an import maps them through its keys like any source's ids.
Export streams (``yield_per``), so its memory stays flat however large the site.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import Article, Comment, Decision, Site
from .records import ImportedArticle, ImportedComment, ImportedDecision, ImportFileError, Record

YIELD_PER = 2000


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _rows(session: Session, statement: Any) -> Iterator[Any]:
    yield from session.execute(statement.execution_options(yield_per=YIELD_PER))


def export(session: Session, site: Site) -> Iterator[str]:
    """The site's articles, comments and decisions, one JSON line each (no newline)."""
    for a in _rows(
        session,
        select(Article.id, Article.key, Article.url, Article.title, Article.closed,
               Article.created_at).where(Article.site_id == site.id).order_by(Article.id),
    ):  # fmt: skip
        yield _line(
            type="article", id=str(a.id), key=a.key, url=a.url, title=a.title, closed=a.closed,
            created_at=_time(a.created_at),
        )  # fmt: skip
    c = Comment
    for r in _rows(
        session,
        select(c.id, c.article_id, c.parent_id, c.author_name, c.author_email, c.html,
               c.body_text, c.status, c.staff, c.badges, c.featured, c.reactions, c.held_because,
               c.created_at, c.edited_at)
        .where(c.site_id == site.id).order_by(c.id),
    ):  # fmt: skip
        yield _line(
            type="comment",
            id=str(r.id),
            article=str(r.article_id),
            parent=str(r.parent_id) if r.parent_id is not None else None,
            author_name=r.author_name,
            author_email=r.author_email,
            html=r.html,
            text=r.body_text,
            status=r.status.value,
            staff=r.staff,
            badges=list(r.badges),
            featured=r.featured,
            reactions=r.reactions,
            held_because=list(r.held_because),
            created_at=_time(r.created_at),
            edited_at=_time(r.edited_at),
        )
    d = Decision
    for r in _rows(
        session,
        select(d.comment_id, d.actor, d.action, d.from_status, d.to_status, d.reason,
               d.explanation, d.created_at).where(d.site_id == site.id).order_by(d.id),
    ):  # fmt: skip
        yield _line(
            type="decision",
            comment=str(r.comment_id),
            actor=r.actor,
            action=r.action.value,
            from_status=r.from_status.value if r.from_status else None,
            to_status=r.to_status.value,
            reason=r.reason.value if r.reason else None,
            explanation=r.explanation,
            created_at=_time(r.created_at),
        )


def _line(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False, separators=(",", ":"))


def read(path: Path) -> Iterator[Record]:
    """Our export read back, a line at a time; a broken line raises ImportFileError."""
    with path.open(encoding="utf-8") as file:
        for number, text in enumerate(file, start=1):
            if not text.strip():
                continue
            try:
                fields = json.loads(text)
                if not isinstance(fields, dict):
                    raise ValueError("not a JSON object")
                yield _record(fields, number)
            except ImportFileError:
                raise
            except (ValueError, KeyError, TypeError) as exc:
                reason = f"missing field {exc}" if isinstance(exc, KeyError) else str(exc)
                raise ImportFileError(reason, number) from None


def _record(f: dict[str, Any], line: int) -> Record:
    kind = f.get("type")
    if kind == "article":
        return ImportedArticle(
            source_id=_text(f, "id"),
            url=f.get("url"),
            title=f.get("title"),
            closed=bool(f.get("closed", False)),
            created_at=_parse_time(f.get("created_at")),
            key=_text(f, "key"),
        )
    if kind == "comment":
        created = _parse_time(f["created_at"])
        if created is None:
            raise ValueError("a comment needs created_at")
        return ImportedComment(
            source_id=_text(f, "id"),
            article_id=_text(f, "article"),
            parent_id=str(f["parent"]) if f.get("parent") is not None else None,
            author_name=_text(f, "author_name"),
            author_email=f.get("author_email"),
            html=_text(f, "html"),
            created_at=created,
            status=f["status"],
            line=line,
            staff=bool(f.get("staff", False)),
            badges=tuple(str(b) for b in f.get("badges") or ()),
            featured=bool(f.get("featured", False)),
            edited_at=_parse_time(f.get("edited_at")),
            body_text=f.get("text"),
            reactions=max(0, int(f.get("reactions") or 0)),
            held_because=tuple(str(h) for h in f.get("held_because") or ()),
        )
    if kind == "decision":
        created = _parse_time(f["created_at"])
        if created is None:
            raise ValueError("a decision needs created_at")
        return ImportedDecision(
            comment_id=_text(f, "comment"),
            actor=_text(f, "actor"),
            action=_text(f, "action"),
            created_at=created,
            reason=f.get("reason"),
            explanation=f.get("explanation"),
            from_status=f.get("from_status"),
            to_status=f.get("to_status"),
        )
    raise ValueError(f"unknown type {kind!r}")


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields[name]
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string")
    return value


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"time {value!r} has no zone")
    return moment
