"""Fixtures of the dashboard's tests: a moderator in one line, a signed-in client that posts forms
and JSON the way the pages and dashboard.js do, and readers of the pages it gets."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from moderation import admin
from moderation.db import db
from moderation.models import Comment

PASSWORD = "correct horse battery staple"
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)">')


@dataclass
class Dashboard:
    """A browser-like client of the dashboard: it signs in, keeps its CSRF token, and posts
    forms and JSON the way the pages and dashboard.js do."""

    client: FlaskClient
    app: Flask
    base_url: str = "http://localhost"

    def page(self, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = self.client.get(path, base_url=self.base_url, **kwargs)
        assert response.status_code == expect, (path, response.status_code, response.location)
        return response

    def csrf(self) -> str:
        for path in ("/dashboard/login", "/dashboard/password"):  # signed in: login redirects
            page = self.client.get(path, base_url=self.base_url)
            found = _CSRF_META.search(page.get_data(as_text=True))
            if found is not None:
                break
        assert found is not None
        return found.group(1)

    def login(self, email: str, password: str = PASSWORD, expect: int = 302, **kw: Any) -> Any:
        response = self.client.post(
            "/dashboard/login",
            data={"email": email, "password": password, "csrf_token": self.csrf()},
            base_url=self.base_url,
            **kw,
        )
        assert response.status_code == expect, response.get_data(as_text=True)[:2000]
        return response

    def form(self, path: str, data: dict[str, Any] | None = None, expect: int | None = None) -> Any:
        payload = {"csrf_token": self.csrf(), **(data or {})}
        response = self.client.post(path, data=payload, base_url=self.base_url)
        if expect is not None:
            assert response.status_code == expect, response.get_data(as_text=True)[:2000]
        return response

    def decide(
        self, ids: Iterable[int], action: str = "approve", expect: int = 200, **fields: Any
    ) -> Any:
        """A decision as dashboard.js sends it; returns the JSON answer."""
        filters = {k: fields.pop(k) for k in ("site", "article") if k in fields}
        response = self.client.post(
            "/dashboard/api/decisions",
            json={"ids": list(ids), "action": action, **fields},
            query_string=filters,
            headers={"X-CSRF-Token": self.csrf()},
            base_url=self.base_url,
        )
        assert response.status_code == expect, response.get_json()
        return response.get_json()


@pytest.fixture
def make_moderator(app: Flask) -> Callable[..., int]:
    def make(
        email: str = "mod@newsroom.example",
        sites: Iterable[str] = ("news",),
        is_admin: bool = False,
        password: str = PASSWORD,
    ) -> int:
        with app.app_context():
            moderator = admin.create_moderator(db.session(), email, password, list(sites), is_admin)
            db.session.commit()
            return moderator.id

    return make


@pytest.fixture
def dash(app: Flask, client: FlaskClient) -> Dashboard:
    return Dashboard(client, app)


@pytest.fixture
def moderator(site: str, make_moderator: Callable[..., int], dash: Dashboard) -> Dashboard:
    """Signed in as mod@newsroom.example, who moderates the site ``news``."""
    make_moderator()
    dash.login("mod@newsroom.example")
    return dash


@pytest.fixture
def admin_dash(site: str, make_moderator: Callable[..., int], dash: Dashboard) -> Dashboard:
    """Signed in as an admin."""
    make_moderator("chief@newsroom.example", sites=(), is_admin=True)
    dash.login("chief@newsroom.example")
    return dash


def held(post: Callable[..., Any], count: int, article: str = "/2026/11/story", **kw: Any) -> list:
    """``count`` pending comments (distinct texts, so the repeat rule keeps quiet)."""
    return [
        post(article, body=f"Held comment number {i} about {article}.", **kw).get_json()["comment"][
            "id"
        ]
        for i in range(count)
    ]


def card_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article class="card" id="comment-(\d+)"', html)]


def tab_count(html: str, view: str) -> int:
    found = re.search(rf'data-count-for="{view}">(\d+)<', html)
    assert found, view
    return int(found.group(1))


def statuses(app, ids) -> dict[int, str]:
    with app.app_context():
        rows = db.session.execute(select(Comment.id, Comment.status).where(Comment.id.in_(ids)))
        return {i: s.value for i, s in rows}
