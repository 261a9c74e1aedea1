"""Browser fixtures for the widget: the service on a real port, a publisher's page on another
origin with a strict Content-Security-Policy, and pages that record what they did. The browser
itself (Debian's Chromium) is the session fixture in tests/conftest.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from moderation import create_app
from moderation.db import db
from moderation.identity import new_token, token_hash
from moderation.models import ApiToken, ModerationMode, Site

from ..pages import live_server

DEMO_ARTICLE = "/2026/11/riverside-tram-line"


@dataclass
class Service:
    """The running service and a way to act as a moderator or to touch its database."""

    url: str
    app: Any
    token: str

    def api(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"}
        response = getattr(self.app.test_client(), method)(path, headers=headers, **kwargs)
        assert response.status_code < 300, response.get_json()
        return response.get_json()

    def decide(self, comment_id: int, action: str = "approve") -> None:
        self.api("post", f"/api/v1/comments/{comment_id}/decision", json={"action": action})

    def pending_ids(self) -> list[int]:
        return [c["id"] for c in self.api("get", "/api/v1/sites/demo/queue")["comments"]]


def send_publisher_page(
    handler: BaseHTTPRequestHandler, service: str, title: str, body: str
) -> None:
    """Answer with a publisher's article page on its own origin, allowing scripts, styles and
    requests from the comment service only."""
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><link rel="icon" href="data:,"></head><body>
{body}
<script src="{service}/embed.js" async></script></body></html>""".encode()
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html; charset=utf-8")
    handler.send_header(
        "Content-Security-Policy",
        f"default-src 'none'; script-src {service}; connect-src {service}; "
        f"style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'",
    )
    handler.send_header("Content-Length", str(len(page)))
    handler.end_headers()
    handler.wfile.write(page)


class _PublisherPage(BaseHTTPRequestHandler):
    """A publisher's article page on its own origin."""

    service = ""
    extra_body = ""
    container = ""  # what the publisher's server placed in the widget's container

    def do_GET(self):
        body = f"""<h1>An article on another origin</h1>
<p><span data-comment-count="/publisher/story">-</span> comments</p>
<div id="comments" data-site="demo" data-article="/publisher/story">{type(self).container}</div>
{type(self).extra_body}"""
        send_publisher_page(self, type(self).service, "Publisher article", body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def publisher() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PublisherPage)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def service(tmp_path, publisher) -> Iterator[Service]:
    app = create_app(
        {
            "database_url": f"sqlite:///{tmp_path / 'browser.sqlite3'}",
            "instance_path": str(tmp_path / "instance"),
            "secret_key": "browser-tests",
            "rate_limits": False,
            # Playwright types faster than any person; the pace check has its own API tests.
            "min_form_seconds": 0,
            "DEMO_SITE": "demo",
        }
    )
    with live_server(app) as url:
        yield _prepare(app, url, publisher)
    with app.app_context():
        db.engine.dispose()


def _prepare(app: Any, url: str, publisher: str) -> Service:
    """The site ``demo`` on the service and on the publisher's origin, with an API token."""
    _PublisherPage.service = url
    _PublisherPage.extra_body = ""
    _PublisherPage.container = ""
    token = new_token()
    with app.app_context():
        db.create_all()
        site = Site(
            slug="demo",
            name="The Demo Gazette",
            origins=[url, publisher],
            moderation_mode=ModerationMode.PRE,
        )
        db.session.add(site)
        db.session.flush()
        db.session.add(ApiToken(site_id=site.id, token_hash=token_hash(token), label="browser"))
        db.session.commit()
    return Service(url=url, app=app, token=token)
