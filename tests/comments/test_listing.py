"""The queue as moderators read it, through the core: views, orders, cursors, counts, and what a
card shows, in a fixed number of queries."""

from __future__ import annotations

from moderation.comments.listing import (
    QueueQuery,
    list_queue,
    load_comments,
    load_context,
    queue_counts,
)
from moderation.comments.reports import report
from moderation.models import Action, Reason, Status


def _ids(page):
    return [c.id for c in page.comments]


def test_pages_follow_each_other_by_cursor(session, new_comment):
    comments = [new_comment(body=f"Comment {n}.") for n in range(5)]
    site_id = comments[0].site_id
    first = list_queue(session, QueueQuery(site_id=site_id, limit=2))
    assert _ids(first) == [c.id for c in comments[:2]] and first.next_cursor
    second = list_queue(session, QueueQuery(site_id=site_id, limit=2, cursor=first.next_cursor))
    assert _ids(second) == [c.id for c in comments[2:4]]
    newest = list_queue(session, QueueQuery(site_id=site_id, order="newest", limit=10))
    assert _ids(newest) == [c.id for c in reversed(comments)] and newest.next_cursor is None


def test_views_hold_their_statuses(session, new_comment, approve, policy):
    held, kept, gone = (new_comment(body=f"Comment {n}.") for n in range(3))
    approve(kept)
    approve(gone, action=Action.REJECT)
    report(session, kept.id, Reason.ABUSE, None, "reader", policy)
    session.commit()
    site = held.site_id
    assert _ids(list_queue(session, QueueQuery(site_id=site))) == [held.id]
    assert _ids(list_queue(session, QueueQuery(site_id=site, view="approved"))) == [kept.id]
    assert _ids(list_queue(session, QueueQuery(site_id=site, view="flagged"))) == [kept.id]
    assert _ids(list_queue(session, QueueQuery(site_id=site, view="rejected"))) == [gone.id]
    counts = queue_counts(session, site_ids=[site])
    assert counts == {
        "pending": 1, "flagged": 1, "unreviewed": 0, "approved": 1, "rejected": 1, "spam": 0,
    }  # fmt: skip


def test_a_page_carries_reports_and_the_log(session, new_comment, approve, policy):
    comment = new_comment()
    approve(comment)
    report(session, comment.id, Reason.SPAM, "An ad.", "reader", policy)
    session.commit()
    page = load_comments(session, [comment.id])
    [row] = page.comments
    assert row.status is Status.APPROVED and row.article_key == "/2026/11/story"
    assert [f.note for f in page.flags[comment.id]] == ["An ad."]
    assert [d.action for d in page.history[comment.id]] == [Action.HOLD, Action.APPROVE]


def test_search_finds_text_name_or_email_of_any_status(session, new_comment):
    site = new_comment(body="About the tram line.").site_id
    new_comment(body="Something else.", author_name="Tram Enthusiast")
    new_comment(body="Nothing.", author_email="bob@tram.example")
    new_comment(body="Unrelated.")
    page = list_queue(session, QueueQuery(site_ids=[site], view="all", search="tram"))
    assert len(page.comments) == 3


def test_cards_know_parents_and_authors_records(session, new_comment, approve, count_queries):
    root = new_comment(body="The first word.", author_name="Ann")
    approve(root)
    reply = new_comment(body="An answer.", parent_id=root.id, author_name="Ann")
    page = load_comments(session, [reply.id])
    with count_queries() as queries:
        context = load_context(session, page.comments)
    assert len(queries) == 2
    assert context.parents[root.id].author_name == "Ann"
    record = context.author_of(page.comments[0])
    assert (record.approved, record.total) == (1, 2)
