"""The production server: gunicorn (pre-forked workers of a few threads, ``gunicorn_conf.py``),
with a worker whose own answers (a request line too long, a malformed request, a crash outside
the app) are the contract's JSON, never gunicorn's HTML page."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn import util
from gunicorn.http import message
from gunicorn.workers.gthread import ThreadWorker

from .api.errors import class_of_status

#: The longest request line the server reads: the counts of a hundred article keys of 512
#: characters, each written as percent-escapes of four bytes, fit (about 620 KB). gunicorn stops
#: at 8,190 bytes unless told otherwise; beyond this, 414 ``uri_too_long`` (send the list in a
#: POST body instead).
LIMIT_REQUEST_LINE = 1 << 20


def write_json_error(sock: Any, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's error answer, as the API's error shape."""
    error = class_of_status(status_int)()
    body = json.dumps(error.to_dict()).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode("latin1")
    util.write_nonblock(sock, head + body)


class JsonErrorWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker, answering its own errors in JSON."""

    def init_process(self) -> None:
        # gunicorn writes its error answers through this one function of its util module, and
        # caps the request line at a constant of its parser: both are set for this process.
        util.write_error = write_json_error
        message.MAX_REQUEST_LINE = LIMIT_REQUEST_LINE
        super().init_process()


def run_server(
    app_factory: Callable[[], Flask], host: str, port: int, workers: int, access_log: bool = True
) -> None:
    """Serve with gunicorn: pre-forked workers with a few threads each, each with its own
    database pool (the app is built after the fork)."""
    from gunicorn.app.base import BaseApplication

    from . import gunicorn_conf

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for name in gunicorn_conf.SETTINGS:
                self.cfg.set(name, getattr(gunicorn_conf, name))
            self.cfg.set("worker_class", f"{__name__}.JsonErrorWorker")
            self.cfg.set("limit_request_line", LIMIT_REQUEST_LINE)
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("accesslog", "-" if access_log else None)

        def load(self) -> Flask:
            return app_factory()

    Server().run()
