"""The shape of the cost of reads: queries per request do not grow with the thread or the queue."""

from __future__ import annotations

import pytest

from moderation.db import db
from moderation.identity import token_hash
from moderation.models import (
    Action,
    Article,
    Comment,
    Decision,
    Flag,
    Reason,
    Site,
    Status,
    utcnow,
)

from .conftest import thread_url

ARTICLE = "big"


def seed(app, n: int, status: Status = Status.APPROVED) -> None:
    """``n`` comments in ``ARTICLE`` of site ``news``, a third of them replies, inserted in bulk."""
    with app.app_context():
        site = db.session.scalar(db.select(Site).where(Site.slug == "news"))
        article = Article(site_id=site.id, key=ARTICLE, title="Big", public_count=0)
        db.session.add(article)
        db.session.flush()
        roots: list[Comment] = []
        for i in range(n):
            parent = roots[i % len(roots)] if roots and i % 3 == 2 else None
            comment = Comment(
                site_id=site.id,
                article_id=article.id,
                parent_id=parent.id if parent else None,
                root_id=parent.id if parent else None,
                depth=1 if parent else 0,
                author_name=f"Reader {i}",
                author_email=f"r{i}@example.org",
                author_key=f"{i:064x}",
                body_text=f"comment {i}",
                html=f"<p>comment {i}</p>",
                status=status,
                held_because=[],
                edit_token_hash=token_hash(str(i)),
                created_at=utcnow(),
            )
            db.session.add(comment)
            if parent is None:
                db.session.flush()
                roots.append(comment)
        if status in (Status.APPROVED, Status.PUBLISHED):
            article.public_count = n
        db.session.commit()


def _thread_queries(client, count_queries) -> tuple[int, int, int]:
    url = thread_url("news", ARTICLE)
    with count_queries() as miss:
        first = client.get(url)
    assert first.status_code == 200
    with count_queries() as hit:
        assert client.get(url).status_code == 200
    with count_queries() as not_modified:
        again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    return len(miss), len(hit), len(not_modified)


@pytest.mark.parametrize("size", [10, 1000])
def test_thread_read_queries_do_not_grow_with_the_thread(app, client, site, count_queries, size):
    seed(app, size)
    miss, hit, not_modified = _thread_queries(client, count_queries)
    # The version (with the site), the article, a page of top-level comments, their replies.
    assert miss == 4
    # Cached or unchanged: the article's version alone.
    assert hit == 1
    assert not_modified == 1
    body = client.get(thread_url("news", ARTICLE)).get_json()
    assert body["total"] == size
    assert len(body["comments"]) == min(50, size - size // 3)


def test_a_page_is_bounded_even_under_a_huge_thread(app, client, site):
    seed(app, 1000)
    body = client.get(thread_url("news", ARTICLE), query_string={"limit": 200}).get_json()
    served = sum(1 + len(c["replies"]) for c in body["comments"])
    assert len(body["comments"]) == 200
    assert served <= 200 + 500


@pytest.mark.parametrize("size", [10, 1000])
def test_queue_page_queries_do_not_grow_with_the_queue(
    app, client, site, auth, count_queries, size
):
    seed(app, size, status=Status.PENDING)
    with app.app_context():
        # Every comment reported twice and logged once, so the page has details to gather.
        for comment in db.session.scalars(db.select(Comment)):
            for reason in (Reason.SPAM, Reason.ABUSE):
                db.session.add(
                    Flag(comment_id=comment.id, reason=reason, reporter_hash=reason.value)
                )
            db.session.add(
                Decision(
                    site_id=comment.site_id,
                    comment_id=comment.id,
                    actor="system:test",
                    action=Action.HOLD,
                    to_status=Status.PENDING,
                )
            )
        db.session.commit()
    with count_queries() as queries:
        response = client.get("/api/v1/sites/news/queue", headers=auth)
    assert response.status_code == 200
    comments = response.get_json()["comments"]
    assert len(comments) == min(50, size)
    assert all([f["reason"] for f in c["flags"]] == ["spam", "abuse"] for c in comments)
    assert all([h["action"] for h in c["history"]] == ["hold"] for c in comments)
    # The token (with its site), the page (with articles), reader reports, history.
    assert len(queries) == 4


def test_counts_are_one_query(app, client, site, count_queries):
    seed(app, 30)
    keys = [ARTICLE] + [f"other-{i}" for i in range(99)]
    with count_queries() as queries:
        response = client.get("/api/v1/sites/news/counts", query_string={"article": keys})
    assert response.get_json()["counts"][ARTICLE] == 30
    assert len(queries) == 1


def test_a_decision_changes_the_cached_thread(client, site, post, decide):
    cid = post(ARTICLE).get_json()["comment"]["id"]
    url = thread_url("news", ARTICLE)
    assert client.get(url).get_json()["comments"] == []  # now cached
    decide(cid)
    assert [c["id"] for c in client.get(url).get_json()["comments"]] == [cid]
    decide(cid, "reject", reason="abuse")
    assert client.get(url).get_json()["comments"] == []


def test_reactions_move_the_cache_key_at_most_once_a_second():
    from moderation.threads import reaction_mark

    assert reaction_mark(None, None, 1000.5) == 0
    # A lone reaction marked 1000: the key stays what it was until second 1000 is over...
    assert reaction_mark(1000, None, 1000.7) == 0
    assert reaction_mark(1000, 990, 1000.7) == -991
    # ...then takes the second after it, from then on.
    assert reaction_mark(1000, 990, 1001.0) == reaction_mark(1000, 990, 5000.0) == -1001
    # Reactions arriving every second: one key a second, whatever their rate.
    keys = [reaction_mark(s, s - 1, s + f / 10) for s in range(1000, 1005) for f in range(10)]
    assert len(set(keys)) == 5
