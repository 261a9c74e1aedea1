"""Our own format: a site exported, imported onto an empty site and exported again is the same
site (but for the ids, and the import's own log entries)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, update

from moderation.importers import jsonl
from moderation.importers.records import ImportFileError
from moderation.importers.writer import import_records
from moderation.models import Action, Comment, Site


def _site(session, slug: str) -> Site:
    found = session.scalar(select(Site).where(Site.slug == slug))
    assert found is not None
    return found


def _canonical(lines: list[str]) -> list[dict[str, Any]]:
    """The export with each id replaced by the order it first appears in, and without the log
    entries an import adds of itself."""
    labels: dict[tuple[str, str], int] = {}

    def label(kind: str, value: str | None) -> int | None:
        return None if value is None else labels.setdefault((kind, value), len(labels))

    out = []
    for line in lines:
        record = json.loads(line)
        if record["type"] == "decision" and record["actor"] == "system:import":
            continue
        if record["type"] == "article":
            record["id"] = label("article", record["id"])
        elif record["type"] == "comment":
            record["id"] = label("comment", record["id"])
            record["article"] = label("article", record["article"])
            record["parent"] = label("comment", record["parent"])
        else:
            record["comment"] = label("comment", record["comment"])
        out.append(record)
    return out


def test_export_then_import_onto_an_empty_site_loses_nothing(
    session, new_comment, approve, make_site, tmp_path
):
    make_site("other")
    first = new_comment(body="First!\n\nWith *two* paragraphs and https://link.example/")
    approve(first)
    reply = new_comment(body="A reply", parent_id=first.id, author_email="bo@example.org")
    approve(reply)
    answer = new_comment(body="Reply to the reply", parent_id=reply.id, author_name="Cy")
    approve(answer, action=Action.FEATURE)
    spam = new_comment(body="Buy now", article="/2026/11/other")
    approve(spam, action=Action.SPAM)
    new_comment(body="Still waiting <b>bold</b>", article="/2026/11/other")
    session.execute(
        update(Comment).where(Comment.id == reply.id).values(staff=True, badges=["editor"])
    )
    session.execute(update(Comment).where(Comment.id == first.id).values(reactions=7))
    session.commit()

    exported = list(jsonl.export(session, _site(session, "news")))
    path = tmp_path / "news.jsonl"
    path.write_text("\n".join(exported) + "\n")
    summary = import_records(
        session, _site(session, "other"), jsonl.read(path), source="jsonl", secret_key="k"
    )
    session.commit()
    assert summary.comments == 5 and summary.decisions > 0
    again = list(jsonl.export(session, _site(session, "other")))
    assert _canonical(again) == _canonical(exported)
    comments = [json.loads(line) for line in again if '"type":"comment"' in line.replace(" ", "")]
    assert {c["reactions"] for c in comments} == {0, 7}
    assert any(c["held_because"] for c in comments)  # the rules' reasons came along
    kinds = [json.loads(line)["type"] for line in exported]
    assert kinds.count("article") == 2 and kinds.count("comment") == 5

    # Imported twice, the log is not copied twice either.
    twice = import_records(
        session, _site(session, "other"), jsonl.read(path), source="jsonl", secret_key="k"
    )
    assert (twice.comments, twice.decisions, twice.skipped) == (0, 0, 5)


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "Expecting"),
        ('{"type": "comment", "id": "1"}', "missing field"),
        ('{"type": "thing"}', "unknown type"),
        ('{"type": "article", "id": "1", "key": "k", "created_at": "2020-01-01T00:00"}', "zone"),
    ],
)
def test_a_broken_line_names_its_number(tmp_path, line, reason):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"type": "article", "id": "1", "key": "k", "url": null}\n' + line + "\n")
    with pytest.raises(ImportFileError, match=reason) as raised:
        list(jsonl.read(path))
    assert raised.value.line == 2
