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

from flask import Flask, Response, request
from sqlalchemy.exc import DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from ..errors import BY_STATUS, ApiError, InternalError, RateLimited, Unavailable
from ..schemas import responses
from ..serializers import dump

log = logging.getLogger(__name__)

#: Seconds a client should wait after a 503 before trying again.
RETRY_AFTER_SECONDS = 5


def error_response(error: ApiError) -> Response:
    """The contract's JSON for ``error``, with its status and headers."""
    response = Response(
        dump(responses.Error, error.to_dict()), status=error.status, mimetype="application/json"
    )
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


def is_outage(error: Exception) -> bool:
    """Whether a database error means the database is out of reach (not a fault of ours)."""
    return isinstance(error, OperationalError) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


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
        if is_outage(error):
            log.warning("database unavailable on %s %s: %s", request.method, request.path, error)
            converted: ApiError = unavailable()
        else:
            log.exception("unhandled error on %s %s", request.method, request.path)
            converted = InternalError()
        if not wants_json():
            return Response(converted.message, status=converted.status, mimetype="text/plain")
        return error_response(converted)
