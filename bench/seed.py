"""Seeding for the benchmark: bulk inserts (COPY on PostgreSQL), never the HTTP API.

The same data is written for this service and for Isso: 200 articles of 50 approved comments
(every third a reply), one article of 5,000, and for the queue scenario a million pending
comments.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert, text

from moderation import create_app
from moderation.db import db
from moderation.identity import new_token, token_hash
from moderation.migrate import upgrade_database
from moderation.models import ApiToken, Article, Comment, ModerationMode, Site
from moderation.sanitize import sanitize_comment

ARTICLES = 200
PER_ARTICLE = 50
BIG = 5000
WORDS = [
    "tram", "council", "budget", "river", "trees", "vote", "hospital", "station", "works",
    "shops", "bridge", "city", "quay", "plan", "cost", "citizens", "mayor", "line", "stop",
    "years", "spring", "hearing", "route", "petition",
]  # fmt: skip


@dataclass(frozen=True)
class Thread:
    key: str
    comments: list[tuple[int, int | None, str, str]]  # (local id, parent local id, name, text)


def article_key(n: int) -> str:
    return f"/bench/article-{n}"


BIG_KEY = "/bench/big"


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def threads(seed: int = 1) -> list[Thread]:
    """The public threads, identical for both systems."""
    rng = random.Random(seed)
    out = []
    for n, size in [*((n, PER_ARTICLE) for n in range(ARTICLES)), (-1, BIG)]:
        comments: list[tuple[int, int | None, str, str]] = []
        for i in range(size):
            parent = None
            if i % 3 == 2:
                roots = [c for c in comments[-9:] if c[1] is None]
                parent = roots[-1][0] if roots else None
            comments.append((i, parent, f"Reader {rng.randint(1, 400)}", _text(rng, 40)))
        out.append(Thread(BIG_KEY if n < 0 else article_key(n), comments))
    return out


def _now() -> datetime:
    return datetime.now(UTC) - timedelta(days=1)


def seed_service(database_url: str, instance: str, *, pending: int = 0) -> str:
    """Create the schema, the site ``bench``, the threads and ``pending`` queued comments; return
    a moderation API token."""
    app = create_app(
        {"database_url": database_url, "instance_path": instance, "secret_key": "bench"}
    )
    upgrade_database(app)
    token = new_token()
    with app.app_context():
        site = Site(
            slug="bench",
            name="Bench",
            origins=["http://127.0.0.1"],
            moderation_mode=ModerationMode.POST,
            rule_settings={"hold_first_comments": 0, "repeat_window_minutes": 0},
        )
        db.session.add(site)
        db.session.flush()
        db.session.add(ApiToken(site_id=site.id, token_hash=token_hash(token), label="bench"))
        db.session.flush()
        site_id = site.id
        engine = db.engine
        db.session.commit()
        started = time.monotonic()
        with engine.begin() as conn:
            next_id = 1
            for thread in threads():
                article_id = conn.execute(
                    insert(Article).returning(Article.id),
                    {
                        "site_id": site_id,
                        "key": thread.key,
                        "title": thread.key,
                        "closed": False,
                        "public_count": len(thread.comments),
                        "version": 1,
                        "created_at": _now(),
                    },
                ).scalar_one()
                ids = {local: next_id + local for local, *_ in thread.comments}
                rows = []
                for local, parent, name, body in thread.comments:
                    root = None
                    if parent is not None:
                        root = ids[parent]
                    rows.append(
                        _comment_row(site_id, article_id, ids[local], root, name, body, "approved")
                    )
                conn.execute(insert(Comment), rows)
                next_id += len(thread.comments)
        print(f"  seeded threads in {time.monotonic() - started:.1f} s")
        if pending:
            started = time.monotonic()
            _seed_pending(engine, site_id, pending, next_id)
            print(f"  seeded {pending:,} pending comments in {time.monotonic() - started:.1f} s")
        if engine.dialect.name == "postgresql":
            # The seed wrote the ids itself: move the sequence past them, or the benchmark's
            # submissions collide with them.
            with engine.begin() as conn:
                conn.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence('comments', 'id'), "
                        "(SELECT max(id) FROM comments))"
                    )
                )
        engine.dispose()
    return token


_HTML_CACHE: dict[str, str] = {}


def _comment_row(
    site_id: int,
    article_id: int,
    comment_id: int,
    root: int | None,
    name: str,
    body: str,
    status: str,
) -> dict:
    html = _HTML_CACHE.get(body) or _HTML_CACHE.setdefault(body, sanitize_comment(body))
    return {
        "id": comment_id,
        "site_id": site_id,
        "article_id": article_id,
        "parent_id": root,
        "root_id": root,
        "depth": 1 if root else 0,
        "author_name": name,
        "author_email": None,
        "author_key": f"{hash(name) & 0xFFFFFFFFFFFF:064x}",
        "ip_hash": None,
        "body_text": body,
        "html": html,
        "status": status,
        "held_because": ["premod"] if status == "pending" else [],
        "spam_score": None,
        "edit_token_hash": "0" * 64,
        "open_flag_count": 0,
        "created_at": _now(),
        "edited_at": None,
        "decided_at": None,
    }


def _pending_rows(site_id: int, count: int, first_id: int, articles: list[int]) -> Iterator[tuple]:
    body = "A comment waiting for a moderator, with a few words in it."
    html = sanitize_comment(body)
    created = _now().isoformat()
    for i in range(count):
        yield (
            first_id + i,
            site_id,
            articles[i % len(articles)],
            f"Queued {i % 5000}",
            f"{i % 5000:064x}",
            body,
            html,
            "pending",
            '["premod"]',
            "0" * 64,
            created,
        )


_PENDING_COLUMNS = (
    "id, site_id, article_id, author_name, author_key, body_text, html, status, held_because, "
    "edit_token_hash, created_at"
)


def _seed_pending(engine, site_id: int, count: int, first_id: int) -> None:
    """A million rows: COPY on PostgreSQL, executemany in large batches on SQLite."""
    with engine.begin() as conn:
        articles = [
            conn.execute(
                insert(Article).returning(Article.id),
                {
                    "site_id": site_id,
                    "key": f"/bench/queued-{n}",
                    "title": "queued",
                    "closed": False,
                    "public_count": 0,
                    "version": 1,
                    "created_at": _now(),
                },
            ).scalar_one()
            for n in range(100)
        ]
    defaults = "depth, open_flag_count"
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            with cursor.copy(f"COPY comments ({_PENDING_COLUMNS}, {defaults}) FROM STDIN") as copy:
                for row in _pending_rows(site_id, count, first_id, articles):
                    copy.write_row((*row, 0, 0))
            raw.commit()
            cursor.execute("ANALYZE comments")
            raw.commit()
        finally:
            raw.close()
        return
    path = engine.url.database
    connection = sqlite3.connect(path)
    try:
        placeholders = ", ".join("?" * 13)
        statement = f"INSERT INTO comments ({_PENDING_COLUMNS}, {defaults}) VALUES ({placeholders})"
        batch: list[tuple] = []
        for row in _pending_rows(site_id, count, first_id, articles):
            batch.append((*row, 0, 0))
            if len(batch) == 50_000:
                connection.executemany(statement, batch)
                batch.clear()
        if batch:
            connection.executemany(statement, batch)
        connection.commit()
        connection.execute("ANALYZE")
    finally:
        connection.close()


def reset_postgres_schema(base_url: str, schema: str) -> str:
    """A fresh schema for one run; returns the URL that uses it."""
    from moderation.config import normalise_database_url

    url = normalise_database_url(base_url)
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def seed_isso(db_path: str) -> None:
    """The same threads in Isso's own schema (as Isso 0.14 creates it), all accepted (mode 1)."""
    connection = sqlite3.connect(db_path)
    try:
        cursor = connection.cursor()
        created = _now().timestamp()
        next_id = 1
        for thread in threads():
            cursor.execute(
                "INSERT INTO threads (uri, title) VALUES (?, ?)", (thread.key, thread.key)
            )
            tid = cursor.lastrowid
            ids = {local: next_id + local for local, *_ in thread.comments}
            rows = [
                (tid, ids[local], ids[parent] if parent is not None else None, created, None, 1,
                 "127.0.0.0", body, name, None, None, 0, 0, bytes(256), 0)
                for local, parent, name, body in thread.comments
            ]  # fmt: skip
            cursor.executemany(
                "INSERT INTO comments (tid, id, parent, created, modified, mode, remote_addr, text,"
                " author, email, website, likes, dislikes, voters, notification)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            next_id += len(thread.comments)
        connection.commit()
    finally:
        connection.close()


def submission_body() -> str:
    """About 500 characters with some markup, for the submission scenario."""
    rng = random.Random(3)
    paragraphs = [_text(rng, 28) for _ in range(3)]
    return json.dumps(
        "\n\n".join(
            [
                f"<em>{paragraphs[0]}</em>",
                f"{paragraphs[1]} See https://www.example.com/report for the figures.",
                f"<blockquote>{paragraphs[2]}</blockquote>",
            ]
        )
    )
