"""Fixtures: an app over a throw-away database (SQLite, and PostgreSQL when TEST_DATABASE_URL is
set), a client, and one-line builders for sites, tokens and comments.

Every test that uses ``app`` runs once per database. With ``MODERATION_TEST_STRICT=1`` (set by
.ci/run) a PostgreSQL or browser test that cannot run fails instead of being skipped.
"""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from moderation import create_app
from moderation.api.limit_store import store_path
from moderation.config import normalise_database_url
from moderation.db import db
from moderation.identity import new_token, token_hash
from moderation.models import ApiToken, ModerationMode, Site

from .contract import ContractClient

# The core's one-line builders (session, policy, new_comment, approve), for every test folder.
pytest_plugins = ["tests.core_fixtures"]

STRICT = os.environ.get("MODERATION_TEST_STRICT") == "1"
CHROMIUM = "/usr/bin/chromium"
PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ORIGIN = "https://news.example"
# Post-moderation without the new-commenter hold: comments are public at once.
PUBLISH_AT_ONCE = {"hold_first_comments": 0}


def skip_or_fail(reason: str) -> None:
    """Skip locally; in CI (strict) a test that cannot run is a failure."""
    if STRICT:
        pytest.fail(f"required test could not run: {reason}")
    pytest.skip(reason)


@contextmanager
def postgres_schema(prefix: str = "t") -> Iterator[str]:
    """A PostgreSQL schema of its own, dropped afterwards; yields the URL that uses it. Tests and
    test processes running at once never meet."""
    if not PG_URL:
        skip_or_fail("TEST_DATABASE_URL is not set")
    base = normalise_database_url(PG_URL)
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    """This test process's PostgreSQL schema, with the models' tables."""
    with postgres_schema() as url:
        engine = create_engine(url)
        with engine.begin() as conn:
            db.metadata.create_all(conn)
        engine.dispose()
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    url = request.getfixturevalue("pg_schema_url")
    engine = create_engine(url)
    with engine.begin() as conn:
        names = ", ".join(t.name for t in db.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


@pytest.fixture
def app_config(database_url: str, tmp_path) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    return {
        "database_url": database_url,
        "instance_path": str(tmp_path / "instance"),
        "secret_key": "test-secret",
        "rate_limits": False,
        # The widget's pace check is tested on its own (tests/test_rules.py).
        "min_form_seconds": 0,
        "TESTING": True,
    }


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    app.test_client_class = ContractClient
    with app.app_context():
        if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    forget_limit_counters(app_config["instance_path"])


def forget_limit_counters(instance_path: str) -> None:
    """Remove an instance's rate-limit counters (a file in /dev/shm that outlives the test)."""
    counters = store_path(instance_path)
    for path in (counters, *(counters.with_name(counters.name + s) for s in ("-wal", "-shm"))):
        path.unlink(missing_ok=True)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def make_site(app: Flask) -> Callable[..., str]:
    def make(
        slug: str = "news",
        origins: tuple[str, ...] = (ORIGIN,),
        mode: str = "pre",
        edit_window_minutes: int = 15,
        rules: dict[str, Any] | None = None,
    ) -> str:
        with app.app_context():
            db.session.add(
                Site(
                    slug=slug,
                    name=slug.title(),
                    origins=list(origins),
                    moderation_mode=ModerationMode(mode),
                    edit_window_minutes=edit_window_minutes,
                    rule_settings=rules or {},
                )
            )
            db.session.commit()
        return slug

    return make


@pytest.fixture
def site(make_site: Callable[..., str]) -> str:
    """A pre-moderated site ``news`` on https://news.example."""
    return make_site()


@pytest.fixture
def make_token(app: Flask) -> Callable[[str], str]:
    def make(slug: str) -> str:
        token = new_token()
        with app.app_context():
            site = db.session.scalar(db.select(Site).where(Site.slug == slug))
            assert site is not None
            db.session.add(ApiToken(site_id=site.id, token_hash=token_hash(token), label="tests"))
            db.session.commit()
        return token

    return make


@pytest.fixture
def token(site: str, make_token: Callable[[str], str]) -> str:
    return make_token(site)


@pytest.fixture
def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def thread_url(site: str, article: str) -> str:
    return f"/api/v1/sites/{site}/articles/{quote(article, safe='')}/comments"


def browser_key(*who: Any) -> str:
    """The ``X-Guest-Key`` of the browser a test's author writes from: one per typed name and
    email, so a test's authors stay apart as its readers' browsers would."""
    return hashlib.sha256(repr(who).encode()).hexdigest()[:32]


@pytest.fixture
def post(client: FlaskClient) -> Callable[..., Any]:
    """Submit a comment through the HTTP API as the widget does (with the form token the thread
    read hands out, and the browser's guest key); returns the response. ``guest_key=None``
    sends none; ``headers`` adds others (``X-Reader-Token``)."""

    def submit(
        article: str = "/2026/11/story",
        body: str = "A thoughtful comment.",
        site: str = "news",
        expect: int | None = 201,
        guest_key: str | bool | None = True,
        headers: dict[str, str] | None = None,
        **fields: Any,
    ) -> Any:
        form_token = client.get(thread_url(site, article)).headers.get("X-Form-Token")
        payload = {"body": body, "author_name": "Ann Reader", "form_token": form_token, **fields}
        if guest_key is True:
            guest_key = browser_key(payload["author_name"], payload.get("author_email"))
        sent = dict(headers or {})
        if guest_key:
            sent["X-Guest-Key"] = str(guest_key)
        response = client.post(thread_url(site, article), json=payload, headers=sent)
        if expect is not None:
            assert response.status_code == expect, response.get_json()
        return response

    return submit


@pytest.fixture
def secret(app: Flask, site: str) -> str:
    """A new SSO secret for the site ``news`` (readers' tokens are signed with it)."""
    from moderation.comments.readers import rotate_secret

    with app.app_context():
        found = db.session.scalar(db.select(Site).where(Site.slug == site))
        assert found is not None
        value = rotate_secret(db.session(), found)
        db.session.commit()
    return value


@pytest.fixture
def sign(secret: str) -> Callable[..., str]:
    """A reader's token, as the publisher's login signs it: ``sign(name=..., role="staff")``;
    ``key`` and ``algorithm`` to sign otherwise, a claim of None to leave it out."""
    import jwt

    def make(key: str | None = None, algorithm: str = "HS256", **claims: Any) -> str:
        now = int(time.time())
        payload = {"sub": "reader-1", "name": "Rhea Reader", "iat": now, "exp": now + 600}
        payload.update(claims)
        payload = {k: v for k, v in payload.items() if v is not None}
        return jwt.encode(payload, key or secret, algorithm=algorithm)

    return make


@pytest.fixture
def decide(client: FlaskClient, auth: dict[str, str]) -> Callable[..., Any]:
    def run(comment_id: int, action: str = "approve", expect: int = 200, **fields: Any) -> Any:
        response = client.post(
            f"/api/v1/comments/{comment_id}/decision",
            json={"action": action, **fields},
            headers=auth,
        )
        assert response.status_code == expect, response.get_json()
        return response

    return run


@pytest.fixture
def count_queries(app: Flask) -> Callable[[], Any]:
    """``with count_queries() as queries:`` records the SQL statements a block runs."""

    @contextmanager
    def counting() -> Iterator[list[str]]:
        statements: list[str] = []

        def record(_conn, _cursor, statement, *_args):  # type: ignore[no-untyped-def]
            if not statement.lstrip().upper().startswith(("BEGIN", "PRAGMA")):
                statements.append(statement)

        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(engine, "before_cursor_execute", record)

    return counting


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, one for the whole run (Playwright's sync API
    allows one per thread); never a downloaded browser build."""
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Debian's Chromium is not installed at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's script for accessibility audits in the browser."""
    from .axe import axe_source as find

    source = find()
    if source is None:
        skip_or_fail("axe-core is not installed (npm install axe-core)")
    assert source is not None
    return source


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """test-artifacts/ (ignored by git): screenshots a person should look at."""
    folder = Path(__file__).resolve().parent.parent / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


@pytest.fixture
def open_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open recorded pages (see tests/pages.py) in fresh browser contexts."""
    from .pages import page_opener

    open_, close = page_opener(browser)
    yield open_
    close()
