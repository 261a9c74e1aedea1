"""Reading Disqus's XML export: threads, posts, statuses, hostile content and broken files."""

from __future__ import annotations

import gc
import sys
import time
from datetime import UTC, datetime

import pytest

from moderation.importers import disqus
from moderation.importers.records import ImportedArticle, ImportedComment, ImportFileError
from tests.importers.exports import (
    BILLION_LAUGHS,
    EXTERNAL_DTD,
    EXTERNAL_ENTITY,
    HOSTILE_EMAIL,
    HOSTILE_HTML,
    HOSTILE_NAME,
    HOSTILE_TITLE,
    HOSTILE_URL,
    DisqusPost,
    DisqusThread,
    big_disqus_export,
    disqus_export,
    hostile_xml,
)


def comments(records: list) -> dict[str, ImportedComment]:
    return {r.source_id: r for r in records if isinstance(r, ImportedComment)}


def test_threads_and_posts_come_in_file_order(tmp_path):
    path = disqus_export(
        tmp_path,
        DisqusPost("reply", "t1", parent="root"),  # a reply before its parent and its thread
        DisqusThread("t1", link="https://news.example/a", title="A", closed=True),
        DisqusPost("root", "t1"),
    )
    records = list(disqus.read(path))
    assert [type(r).__name__ for r in records] == [
        "ImportedComment",
        "ImportedArticle",
        "ImportedComment",
    ]
    reply, article, root = records
    assert article == ImportedArticle(
        source_id="t1",
        url="https://news.example/a",
        title="A",
        closed=True,
        created_at=datetime(2020, 1, 2, 3, 4, 5, tzinfo=UTC),
    )
    assert (reply.parent_id, reply.article_id, root.parent_id) == ("root", "t1", None)
    assert reply.created_at == datetime(2020, 1, 2, 4, 5, 6, tzinfo=UTC)
    assert reply.line == 4 and root.line > article_line(path)


def article_line(path) -> int:
    return next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if "<thread dsq:id" in text
    )


def test_dates_with_offsets_are_moved_to_utc(tmp_path):
    path = disqus_export(tmp_path, DisqusPost("p", "t", created="2020-01-02T05:05:06+01:00"))
    (post,) = disqus.read(path)
    assert post.created_at == datetime(2020, 1, 2, 4, 5, 6, tzinfo=UTC)
    assert post.created_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("flags", "status"),
    [
        ({}, "approved"),
        ({"deleted": True}, "deleted"),
        ({"spam": True}, "spam"),
        ({"spam": True, "deleted": True}, "spam"),
    ],
)
def test_flags_map_onto_statuses(tmp_path, flags, status):
    (post,) = disqus.read(disqus_export(tmp_path, DisqusPost("p", "t", **flags)))
    assert post.status == status


def test_deleted_thread_is_a_closed_article(tmp_path):
    (article,) = disqus.read(disqus_export(tmp_path, DisqusThread("t", deleted=True)))
    assert article.closed


def test_authors_with_and_without_email(tmp_path):
    path = disqus_export(
        tmp_path,
        DisqusPost("a", "t"),
        DisqusPost("b", "t", email=None, anonymous=True, username=None, name="Guest"),
        DisqusPost("c", "t", name=None, email=None, username="only_username"),
    )
    found = comments(list(disqus.read(path)))
    assert (found["a"].author_name, found["a"].author_email) == ("Ann", "ann@example.com")
    assert (found["b"].author_name, found["b"].author_email) == ("Guest", None)
    assert found["c"].author_name == "only_username"


def test_hostile_content_is_read_back_verbatim(tmp_path):
    path = disqus_export(
        tmp_path,
        DisqusThread("t", link=HOSTILE_URL, title=HOSTILE_TITLE),
        DisqusPost("p", "t", message=HOSTILE_HTML + "]]>", name=HOSTILE_NAME, email=HOSTILE_EMAIL),
    )
    article, post = disqus.read(path)
    assert (article.url, article.title) == (HOSTILE_URL, HOSTILE_TITLE)
    assert post.html == HOSTILE_HTML + "]]>"
    assert (post.author_name, post.author_email) == (HOSTILE_NAME, HOSTILE_EMAIL)


def test_truncated_export_names_the_line(tmp_path):
    path = disqus_export(tmp_path, DisqusThread("t"), DisqusPost("p", "t"))
    text = path.read_text()
    path.write_text(text[: text.index("<isSpam>") + 4])  # cut inside a tag
    with pytest.raises(ImportFileError) as error:
        list(disqus.read(path))
    assert error.value.line == len(path.read_text().splitlines())


def test_malformed_export_names_the_line(tmp_path):
    path = disqus_export(tmp_path, DisqusThread("t"), DisqusPost("p", "t", name="A&B"))
    path.write_text(path.read_text().replace("A&amp;B", "A & B"))
    with pytest.raises(ImportFileError) as error:
        list(disqus.read(path))
    assert "A & B" in path.read_text().splitlines()[error.value.line - 1]


@pytest.mark.parametrize("template", [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD])
def test_entities_and_external_references_are_refused_fast(tmp_path, template):
    path = hostile_xml(tmp_path, template, "disqus")
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as error:
        list(disqus.read(path))
    assert time.perf_counter() - started < 0.5
    assert error.value.line is not None
    assert "entity" in error.value.reason or "external" in error.value.reason


def test_another_format_is_refused(tmp_path):
    path = tmp_path / "other.xml"
    path.write_text('<?xml version="1.0"?>\n<rss version="2.0"><channel/></rss>\n')
    with pytest.raises(ImportFileError, match="not a Disqus export"):
        list(disqus.read(path))


@pytest.mark.parametrize(
    ("post", "message"),
    [
        (DisqusPost(None, "t"), "no dsq:id"),
        (DisqusPost("p", None), "no <thread"),
        (DisqusPost("p", "t", created=None), "no <createdAt>"),
        (DisqusPost("p", "t", created="yesterday"), "not a date"),
    ],
)
def test_post_missing_a_required_field_names_its_line(tmp_path, post, message):
    path = disqus_export(tmp_path, DisqusThread("t"), post)
    with pytest.raises(ImportFileError, match=message) as error:
        list(disqus.read(path))
    assert path.read_text().splitlines()[error.value.line - 1].startswith("<post")


def test_thread_without_id_is_refused(tmp_path):
    path = disqus_export(tmp_path, DisqusThread(""))
    with pytest.raises(ImportFileError, match="no dsq:id"):
        list(disqus.read(path))


def test_large_export_reads_in_constant_memory(tmp_path):
    """50,000 posts: the memory in use stays flat (reading the whole tree in would take over
    a million blocks more)."""
    path = big_disqus_export(tmp_path, 50_000)
    gc.collect()
    baseline = sys.getallocatedblocks()
    peak = count = 0
    for count, _record in enumerate(disqus.read(path), 1):
        if count % 1000 == 0:
            peak = max(peak, sys.getallocatedblocks() - baseline)
    assert count == 50_001
    assert peak < 50_000
