"""Reading WordPress's WXR export: posts, comments, statuses, hostile content, broken files."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from moderation.importers import wordpress
from moderation.importers.records import ImportedArticle, ImportedComment, ImportFileError
from tests.importers.exports import (
    BILLION_LAUGHS,
    EXTERNAL_ENTITY,
    HOSTILE_EMAIL,
    HOSTILE_HTML,
    HOSTILE_NAME,
    HOSTILE_TITLE,
    HOSTILE_URL,
    WpComment,
    WpItem,
    hostile_xml,
    wordpress_export,
)


def comments(records: list) -> dict[str, ImportedComment]:
    return {r.source_id: r for r in records if isinstance(r, ImportedComment)}


def test_comments_come_before_their_post_article(tmp_path):
    path = wordpress_export(
        tmp_path,
        WpItem(
            "7",
            link="https://blog.example/?p=7",
            comment_status="closed",
            comments=[WpComment("12", parent="11"), WpComment("11")],  # reply first
        ),
    )
    reply, parent, article = wordpress.read(path)
    assert article == ImportedArticle(
        source_id="7",
        url="https://blog.example/?p=7",
        title="A post",
        closed=True,
        created_at=datetime(2020, 1, 1, 10, tzinfo=UTC),
    )
    assert (reply.source_id, reply.parent_id, reply.article_id) == ("12", "11", "7")
    assert parent.parent_id is None
    assert reply.created_at == datetime(2020, 1, 2, 4, 5, 6, tzinfo=UTC)
    lines = path.read_text().splitlines()
    assert lines[reply.line - 1] == "<wp:comment>" and reply.line < parent.line


@pytest.mark.parametrize("version", ["1.0", "1.1", "1.2"])
def test_every_wxr_version_is_read(tmp_path, version):
    path = wordpress_export(tmp_path, WpItem("1", comments=[WpComment("1")]), version=version)
    assert [type(r).__name__ for r in wordpress.read(path)] == [
        "ImportedComment",
        "ImportedArticle",
    ]


@pytest.mark.parametrize(
    ("approved", "status"),
    [
        ("1", "approved"),
        ("0", "pending"),
        ("spam", "spam"),
        ("trash", "deleted"),
        ("post-trashed", "deleted"),
    ],
)
def test_comment_approved_maps_onto_statuses(tmp_path, approved, status):
    path = wordpress_export(tmp_path, WpItem("1", comments=[WpComment("1", approved=approved)]))
    comment, _article = wordpress.read(path)
    assert comment.status == status


def test_pingbacks_and_trackbacks_are_skipped(tmp_path):
    path = wordpress_export(
        tmp_path,
        WpItem(
            "1",
            comments=[
                WpComment("1", type="pingback"),
                WpComment("2", type="trackback"),
                WpComment("3", type="comment"),
                WpComment("4"),
            ],
        ),
    )
    assert sorted(comments(list(wordpress.read(path)))) == ["3", "4"]


def test_attachments_without_comments_are_not_articles(tmp_path):
    path = wordpress_export(
        tmp_path,
        WpItem("1", post_type="attachment"),
        WpItem("2", post_type="page"),
        WpItem("3", post_type="product", comments=[WpComment("9")]),
    )
    articles = [r.source_id for r in wordpress.read(path) if isinstance(r, ImportedArticle)]
    assert articles == ["2", "3"]


def test_authors_with_and_without_email_and_url(tmp_path):
    path = wordpress_export(
        tmp_path,
        WpItem("1", comments=[WpComment("1"), WpComment("2", email="", url="", author="Guest")]),
    )
    found = comments(list(wordpress.read(path)))
    assert (found["1"].author_email, found["1"].author_url) == (
        "ann@example.com",
        "https://ann.example",
    )
    assert (found["2"].author_name, found["2"].author_email, found["2"].author_url) == (
        "Guest",
        None,
        None,
    )


def test_zero_gmt_date_falls_back_to_the_local_date(tmp_path):
    path = wordpress_export(
        tmp_path,
        WpItem(
            "1",
            date_gmt="0000-00-00 00:00:00",
            comments=[WpComment("1", date_gmt="0000-00-00 00:00:00", date="2020-03-04 05:06:07")],
        ),
    )
    comment, article = wordpress.read(path)
    assert article.created_at is None
    assert comment.created_at == datetime(2020, 3, 4, 5, 6, 7, tzinfo=UTC)


def test_hostile_content_is_read_back_verbatim(tmp_path):
    path = wordpress_export(
        tmp_path,
        WpItem(
            "1",
            title=HOSTILE_TITLE,
            link=HOSTILE_URL,
            comments=[
                WpComment(
                    "1",
                    content=HOSTILE_HTML,
                    author=HOSTILE_NAME,
                    email=HOSTILE_EMAIL,
                    url=HOSTILE_URL,
                )
            ],
        ),
    )
    comment, article = wordpress.read(path)
    assert (article.title, article.url) == (HOSTILE_TITLE, HOSTILE_URL)
    assert (comment.html, comment.author_name) == (HOSTILE_HTML, HOSTILE_NAME)
    assert (comment.author_email, comment.author_url) == (HOSTILE_EMAIL, HOSTILE_URL)


def test_truncated_export_names_the_line(tmp_path):
    path = wordpress_export(tmp_path, WpItem("1", comments=[WpComment("1"), WpComment("2")]))
    text = path.read_text()
    path.write_text(text[: text.rindex("<wp:comment_content>") + 6])
    with pytest.raises(ImportFileError) as error:
        list(wordpress.read(path))
    assert error.value.line == len(path.read_text().splitlines())


@pytest.mark.parametrize("template", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entities_are_refused_fast(tmp_path, template):
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="entity"):
        list(wordpress.read(hostile_xml(tmp_path, template, "rss")))
    assert time.perf_counter() - started < 0.5


def test_item_without_post_id_is_refused(tmp_path):
    path = wordpress_export(tmp_path, WpItem(None))
    with pytest.raises(ImportFileError, match="no <wp:post_id>") as error:
        list(wordpress.read(path))
    assert path.read_text().splitlines()[error.value.line - 1] == "<item>"


def test_comment_without_id_names_its_line(tmp_path):
    path = wordpress_export(tmp_path, WpItem("1", comments=[WpComment(None)]))
    with pytest.raises(ImportFileError, match="no <wp:comment_id>") as error:
        list(wordpress.read(path))
    assert path.read_text().splitlines()[error.value.line - 1] == "<wp:comment>"


def test_comment_before_its_post_id_is_refused(tmp_path):
    path = wordpress_export(
        tmp_path, WpItem("1", comments=[WpComment("1")], post_id_after_comments=True)
    )
    with pytest.raises(ImportFileError, match="before its item"):
        list(wordpress.read(path))
