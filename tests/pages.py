"""Servers for tests that need real ones (in a thread, or ``moderation serve`` processes), and
browser pages that record what they did."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server

# Before any page script: a marker that hostile payloads would call, and a record of CSP
# violations.
MARKER_SCRIPT = """
window.__pwnedCount = 0;
window.__pwned = () => { window.__pwnedCount += 1; };
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def service_processes(env: dict[str, str], count: int = 1) -> Iterator[list[int]]:
    """``count`` processes of ``moderation serve`` (gunicorn, one worker each) with ``env`` over
    the current environment; yields their ports once every one answers /healthz."""
    with ExitStack() as stack:
        yield [stack.enter_context(served(env))[0] for _ in range(count)]


@contextmanager
def served(env: dict[str, str], workers: int = 1) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """One ``moderation serve --workers N`` with ``env`` over the current environment; yields its
    port and the gunicorn master once it answers /healthz."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moderation.cli", "serve", "--port", str(port),
         "--workers", str(workers), "--no-access-log"],
        env={**os.environ, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)  # polling a server that is starting
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=15)


def news_instance(folder: Any) -> dict[str, str]:
    """A migrated SQLite instance in ``folder`` with the site ``news``; the environment of the
    processes that serve it."""
    from moderation import admin, create_app
    from moderation.db import db
    from moderation.migrate import upgrade_database

    url = f"sqlite:///{folder / 'db.sqlite3'}"
    app = create_app({"database_url": url, "instance_path": str(folder), "secret_key": "s"})
    upgrade_database(app)
    with app.app_context():
        admin.create_site(db.session(), "news", ["https://news.example"])
        db.session.commit()
        db.engine.dispose()
    return {
        "MODERATION_DATABASE_URL": url,
        "MODERATION_INSTANCE_PATH": str(folder),
        "MODERATION_SECRET_KEY": "s",
    }


def served_env(app: Any) -> dict[str, str]:
    """The environment of ``moderation serve`` processes over ``app``'s database (built by the
    fixtures with ``create_all``, and so stamped at the newest migration for them to start)."""
    from alembic import command

    from moderation.db import db
    from moderation.migrate import alembic_config

    config = alembic_config()
    with app.app_context(), db.engine.connect() as connection:
        config.attributes["connection"] = connection
        command.stamp(config, "head")
        connection.commit()
    settings = app.config["SETTINGS"]
    return {
        "MODERATION_DATABASE_URL": settings.database_url,
        "MODERATION_INSTANCE_PATH": settings.instance_path,
        "MODERATION_SECRET_KEY": app.config["SECRET_KEY"],
        "MODERATION_RATE_LIMITS": "false",
        "MODERATION_MIN_FORM_SECONDS": "0",
    }


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """Serve ``app`` on a free 127.0.0.1 port for the duration of the block; yields its URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


@dataclass
class Watched:
    """A page with what happened on it: console messages, requests made and answers received."""

    page: Any
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)

    def pwned(self) -> int:
        return int(self.page.evaluate("window.__pwnedCount"))

    def violations(self) -> list[str]:
        return list(self.page.evaluate("window.__cspViolations"))

    def errors(self) -> list[str]:
        return [m for m in self.console if m.startswith(("error", "pageerror"))]


def page_opener(browser: Any) -> tuple[Callable[..., Watched], Callable[[], None]]:
    """``open(url=None, **context_options)`` for fresh, recorded pages, and ``close()``."""
    contexts: list[Any] = []

    def open_(url: str | None = None, **context_options: Any) -> Watched:
        context = browser.new_context(**context_options)
        contexts.append(context)
        context.add_init_script(MARKER_SCRIPT)
        page = context.new_page()
        page.set_default_timeout(10_000)
        watched = Watched(page)
        page.on("console", lambda m: watched.console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: watched.console.append(f"pageerror: {e}"))
        page.on("request", lambda r: watched.requests.append(r.url))
        page.on("response", lambda r: watched.answers.append(r))
        if url:
            page.goto(url)
        return watched

    def close() -> None:
        for context in contexts:
            context.close()

    return open_, close
