"""Reading Isso's SQLite database: threads, comments, modes, Markdown, broken databases."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from moderation.importers import isso
from moderation.importers.records import ImportedArticle, ImportedComment, ImportFileError
from tests.importers.exports import (
    HOSTILE_EMAIL,
    HOSTILE_NAME,
    HOSTILE_TITLE,
    HOSTILE_URL,
    IssoComment,
    IssoThread,
    isso_database,
)


def comments(records: list) -> dict[str, ImportedComment]:
    return {r.source_id: r for r in records if isinstance(r, ImportedComment)}


def test_threads_then_comments_with_parents(tmp_path):
    path = isso_database(
        tmp_path,
        [IssoThread(1, uri="/a/", title="A"), IssoThread(2, uri="/b/", title=None)],
        [IssoComment(1, 1, parent=2), IssoComment(2, 1), IssoComment(3, 2)],  # reply first
    )
    records = list(isso.read(path))
    assert records[:2] == [
        ImportedArticle(source_id="1", url="/a/", title="A"),
        ImportedArticle(source_id="2", url="/b/", title=None),
    ]
    found = comments(records)
    assert (found["1"].parent_id, found["1"].article_id) == ("2", "1")
    assert (found["2"].parent_id, found["3"].article_id) == (None, "2")


def test_times_are_utc_and_modified_is_the_edit(tmp_path):
    path = isso_database(tmp_path, [IssoThread(1)], [IssoComment(1, 1, modified=1577934306.0 + 60)])
    _article, comment = isso.read(path)
    assert comment.created_at == datetime(2020, 1, 2, 3, 5, 6, tzinfo=UTC)
    assert comment.edited_at == datetime(2020, 1, 2, 3, 6, 6, tzinfo=UTC)


@pytest.mark.parametrize(
    ("mode", "status"), [(1, "approved"), (2, "pending"), (4, "deleted"), (9, "pending")]
)
def test_modes_map_onto_statuses(tmp_path, mode, status):
    path = isso_database(tmp_path, [IssoThread(1)], [IssoComment(1, 1, mode=mode)])
    _article, comment = isso.read(path)
    assert comment.status == status


def test_markdown_is_rendered_without_raw_html(tmp_path):
    path = isso_database(
        tmp_path,
        [IssoThread(1)],
        [
            IssoComment(1, 1, text="Hello *world*\nnext ~~line~~"),
            IssoComment(
                2,
                1,
                text="<script>alert(1)</script> <img src=x onerror=alert(1)>\n\n"
                "[x](javascript:alert(1))",
            ),
        ],
    )
    found = comments(list(isso.read(path)))
    assert found["1"].html == "<p>Hello <em>world</em><br />\nnext <s>line</s></p>\n"
    hostile = found["2"].html
    assert "<script>" not in hostile and "<img" not in hostile
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in hostile
    assert 'href="javascript:' not in hostile


def test_authors_with_and_without_email(tmp_path):
    path = isso_database(
        tmp_path,
        [IssoThread(1, uri=HOSTILE_URL, title=HOSTILE_TITLE)],
        [
            IssoComment(1, 1, author=HOSTILE_NAME, email=HOSTILE_EMAIL, website=HOSTILE_URL),
            IssoComment(2, 1, author=None, email=None),
        ],
    )
    article, hostile, anonymous = isso.read(path)
    assert (article.url, article.title) == (HOSTILE_URL, HOSTILE_TITLE)
    assert (hostile.author_name, hostile.author_email, hostile.author_url) == (
        HOSTILE_NAME,
        HOSTILE_EMAIL,
        HOSTILE_URL,
    )
    assert (anonymous.author_name, anonymous.author_email) == ("", None)


def test_database_is_opened_read_only(tmp_path):
    path = isso_database(tmp_path, [IssoThread(1)], [IssoComment(1, 1)])
    before = path.read_bytes()
    list(isso.read(path))
    assert path.read_bytes() == before
    assert not (tmp_path / "comments.db-journal").exists()


def test_comment_without_thread_is_refused(tmp_path):
    path = isso_database(tmp_path, [IssoThread(1)], [IssoComment(7, None)])
    with pytest.raises(ImportFileError, match="comment 7 has no thread"):
        list(isso.read(path))


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "comments.db"
    path.write_text("<disqus/>")
    with pytest.raises(ImportFileError, match="not an Isso database"):
        list(isso.read(path))


def test_a_database_without_isso_tables_is_refused(tmp_path):
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE t (x)")
    connection.close()
    with pytest.raises(ImportFileError, match="not an Isso database"):
        list(isso.read(path))


def test_a_missing_file_is_refused_not_created(tmp_path):
    with pytest.raises(ImportFileError, match="no Isso database"):
        list(isso.read(tmp_path / "missing.db"))
    assert not (tmp_path / "missing.db").exists()
