"""What the service refuses, and why: exception classes that carry their HTTP status and code.

The core raises them; the API turns any of them into the contract's shape,
``{"error": {"code", "message", "field"?}}`` (``api/errors.py``), and the dashboard into a page
or the same JSON. The class is the code: a handler never reads a message to find a field, and the
OpenAPI document lists each operation's codes from the classes its view declares. No Flask here.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ApiError(Exception):
    """A request the service will not carry out: a stable code and a message a person can act
    on. Subclasses fix the status and the code; the docstring's first line describes the code
    in the OpenAPI document."""

    status: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"
    default_message: ClassVar[str] = "Something went wrong on our side; try again."

    def __init__(
        self,
        message: str | None = None,
        *,
        field: str | None = None,
        headers: dict[str, str] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)
        self.field = field
        self.headers = dict(headers or {})
        self.details = dict(details or {})

    def to_dict(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        error.update(self.details)
        return {"error": error}

    @classmethod
    def describe(cls) -> str:
        """What the code means, for the OpenAPI document."""
        return (cls.__doc__ or cls.code).strip().splitlines()[0]


class InternalError(ApiError):
    """A fault on the service's side; nothing the client sent was at fault."""


# --- 400 --------------------------------------------------------------------------------------


class BadRequest(ApiError):
    """The request could not be understood (a malformed request line, header or encoding)."""

    status = 400
    code = "bad_request"
    default_message = "The request could not be understood."


class ValidationError(BadRequest):
    """A field is missing, of the wrong type or out of range: ``field`` names it."""

    code = "validation_error"

    def __init__(self, field: str, message: str, **kwargs: Any) -> None:
        super().__init__(message, field=field, **kwargs)


# --- 401 and 403 ------------------------------------------------------------------------------


class Unauthorized(ApiError):
    """No moderation token, or an unknown or revoked one."""

    status = 401
    code = "unauthorized"
    default_message = "Send a moderation API token: Authorization: Bearer <token>."


class InvalidReaderToken(ApiError):
    """The ``X-Reader-Token`` is not one the site's login signed: a bad signature or algorithm,
    expired, signed out, or with claims that are not valid."""

    status = 401
    code = "invalid_reader_token"
    default_message = "Sign in again: the reader token is not valid."


class IdentityRequired(ApiError):
    """Say who you are: a signed-in reader's ``X-Reader-Token``, or a guest's ``X-Guest-Key``."""

    status = 401
    code = "identity_required"
    default_message = "Send X-Reader-Token (signed in) or X-Guest-Key (a guest) to react."


class Forbidden(ApiError):
    """Not allowed: another site's queue, a page or an address outside the site's origins."""

    status = 403
    code = "forbidden"
    default_message = "You may not do this."


class InvalidEditToken(Forbidden):
    """The ``X-Edit-Token`` does not match the comment."""

    code = "invalid_edit_token"
    default_message = "This edit token does not match the comment."


class EditWindowClosed(Forbidden):
    """The author's edit window is over."""

    code = "edit_window_closed"


class ArticleClosed(Forbidden):
    """Comments are closed on this article (or on the whole site)."""

    code = "article_closed"
    default_message = "Comments are closed on this article."


class Banned(Forbidden):
    """The author may not comment on this site."""

    code = "banned"


class SignInRequired(Forbidden):
    """Only signed-in readers may do this on this site (``login_url`` says where to sign in)."""

    code = "sign_in_required"
    default_message = "Sign in to comment."


# --- 404 to 429 -------------------------------------------------------------------------------


class NotFound(ApiError):
    """No such site, article, comment or ban (or one of another site)."""

    status = 404
    code = "not_found"
    default_message = "There is nothing at this address."


class MethodNotAllowed(ApiError):
    """The path does not accept this method (``Allow`` lists those it does)."""

    status = 405
    code = "method_not_allowed"
    default_message = "This address does not accept that method."


class RequestTimeout(ApiError):
    """The request did not arrive in time (its headers, or its body)."""

    status = 408
    code = "request_timeout"
    default_message = "The request did not arrive in time; send it again."


class Conflict(ApiError):
    """The request conflicts with the current state of what it names."""

    status = 409
    code = "conflict"


class AlreadyReported(Conflict):
    """This reader has already reported the comment."""

    code = "already_reported"
    default_message = "You have already reported this comment."


class AlreadyDecided(Conflict):
    """A moderator has rejected the comment; it can no longer be edited."""

    code = "already_decided"
    default_message = "A moderator has already decided on this comment."


class AlreadyReacted(Conflict):
    """This reader has already reacted to the comment (one reaction each)."""

    code = "already_reacted"
    default_message = "You have already reacted to this comment."


class InvalidTransition(Conflict):
    """The action does not apply to the comment's status (approving an approved comment)."""

    code = "invalid_transition"


class IdempotencyKeyReused(ApiError):
    """The ``Idempotency-Key`` was sent before with another request: a key names one request."""

    status = 422
    code = "idempotency_key_reused"
    default_message = (
        "This Idempotency-Key was used for another request; send a new key with a new request."
    )


class PayloadTooLarge(ApiError):
    """The request body is larger than the service accepts."""

    status = 413
    code = "payload_too_large"
    default_message = "The request body is too large."


class UriTooLong(ApiError):
    """The request line is too long: send long lists in a POST body instead."""

    status = 414
    code = "uri_too_long"
    default_message = "The address is too long; send the list in a POST body instead."


class UnsupportedMediaType(ApiError):
    """The body is not sent as ``application/json``."""

    status = 415
    code = "unsupported_media_type"
    default_message = "Send the body as JSON (Content-Type: application/json)."


class HeadersTooLarge(ApiError):
    """The request's headers are larger than the service reads."""

    status = 431
    code = "headers_too_large"
    default_message = "The request's headers are too large."


class RateLimited(ApiError):
    """Too many requests; ``Retry-After`` says when to try again."""

    status = 429
    code = "rate_limited"
    default_message = "Too many requests; wait a little and try again."


# --- 5xx --------------------------------------------------------------------------------------


class Unavailable(ApiError):
    """The service cannot answer for a moment (its database is unreachable); ``Retry-After``
    says when to try again."""

    status = 503
    code = "unavailable"
    default_message = "The service is unavailable for a moment; try again shortly."


class InsufficientStorage(ApiError):
    """The service's storage is full: nothing can be written until it is freed."""

    status = 507
    code = "insufficient_storage"
    default_message = (
        "The service cannot store anything at the moment (its storage is full); "
        "nothing was saved. Try again later."
    )


def error_classes() -> list[type[ApiError]]:
    """Every error class, each code once, by status then code."""
    found: dict[str, type[ApiError]] = {}
    # The base class stands for no answer of its own: InternalError is its code's class.
    pending: list[type[ApiError]] = list(ApiError.__subclasses__())
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return sorted(found.values(), key=lambda c: (c.status, c.code))


#: The class of each status Werkzeug or the server can raise before a view runs.
BY_STATUS: dict[int, type[ApiError]] = {
    400: BadRequest,
    401: Unauthorized,
    403: Forbidden,
    404: NotFound,
    405: MethodNotAllowed,
    408: RequestTimeout,
    409: Conflict,
    413: PayloadTooLarge,
    414: UriTooLong,
    415: UnsupportedMediaType,
    429: RateLimited,
    431: HeadersTooLarge,
    500: InternalError,
    503: Unavailable,
    507: InsufficientStorage,
}
