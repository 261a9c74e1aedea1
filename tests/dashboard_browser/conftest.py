"""Browser fixtures for the dashboard: one service on a real port for the whole session (each test
builds its own site, moderator and comments in it), one Debian Chromium driven by Playwright (never
a downloaded browser), and pages that record CSP violations and calls of a marker function that
any executed hostile payload would make.

With MODERATION_TEST_STRICT=1 a missing Chromium, Playwright or axe-core fails instead of skipping.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from moderation import admin, create_app
from moderation.comments.decide import decide
from moderation.db import db
from moderation.demo import ARTICLE_KEY as DEMO_ARTICLE
from moderation.models import Action, Comment

from ..pages import Watched, live_server

PASSWORD = "correct horse battery staple"
DEMO_SITE = "demo"


@dataclass
class Newsroom:
    """One site with its moderator, inside the shared service."""

    service: Service
    site: str
    email: str

    def comments(self, count: int, article: str = "/2026/11/story", **fields: Any) -> list[int]:
        return [
            self.service.submit(
                self.site, article, f"Comment {i} on {article} from {self.site}.", **fields
            )
            for i in range(count)
        ]

    def comment(self, body: str, article: str = "/2026/11/story", **fields: Any) -> int:
        return self.service.submit(self.site, article, body, **fields)


@dataclass
class Service:
    """The running service, and ways to set up what a test needs straight in its database."""

    url: str
    app: Flask
    _counter: list[int] = field(default_factory=lambda: [0])

    def newsroom(self, *, is_admin: bool = False, slug: str | None = None) -> Newsroom:
        slug = slug or f"s{uuid.uuid4().hex[:10]}"
        email = f"mod-{slug}@newsroom.example"
        with self.app.app_context():
            if admin.get_sites_or_none(db.session(), slug) is None:
                admin.create_site(
                    db.session(), slug, [self.url, f"https://{slug}.example"], name=slug.title()
                )
            admin.create_moderator(db.session(), email, PASSWORD, [slug], is_admin)
            db.session.commit()
        return Newsroom(self, slug, email)

    def submit(self, site: str, article: str, body: str, **fields: Any) -> int:
        """A comment through the widget API, as a reader's browser sends it."""
        client = self.app.test_client()
        url = f"/api/v1/sites/{site}/articles/{quote(article, safe='')}/comments"
        token = client.get(url).headers["X-Form-Token"]
        payload = {"body": body, "author_name": "Reader", "form_token": token, **fields}
        response = client.post(url, json=payload)
        assert response.status_code == 201, response.get_json()
        return int(response.get_json()["comment"]["id"])

    def statuses(self, ids: list[int]) -> dict[int, str]:
        with self.app.app_context():
            rows = db.session.execute(
                db.select(Comment.id, Comment.status).where(Comment.id.in_(ids))
            )
            return {i: s.value for i, s in rows}

    def decide(self, ids: list[int], action: str, **fields: Any) -> None:
        """A decision made elsewhere (another moderator, an API client)."""
        with self.app.app_context():
            decide(
                db.session(),
                site_id=None,
                comment_ids=ids,
                action=Action(action),
                actor="token:elsewhere",
                **fields,
            )
            db.session.commit()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    folder = tmp_path_factory.mktemp("dashboard-browser")
    app = create_app(
        {
            "database_url": f"sqlite:///{folder / 'dashboard.sqlite3'}",
            "instance_path": str(folder / "instance"),
            "secret_key": "dashboard-browser-tests",
            "rate_limits": False,
            "min_form_seconds": 0,
            "DEMO_SITE": DEMO_SITE,
        }
    )
    with app.app_context():
        db.create_all()
    with live_server(app) as url:
        yield Service(url=url, app=app)
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def signed_in(service: Service, open_page: Callable[..., Watched]) -> Callable[..., Watched]:
    """A page signed in to the dashboard as the newsroom's moderator, through the login form."""

    def sign_in(newsroom: Newsroom, path: str = "/dashboard/", **options: Any) -> Watched:
        watched = open_page(f"{service.url}/dashboard/login", **options)
        page = watched.page
        page.get_by_label("Email").fill(newsroom.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{service.url}/dashboard/")
        if path != "/dashboard/":
            page.goto(f"{service.url}{path}")
        return watched

    return sign_in


__all__ = ["DEMO_ARTICLE", "DEMO_SITE", "PASSWORD", "Newsroom", "Service", "Watched"]
