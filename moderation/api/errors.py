"""The one JSON error shape of the API, produced by one handler for one exception class.

Under ``/api/`` (and ``/healthz``), whatever went wrong answers
``{"error": {"code", "message", "field"?}}``: an error the core raised, an HTTP error Werkzeug
raised before a view ran (an unknown path, a method the path does not take, a body too large),
a database that does not answer (503, with ``Retry-After``), or a fault (500, logged). The
dashboard has its own handler, which answers its JSON endpoints the same way.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from typing import Any

from flask import Flask, Response, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from .. import health
from ..errors import (
    BY_STATUS,
    ApiError,
    InsufficientStorage,
    InternalError,
    RateLimited,
    Unavailable,
)
from ..schemas import responses
from ..serializers import dump

log = logging.getLogger(__name__)

#: Seconds a client should wait after a 503 before trying again.
RETRY_AFTER_SECONDS = 5


def error_response(error: ApiError) -> Response:
    """The contract's JSON for ``error``, with its status and headers."""
    response = Response(error_body(error), status=error.status, mimetype="application/json")
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def from_http_exception(error: HTTPException) -> ApiError:
    """Werkzeug's HTTP error (raised before a view ran) as the class of its status."""
    status = error.code or 500
    cls = class_of_status(status)
    # Our words for the statuses we know; Werkzeug's for the rare others.
    converted = cls() if status in BY_STATUS else cls(error.description)
    if status == 405:
        allow = error.get_response().headers.get("Allow")
        if allow:
            converted.headers["Allow"] = allow
    if isinstance(converted, RateLimited):
        retry_after = getattr(error, "retry_after", None) or error.get_response().headers.get(
            "Retry-After"
        )
        if retry_after:
            converted.headers["Retry-After"] = str(retry_after)
            converted.message = (
                f"Too many requests; try again in {retry_after} second"
                f"{'' if str(retry_after) == '1' else 's'}."
            )
    return converted


@functools.cache
def class_of_status(status: int) -> type[ApiError]:
    """The error class of a status. The rare statuses Werkzeug or the server answer that the API
    has no class of its own for (416 for a range, 431 for huge headers) keep their status, with
    a generic code."""
    known = BY_STATUS.get(status)
    if known is not None:
        return known
    return type(f"HttpError{status}", (ApiError,), {"status": status, "code": "http_error"})


def unavailable() -> Unavailable:
    return Unavailable(headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def _driver_errors() -> tuple[type[BaseException], ...]:
    # Statements run on the driver (prepared.py) raise the driver's own errors, not
    # SQLAlchemy's wrappers of them.
    import psycopg

    return (sqlite3.OperationalError, psycopg.OperationalError)


def is_outage(error: BaseException) -> bool:
    """Whether a database error means the database is out of reach (not a fault of ours)."""
    if isinstance(error, OperationalError):
        return True
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated)
    return isinstance(error, _driver_errors())


def is_storage_full(error: BaseException) -> bool:
    """Whether a database error means its storage is full (SQLite's SQLITE_FULL, PostgreSQL's
    disk_full and out-of-memory class 53)."""
    original = error.orig if isinstance(error, DBAPIError) else error
    if not isinstance(original, (sqlite3.DatabaseError, *_driver_errors())):
        return False
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if isinstance(sqlstate, str) and sqlstate.startswith("53"):
        return True
    return "database or disk is full" in str(original)


def converted(error: BaseException) -> ApiError:
    """What an error no handler answered means for the client: a database out of reach is
    503, a full disk 507 (both noted for /healthz), anything else 500 (logged)."""
    if is_storage_full(error):
        health.noted("storage", "full")
        log.error("storage full: %s", error)
        return InsufficientStorage(headers={"Retry-After": str(RETRY_AFTER_SECONDS * 12)})
    if is_outage(error):
        health.noted("database", "unreachable")
        log.warning("database unavailable: %s", error)
        return unavailable()
    log.error("unhandled error", exc_info=error)
    return InternalError()


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def register_error_handlers(app: Flask) -> None:
    """JSON errors under /api/, whatever went wrong; the dashboard and pages handle their own."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | HTTPException:
        if not wants_json():
            return error
        return error_response(from_http_exception(error))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        answer = converted(error)
        if not wants_json():
            return Response(answer.message, status=answer.status, mimetype="text/plain")
        return error_response(answer)


class LastResort:
    """WSGI middleware around the whole app: an error that escapes Flask itself (the session's
    rollback in the teardown, on a connection the database dropped) still answers in the
    contract's shape, 503 or 507 or 500, never the server's own page."""

    def __init__(self, wsgi_app: Any) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        # The app's own start is held back until it returns: Flask starts its answer before
        # its teardown runs, and an error there must replace that answer, not follow it.
        started: list[Any] = []

        def hold(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            started[:] = [status, headers]
            return _no_write

        try:
            body = self.wsgi_app(environ, hold)
        except Exception as error:
            answer = converted(error)
            content = error_body(answer)
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(content)))]
            headers += list(answer.headers.items())
            start_response(f"{answer.status} {_reason(answer.status)}", headers)
            return [content]
        start_response(*started)
        return body


def _no_write(data: bytes) -> None:
    raise RuntimeError("write() is not supported: return the body from the app")


def error_body(error: ApiError) -> bytes:
    return dump(responses.Error, error.to_dict())


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
