"""``moderation serve``: gunicorn's pre-forked processes, each running the front of ``front.py``
(whole requests in, whole answers out, the app in a small thread pool), with the settings of
``gunicorn_conf.py``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask


def run_server(
    app_factory: Callable[[], Flask], host: str, port: int, workers: int, access_log: bool = True
) -> None:
    """Serve with gunicorn: pre-forked workers, each with its own database pool (the app is
    built after the fork). With SQLite the main process also delivers the outbox in a thread
    (``outbox.worker.embedded``), so nothing else needs starting; the workers forked from it
    build their own app and never touch that thread's."""
    from gunicorn.app.base import BaseApplication

    from . import gunicorn_conf
    from .outbox.worker import embedded, start_thread

    delivering = app_factory()

    def deliver_when_ready(server: Any) -> None:
        # Delivering starts once the first workers are forked: a fork while another thread is
        # busy can hand the child a lock that thread held (a worker that never answers).
        def forked() -> bool:
            return len(server.WORKERS) >= server.num_workers

        start_thread(delivering, after=forked)

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name in gunicorn_conf.SETTINGS:
                self.cfg.set(name, getattr(gunicorn_conf, name))
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-" if access_log else None)
            if embedded(delivering):
                self.cfg.set("when_ready", deliver_when_ready)

        def load(self) -> Flask:
            return app_factory()

    Server().run()
