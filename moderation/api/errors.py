"""The one JSON error shape of the API, produced by one handler for one exception."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class ApiError(Exception):
    """A request the service will not carry out, with a stable code and a message a person can
    act on. Business functions raise it; the handler below turns it into
    ``{"error": {"code", "message", "field"?}}``."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.headers = headers or {}
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        error.update(self.details)
        return {"error": error}


def validation_error(field: str, message: str) -> ApiError:
    return ApiError(400, "validation_error", message, field=field)


def not_found(message: str) -> ApiError:
    return ApiError(404, "not_found", message)


def forbidden(message: str, code: str = "forbidden") -> ApiError:
    return ApiError(403, code, message)


def conflict(message: str, code: str = "conflict") -> ApiError:
    return ApiError(409, code, message)


# Codes for the HTTP errors Werkzeug raises before a view runs.
_HTTP_CODES = {
    400: ("bad_request", "The request could not be understood."),
    401: ("unauthorized", "Authentication is required."),
    403: ("forbidden", "You may not do this."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
    413: ("payload_too_large", "The request body is too large."),
    415: ("unsupported_media_type", "Send the body as JSON (Content-Type: application/json)."),
    429: ("rate_limited", "Too many requests; wait a little and try again."),
}


def error_response(error: ApiError) -> Response:
    response = jsonify(error.to_dict())
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def register_error_handlers(app: Flask) -> None:
    """JSON errors under /api/, whatever went wrong; Flask's pages elsewhere."""

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response | HTTPException:
        if not wants_json():
            return error
        status = error.code or 500
        code, message = _HTTP_CODES.get(status, ("http_error", error.description or "Error."))
        api_error = ApiError(status, code, message)
        response = error_response(api_error)
        if status == 405 and error.get_response().headers.get("Allow"):
            response.headers["Allow"] = error.get_response().headers["Allow"]
        if status == 429:
            retry_after = getattr(error, "retry_after", None) or error.get_response().headers.get(
                "Retry-After"
            )
            if retry_after:
                response.headers["Retry-After"] = str(retry_after)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.path)
        if not wants_json():
            return Response("Internal server error", status=500, mimetype="text/plain")
        return error_response(
            ApiError(500, "internal_error", "Something went wrong on our side; try again.")
        )
