"""Several processes writing to one database at once lose nothing (SQLite file, and PostgreSQL).

Each process builds its own app (its own engine and connections, as a gunicorn worker does) on the
same database file and submits comments and replies through the HTTP layer, all starting together.
"""

from __future__ import annotations

import multiprocessing
from urllib.parse import quote

from sqlalchemy import func, select

from moderation import create_app
from moderation.db import db
from moderation.models import Article, Comment, ModerationMode, Site

PROCESSES = 4
PER_PROCESS = 25
ARTICLES = ["a", "b", "c"]


def _config(url: str, instance: str) -> dict:
    return {
        "database_url": url,
        "instance_path": instance,
        "secret_key": "concurrency",
        "rate_limits": False,
        "min_form_seconds": 0,
    }


def _writer(url: str, instance: str, worker: int, start, results) -> None:
    app = create_app(_config(url, instance))
    client = app.test_client()
    statuses = []
    # As the widget does: the thread read hands out the form token sent with each comment.
    token = client.get("/api/v1/sites/open/articles/a/comments").headers["X-Form-Token"]
    start.wait(timeout=30)
    last_id = None
    for i in range(PER_PROCESS):
        article = ARTICLES[i % len(ARTICLES)]
        url = f"/api/v1/sites/open/articles/{quote(article, safe='')}/comments"
        payload = {
            "body": f"worker {worker} comment {i}",
            "author_name": f"Writer {worker}",
            "form_token": token,
        }
        if last_id is not None and i % 3 == 0 and article == "a":
            payload["parent_id"] = last_id
        response = client.post(url, json=payload)
        statuses.append(response.status_code)
        if response.status_code == 201 and article == "a":
            last_id = response.get_json()["comment"]["id"]
    results.put((worker, statuses))


def test_concurrent_writers_lose_nothing(database_url, tmp_path):
    instance = str(tmp_path / "instance")
    app = create_app(_config(database_url, instance))
    with app.app_context():
        db.create_all()
        db.session.add(
            Site(
                slug="open",
                name="Open",
                origins=[],
                moderation_mode=ModerationMode.POST,
                rule_settings={"hold_first_comments": 0, "repeat_window_minutes": 0},
            )
        )
        db.session.commit()
        db.engine.dispose()

    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    workers = [
        context.Process(target=_writer, args=(database_url, instance, n, start, results))
        for n in range(PROCESSES)
    ]
    for process in workers:
        process.start()
    outcomes = dict(results.get(timeout=120) for _ in workers)
    for process in workers:
        process.join(timeout=30)
        assert process.exitcode == 0

    for worker, statuses in outcomes.items():
        assert statuses == [201] * PER_PROCESS, (worker, statuses)
    with app.app_context():
        total = db.session.scalar(select(func.count(Comment.id)))
        assert total == PROCESSES * PER_PROCESS
        real = dict(
            db.session.execute(
                select(Article.key, func.count(Comment.id))
                .join(Comment, Comment.article_id == Article.id)
                .group_by(Article.key)
            ).all()
        )
        counted = dict(db.session.execute(select(Article.key, Article.public_count)).all())
        assert counted == real, "counts kept with the comments match the comments"
        assert db.session.scalar(select(func.count(Article.id))) == len(ARTICLES)
