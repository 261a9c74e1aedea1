"""Reading Remark42's backup: JSON lines, gzip or not, statuses, hostile content, broken files."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from moderation.importers import remark42
from moderation.importers.records import ImportedArticle, ImportedComment, ImportFileError
from tests.importers.exports import (
    HOSTILE_HTML,
    HOSTILE_NAME,
    HOSTILE_TITLE,
    HOSTILE_URL,
    remark42_backup,
    remark42_comment,
)

POST = "https://blog.example/post/"


def comments(records: list) -> dict[str, ImportedComment]:
    return {r.source_id: r for r in records if isinstance(r, ImportedComment)}


@pytest.mark.parametrize("compress", [True, False])
def test_articles_come_before_their_first_comment(tmp_path, compress):
    path = remark42_backup(
        tmp_path,
        [
            remark42_comment("reply", pid="root"),  # a reply before its parent
            remark42_comment("root"),
            remark42_comment("other", "https://blog.example/closed/", title=""),
        ],
        read_only=["https://blog.example/closed/"],
        compress=compress,
    )
    records = list(remark42.read(path))
    assert records[0] == ImportedArticle(source_id=POST, url=POST, title="A post")
    assert records[3] == ImportedArticle(
        source_id="https://blog.example/closed/",
        url="https://blog.example/closed/",
        title=None,
        closed=True,
    )
    found = comments(records)
    assert (found["reply"].parent_id, found["root"].parent_id) == ("root", None)
    assert found["reply"].article_id == POST
    assert (found["reply"].line, found["root"].line) == (2, 3)


def test_times_are_moved_to_utc(tmp_path):
    path = remark42_backup(
        tmp_path, [remark42_comment("c", edit_time="2020-01-02T02:00:00Z")], name="backup.json"
    )
    _article, comment = remark42.read(path)
    assert comment.created_at == datetime(2020, 1, 2, 1, 5, 6, 123456, tzinfo=UTC)
    assert comment.edited_at == datetime(2020, 1, 2, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("flags", "status"),
    [({}, "approved"), ({"delete": True}, "deleted"), ({"block": True}, "rejected")],
)
def test_flags_map_onto_statuses(tmp_path, flags, status):
    path = remark42_backup(tmp_path, [remark42_comment("c", **flags)])
    _article, comment = remark42.read(path)
    assert comment.status == status


def test_users_blocked_in_the_header_are_rejected(tmp_path):
    path = remark42_backup(
        tmp_path,
        [remark42_comment("a", user_id="troll"), remark42_comment("b")],
        blocked=["troll"],
    )
    found = comments(list(remark42.read(path)))
    assert (found["a"].status, found["b"].status) == ("rejected", "approved")


def test_admins_are_staff_and_pins_featured(tmp_path):
    path = remark42_backup(
        tmp_path, [remark42_comment("a", admin=True, pin=True), remark42_comment("b")]
    )
    found = comments(list(remark42.read(path)))
    assert (found["a"].staff, found["a"].featured) == (True, True)
    assert (found["b"].staff, found["b"].featured, found["b"].author_email) == (
        False,
        False,
        None,
    )


def test_hostile_content_is_read_back_verbatim(tmp_path):
    path = remark42_backup(
        tmp_path,
        [
            remark42_comment(
                "c", HOSTILE_URL, text=HOSTILE_HTML, name=HOSTILE_NAME, title=HOSTILE_TITLE
            )
        ],
    )
    article, comment = remark42.read(path)
    assert (article.url, article.title) == (HOSTILE_URL, HOSTILE_TITLE)
    assert (comment.html, comment.author_name) == (HOSTILE_HTML, HOSTILE_NAME)


def test_truncated_backup_names_the_line(tmp_path):
    path = remark42_backup(tmp_path, [remark42_comment("a"), remark42_comment("b")])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 20])
    with pytest.raises(ImportFileError, match="not a JSON line") as error:
        list(remark42.read(path))
    assert error.value.line == 3


def test_truncated_gzip_is_refused(tmp_path):
    path = remark42_backup(
        tmp_path, [remark42_comment(str(n), text=f"<p>{n}</p>") for n in range(50)], compress=True
    )
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImportFileError, match=r"damaged or cut short|not a JSON line"):
        list(remark42.read(path))


def test_a_file_without_the_header_is_refused(tmp_path):
    path = tmp_path / "backup.json"
    path.write_text('{"id": "c", "text": "x"}\n')
    with pytest.raises(ImportFileError, match="not a Remark42 backup") as error:
        list(remark42.read(path))
    assert error.value.line == 1


@pytest.mark.parametrize(
    ("drop", "message"),
    [("id", "no id"), ("locator", "no locator.url"), ("time", "no time")],
)
def test_comment_missing_a_required_field_names_its_line(tmp_path, drop, message):
    broken = remark42_comment("c")
    del broken[drop]
    path = remark42_backup(tmp_path, [remark42_comment("a"), broken])
    with pytest.raises(ImportFileError, match=message) as error:
        list(remark42.read(path))
    assert error.value.line == 3
