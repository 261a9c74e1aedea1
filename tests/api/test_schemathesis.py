"""Schemathesis (PyPI) against the generated document, on a real ``moderation serve``, on both
databases: every operation, every check (server errors, status codes, content types, headers,
response schemas, valid data accepted, invalid data refused, methods, auth, links), 0 failures.

A site with an allowed origin, a moderation token and some comments in every state are seeded, so
that generated requests reach what they name: the site's slug and the seeded ids are offered to
the generator (as dictionaries: a negative case still gets an invalid slug or id), and the rules
endpoint works on a site of its own, so that the rules it sets (a minimum length, say) cannot make
another operation's valid submission invalid halfway through the run. The one thing a JSON Schema
cannot say (a ban ends in the future) is the hook of ``schemathesis_hooks.py``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import jwt
import pytest

from moderation import admin, create_app
from moderation.comments.decide import decide
from moderation.comments.readers import rotate_secret
from moderation.comments.submit import NewComment, submit
from moderation.db import db
from moderation.migrate import upgrade_database
from moderation.models import Action

from ..conftest import postgres_schema
from ..pages import service_processes

ROOT = Path(__file__).resolve().parents[2]
ORIGIN = "https://news.example"


def _seed(database_url: str, instance: Path) -> dict[str, object]:
    """A site to test, a site for the rules endpoint, tokens and comments; what was made."""
    app = create_app(
        {"database_url": database_url, "instance_path": str(instance), "secret_key": "st"}
    )
    upgrade_database(app)
    policy = app.extensions["screening_policy"]
    with app.app_context():
        session = db.session()
        admin.create_site(session, "news", [ORIGIN], mode="post")
        admin.create_site(session, "rules", ["https://rules.example"])
        _record, token = admin.create_token(session, "news", "schemathesis")
        _record, rules_token = admin.create_token(session, "rules", "schemathesis")
        session.commit()
        ids = []
        for n in range(6):
            new = NewComment(body=f"A seeded comment, number {n}.", author_name=f"Reader {n}")
            ids.append(
                submit(
                    session, site_slug="news", article_key="/seeded", new=new, policy=policy
                ).comment.id
            )
            session.commit()
        decide(session, site_id=None, comment_ids=ids[:3], action=Action.APPROVE, actor="seed")
        decide(session, site_id=None, comment_ids=ids[3:4], action=Action.REJECT, actor="seed")
        [site] = admin.get_sites(session, ["news"])
        secret = rotate_secret(session, site)
        session.commit()
        db.engine.dispose()
    # A signed-in reader for the operations that need one; a day long, whatever the run's pace.
    now = int(time.time())
    claims = {"sub": "st-reader", "name": "Sam", "iat": now, "exp": now + 86400, "jti": "st"}
    reader = jwt.encode(claims, secret, algorithm="HS256")
    return {"token": token, "rules_token": rules_token, "ids": ids, "reader": reader}


def _config(seeded: dict[str, object]) -> str:
    ids = ", ".join(str(i) for i in seeded["ids"])  # type: ignore[attr-defined]
    return f"""
hooks = "tests.api.schemathesis_hooks"

[headers]
Authorization = "Bearer {seeded["token"]}"

[dictionaries.sites]
values = ["news"]
[dictionaries.comments]
values = [{ids}]

[parameters]
"path.site" = {{ dictionary = "sites", probability = 0.95 }}
"path.comment_id" = {{ dictionary = "comments", probability = 0.8 }}
"body.ids[*]" = {{ dictionary = "comments", probability = 0.8 }}

[[operations]]
include-operation-id = "getReader"
headers = {{ "X-Reader-Token" = "{seeded["reader"]}" }}

[[operations]]
include-operation-id = "signOut"
headers = {{ "X-Reader-Token" = "{seeded["reader"]}" }}

[[operations]]
include-operation-id = "updateRules"
parameters = {{ "path.site" = "rules" }}
headers = {{ Authorization = "Bearer {seeded["rules_token"]}" }}
"""


#: Live updates stay open as long as the client listens, which a generated request never stops
#: doing: they are tested by tests/api/test_live.py and tests/live/test_serving.py.
STREAMS = ("streamThread", "streamQueue")


@pytest.fixture(params=["sqlite", "postgresql"])
def seeded_database(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'st.sqlite3'}"
        return
    with postgres_schema("st") as url:
        yield url


def test_schemathesis_finds_nothing(seeded_database, tmp_path):
    instance = tmp_path / "instance"
    seeded = _seed(seeded_database, instance)
    config = tmp_path / "schemathesis.toml"
    config.write_text(_config(seeded))
    env = {
        "MODERATION_DATABASE_URL": seeded_database,
        "MODERATION_INSTANCE_PATH": str(instance),
        "MODERATION_SECRET_KEY": "st",
        "MODERATION_RATE_LIMITS": "false",
        "MODERATION_MIN_FORM_SECONDS": "0",
    }
    with service_processes(env) as [port]:
        operations = _operations(port)
        run = subprocess.run(
            [
                str(Path(sys.executable).parent / "st"), "--config-file", str(config), "run",
                f"http://127.0.0.1:{port}/api/v1/openapi.json",
                "--checks", "all", "--generation-database", "none", "--max-failures", "20",
                "--no-color",
                *(arg for op in STREAMS for arg in ("--exclude-operation-id", op)),
            ],
            cwd=tmp_path,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=600,
        )  # fmt: skip
    summary = run.stdout[-8000:] + run.stderr[-2000:]
    assert run.returncode == 0, summary
    # Every operation but the one that serves the document schemathesis reads, and the streams.
    tested = operations - 1 - len(STREAMS)
    assert f"Selected: {tested}/{operations - 1}" in run.stdout, summary
    assert f"Tested: {tested}" in run.stdout, summary


def _operations(port: int) -> int:
    """How many operations the document of the running service has."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/openapi.json") as response:
        document = json.load(response)
    return sum(len(item) for item in document["paths"].values())
