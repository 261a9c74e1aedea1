"""What keeps the dashboard's session safe: cookie settings, CSRF tokens, security headers.

CSRF: one random token per session, kept in the signed session cookie and compared in constant
time with the ``csrf_token`` form field or the ``X-CSRF-Token`` header of every state-changing
request. A login starts a new session, hence a new token. As a second line, a request whose
``Origin`` or ``Sec-Fetch-Site`` says it came from another site is refused before the token is
even looked at.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, Request, Response, has_request_context, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_CSRF_KEY = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# No inline script or style anywhere: scripts and styles come from our own files only.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Links to articles leave the dashboard; its addresses (filters, searches) stay behind.
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# A moderator's shift, with room to spare; after that they sign in again.
SESSION_LIFETIME = timedelta(hours=12)
SESSION_COOKIE_NAME = "moderation_session"


class CsrfError(Exception):
    """A state-changing request without the session's CSRF token (or from another site)."""


class DashboardSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie marked Secure whenever the request came
    over HTTPS (directly, or through ``proxy_count`` trusted proxies), so one configuration
    serves both a local HTTP demo and production behind TLS."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        # Nearly every request (the widget's, the APIs') carries no session cookie: give it an
        # empty session without building a signing serializer, which costs more than the rest.
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def get_cookie_secure(self, app: Flask) -> bool:
        configured = bool(app.config.get("SESSION_COOKIE_SECURE"))
        return configured or (has_request_context() and request.is_secure)


def configure_sessions(app: Flask) -> None:
    """HttpOnly, SameSite=Lax, Secure behind HTTPS, a shift-long lifetime: unless configured."""
    app.session_interface = DashboardSessionInterface()
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    if not app.config.get("SESSION_COOKIE_SAMESITE"):
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    if app.config.get("SESSION_COOKIE_NAME") in (None, "session"):
        app.config["SESSION_COOKIE_NAME"] = SESSION_COOKIE_NAME
    if app.config.get("PERMANENT_SESSION_LIFETIME") == timedelta(days=31):  # Flask's default
        app.config["PERMANENT_SESSION_LIFETIME"] = SESSION_LIFETIME


def csrf_token() -> str:
    """The session's CSRF token, created on first use."""
    token = session.get(_CSRF_KEY)
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        session[_CSRF_KEY] = token
    return token


def check_csrf() -> None:
    """Refuse a state-changing request that does not carry this session's token."""
    if request.method in SAFE_METHODS:
        return
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        raise CsrfError("cross-site request")
    origin = request.headers.get("Origin")
    if origin and not _same_origin(origin):
        raise CsrfError("request from another origin")
    expected = session.get(_CSRF_KEY)
    sent = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FIELD)
    if not isinstance(expected, str) or not expected or not sent:
        raise CsrfError("missing CSRF token")
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise CsrfError("wrong CSRF token")


def _same_origin(origin: str) -> bool:
    parts = urlsplit(origin)
    return f"{parts.scheme}://{parts.netloc}" == request.host_url.rstrip("/")


def add_security_headers(response: Response) -> Response:
    """CSP and friends on every dashboard answer; pages with people's emails are never cached."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint not in ("dashboard.static", "dashboard.icon"):
        response.headers["Cache-Control"] = "no-store"
    return response
