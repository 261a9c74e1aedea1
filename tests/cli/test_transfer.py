"""``moderation import`` and ``export``, run as an operator would: a site out and into another,
a dry run, a broken file."""

from __future__ import annotations

import json

import pytest

from moderation import create_app

from ..conftest import thread_url
from .test_commands import env, run  # noqa: F401 - the CLI tests' environment and runner

pytestmark = pytest.mark.usefixtures("env")


def _two_sites_one_with_comments() -> None:
    run("init")
    run("site", "create", "news", "--origin", "https://news.example", "--mode", "post")
    run("site", "create", "copy", "--origin", "https://copy.example")
    client = create_app().test_client()
    for i, body in enumerate(["First comment.", "Second <script>x</script> comment."]):
        answer = client.post(
            thread_url("news", "/a"),
            json={"body": body, "author_name": f"Reader {i}"},
            headers={"X-Guest-Key": str(i) * 32},
        )
        assert answer.status_code == 201, answer.get_json()


def test_a_site_exported_imports_onto_another_once(tmp_path):
    _two_sites_one_with_comments()
    exported = run("export", "--site", "news").output
    lines = [json.loads(line) for line in exported.splitlines()]
    assert [r["type"] for r in lines].count("comment") == 2
    path = tmp_path / "news.jsonl"
    path.write_text(exported)

    dry = run("import", "--site", "copy", "--format", "jsonl", str(path), "--dry-run").output
    assert "Dry run, nothing written" in dry and "Would import 2 comments" in dry
    assert run("export", "--site", "copy").output == ""

    done = run("import", "--site", "copy", "--format", "jsonl", str(path)).output
    assert "Imported 2 comments" in done and "1 new" in done
    again = run("import", "--site", "copy", "--format", "jsonl", str(path)).output
    assert "Imported 0 comments" in again and "skipped 2 already imported" in again
    copied = [json.loads(line) for line in run("export", "--site", "copy").output.splitlines()]
    assert [c["html"] for c in copied if c["type"] == "comment"] == [
        c["html"] for c in lines if c["type"] == "comment"
    ]


def test_a_broken_file_names_its_line_and_imports_nothing(tmp_path):
    _two_sites_one_with_comments()
    good = run("export", "--site", "news").output.splitlines()
    path = tmp_path / "broken.jsonl"
    path.write_text("\n".join([*good[:2], '{"type": "comment"', *good[2:]]) + "\n")
    result = run("import", "--site", "copy", "--format", "jsonl", str(path), ok=False)
    assert result.exit_code != 0
    assert "Error: line 3: " in result.output
    assert run("export", "--site", "copy").output == ""
