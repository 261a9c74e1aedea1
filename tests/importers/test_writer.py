"""The import writer, called with hand-built records: threads, idempotence, sanitizing, keys,
and all-or-nothing."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation.importers import replies, writer
from moderation.importers.keys import by_url, from_mapping
from moderation.importers.records import (
    ImportedArticle,
    ImportedComment,
    ImportFileError,
    Record,
)
from moderation.models import Article, Comment, Decision, Event, ImportKey, Site, Status
from moderation.sanitize import sanitize_comment

T0 = datetime(2019, 5, 1, 12, 0, tzinfo=UTC)


def article(source_id: str = "t1", url: str = "https://news.example/2019/story?x=1", **kw: Any):
    return ImportedArticle(source_id=source_id, url=url, title=kw.pop("title", "A story"), **kw)


def comment(source_id: str, parent: str | None = None, **kw: Any) -> ImportedComment:
    values: dict[str, Any] = {
        "article_id": "t1",
        "author_name": "Ann",
        "author_email": "ann@example.org",
        "html": f"<p>Comment {source_id}</p>",
        "created_at": T0 + timedelta(minutes=int(source_id.strip("c") or 0)),
        "status": "approved",
    }
    values.update(kw)
    return ImportedComment(source_id=source_id, parent_id=parent, **values)


def run(session: Session, records: list[Record] | Iterator[Record], **kw: Any):
    site = session.scalar(select(Site).where(Site.slug == "news"))
    assert site is not None
    kw.setdefault("source", "disqus")
    summary = writer.import_records(session, site, records, secret_key="test-secret", **kw)
    session.commit()
    return summary


def comments(session: Session) -> dict[str, Comment]:
    """The imported comments by source id."""
    rows = session.execute(
        select(ImportKey.source_id, Comment)
        .join(Comment, Comment.id == ImportKey.target_id)
        .where(ImportKey.kind == "comment")
    ).all()
    return {source_id: found for source_id, found in rows}


def count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_replies_before_their_parents_are_threaded_with_root_and_depth(session):
    summary = run(
        session,
        [
            comment("c3", parent="c2"),  # a reply to a reply, both further down
            article(),
            comment("c2", parent="c1"),
            comment("c1"),
            comment("c4", parent="c1"),
        ],
    )
    assert summary.comments == 4 and summary.orphans == 0
    found = comments(session)
    c1, c2, c3, c4 = (found[k] for k in ("c1", "c2", "c3", "c4"))
    assert (c1.parent_id, c1.root_id, c1.depth) == (None, None, 0)
    assert (c2.parent_id, c2.root_id, c2.depth) == (c1.id, c1.id, 1)
    assert (c3.parent_id, c3.root_id, c3.depth) == (c2.id, c1.id, 2)
    assert (c4.parent_id, c4.root_id, c4.depth) == (c1.id, c1.id, 1)
    assert c3.created_at == T0 + timedelta(minutes=3)  # dates kept
    pending = select(func.count()).where(ImportKey.parent_source_id.is_not(None))
    assert session.scalar(pending) == 0


def test_a_second_run_adds_nothing_and_a_longer_file_only_the_new_comments(session):
    first = [article(), comment("c1"), comment("c2", parent="c1")]
    run(session, first)
    again = run(session, first)
    assert (again.comments, again.skipped, again.articles_existing) == (0, 2, 1)
    more = run(session, [*first, comment("c3", parent="c2"), comment("c4")])
    assert (more.comments, more.skipped) == (2, 2)
    assert count(session, Comment) == 4 and count(session, Decision) == 4
    found = comments(session)
    assert (found["c3"].parent_id, found["c3"].root_id) == (found["c2"].id, found["c1"].id)
    assert found["c3"].depth == 2


def test_hostile_html_comes_out_as_a_submission_would_store_it(session):
    hostile = (
        '<p>Hi<script>alert(1)</script> <img src=x onerror="alert(2)">'
        ' <a href="javascript:alert(3)">click</a> <a href="https://ok.example/">ok</a></p>'
    )
    run(session, [article(), comment("c1", html=hostile)])
    stored = comments(session)["c1"]
    assert stored.html == sanitize_comment(hostile)
    assert stored.body_text == hostile  # what was written, as a submission keeps the typed text
    # What is not allowed is escaped, shown as text: no tag of it is left, nor any attribute.
    tags = " ".join(re.findall(r"<[^>]*>", stored.html))
    for bad in ("<script", "<img", "onerror", "javascript:"):
        assert bad not in tags
    assert 'href="https://ok.example/" rel="nofollow ugc noopener"' in stored.html


def test_statuses_counts_log_and_versions_move_once_without_outbox_events(session):
    site = session.scalar(select(Site).where(Site.slug == "news"))
    queue_before = site.queue_version
    statuses = ["approved", "pending", "spam", "deleted", "rejected", "published"]
    records: list[Record] = [article()]
    records += [comment(f"c{i}", status=s) for i, s in enumerate(statuses, start=1)]
    summary = run(session, records)
    assert summary.by_status == {s: 1 for s in statuses}
    found = comments(session)
    assert [found[f"c{i}"].status for i in range(1, 7)] == [Status(s) for s in statuses]
    story = session.scalar(select(Article).where(Article.key == "/2019/story"))
    session.refresh(story)
    assert (story.public_count, story.version, story.title) == (2, 2, "A story")
    session.refresh(site)
    assert site.queue_version == queue_before + 1
    log = session.scalars(select(Decision).order_by(Decision.id)).all()
    assert [d.actor for d in log] == ["system:import"] * 6
    assert [d.to_status for d in log] == [Status(s) for s in statuses]
    assert count(session, Event) == 0
    assert len({c.edit_token_hash for c in found.values()}) == 6


def test_the_same_guest_has_one_author_key_and_no_submission_can_borrow_it(session):
    run(
        session,
        [
            article(),
            comment("c1", author_email="Ann@Example.org"),
            comment("c2", author_email="ann@example.org"),
            comment("c3", author_email=None, author_name="Bob"),
        ],
    )
    found = comments(session)
    assert found["c1"].author_key == found["c2"].author_key != found["c3"].author_key


def test_a_comment_on_an_article_that_never_appears_rolls_everything_back(session):
    with pytest.raises(ImportFileError) as raised:
        run(session, [article(), comment("c1"), comment("c2", article_id="nowhere", line=7)])
    assert raised.value.line == 7 and "nowhere" in str(raised.value)
    assert count(session, Comment) == 0 and count(session, Article) == 0
    assert count(session, ImportKey) == 0


def test_a_broken_file_mid_stream_leaves_the_database_as_it_was(session, monkeypatch):
    run(session, [article(), comment("c1")])
    monkeypatch.setattr(writer, "BATCH", 3)  # batches written before the break

    def broken() -> Iterator[Record]:
        yield article("t2", url="https://news.example/other")
        for i in range(2, 12):
            yield comment(f"c{i}", article_id="t2")
        raise ImportFileError("not well-formed", line=42)

    with pytest.raises(ImportFileError, match="line 42"):
        run(session, broken())
    assert count(session, Comment) == 1 and count(session, Article) == 1
    assert count(session, Decision) == 1 and count(session, ImportKey) == 2


def test_dry_run_reports_and_writes_nothing(session):
    summary = run(
        session,
        [article(), comment("c1"), comment("c2", status="spam"), comment("c1")],
        dry_run=True,
    )
    assert summary.dry_run and (summary.articles_new, summary.skipped) == (1, 1)
    assert summary.by_status == {"approved": 1, "spam": 1}
    assert count(session, Comment) == 0 and count(session, Article) == 0


def test_a_reply_whose_parent_never_appears_becomes_top_level_with_a_warning(session):
    summary = run(session, [article(), comment("c1", parent="c99")])
    assert summary.orphans == 1 and "c1" in summary.warnings[0]
    assert (comments(session)["c1"].parent_id, comments(session)["c1"].depth) == (None, 0)


def test_replies_in_a_ring_are_refused(session):
    with pytest.raises(ImportFileError, match="ring"):
        run(session, [article(), comment("c1", parent="c2"), comment("c2", parent="c1")])
    assert count(session, Comment) == 0


def test_keys_by_path_by_url_by_mapping_and_existing_articles_are_reused(session, tmp_path):
    session.add(Article(site_id=1, key="/2019/story", title="Ours"))
    session.commit()
    summary = run(session, [article(), comment("c1")])
    assert (summary.articles_new, summary.articles_existing) == (0, 1)
    assert session.scalar(select(Article.title).where(Article.key == "/2019/story")) == "Ours"

    url = "https://news.example/p?id=7"
    run(session, [article("u1", url=url), comment("c5", article_id="u1")], key_rule=by_url)
    assert session.scalar(select(Article.id).where(Article.key == url))

    mapping = tmp_path / "keys.csv"
    with mapping.open("w", newline="") as file:
        csv.writer(file).writerows([["url", "key"], ["https://old.example/a", "story-a"]])
    rule = from_mapping(mapping)
    run(session, [article("m1", url="https://old.example/a")], key_rule=rule, source="isso")
    assert session.scalar(select(Article.id).where(Article.key == "story-a"))
    with pytest.raises(ImportFileError, match="no key"):
        run(session, [article("m2", url="https://old.example/b")], key_rule=rule, source="isso")


def test_an_articles_own_key_is_used_as_is(session):
    run(session, [article(key="my-key"), comment("c1")], source="jsonl")
    assert session.scalar(select(Article.id).where(Article.key == "my-key"))


def test_a_chain_of_replies_in_reverse_order_across_batches_is_placed(session, monkeypatch):
    monkeypatch.setattr(writer, "BATCH", 2)
    monkeypatch.setattr(replies, "BATCH", 2)
    chain = [comment(f"c{i}", parent=f"c{i - 1}") for i in range(6, 1, -1)]
    run(session, [article(), *chain, comment("c1")])
    found = comments(session)
    assert [found[f"c{i}"].depth for i in range(1, 7)] == [0, 1, 2, 3, 4, 5]
    assert {found[f"c{i}"].root_id for i in range(2, 7)} == {found["c1"].id}
    assert [found[f"c{i}"].parent_id for i in range(2, 7)] == [
        found[f"c{i}"].id for i in range(1, 6)
    ]
