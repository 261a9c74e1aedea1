"""The dashboard's blueprint: sign-in and CSRF before every view, the security headers after,
its error pages (or, for its JSON endpoints, the API's error shape), and what every template
sees."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from flask import (
    Blueprint,
    Flask,
    Response,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.blueprints import BlueprintSetupState
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from ..api.errors import error_response, from_http_exception
from ..db import db
from ..errors import ApiError, Forbidden, Unauthorized
from ..highlight import highlight_words
from ..models import Status
from ..urls import link_target
from . import auth, present
from .forms import ACTION_LABELS, REASON_LABELS, VIEW_LABELS, staff_signature
from .security import CsrfError, add_security_headers, check_csrf, configure_sessions, csrf_token

STATIC = Path(__file__).resolve().parent.parent / "static"

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    static_folder=str(STATIC),
    static_url_path="/static",
)

# Reachable without signing in.
ASSET_ENDPOINTS = frozenset({"dashboard.static", "dashboard.icon"})
PUBLIC_ENDPOINTS = frozenset({"dashboard.login"})


def is_json_request() -> bool:
    """The JSON endpoints (``/dashboard/api/...``) answer in the API's error shape."""
    return request.path.startswith("/dashboard/api/")


def here() -> str:
    """This page's path and query, to come back to after a form."""
    return request.full_path.removesuffix("?")


@bp.record_once
def _configure(state: BlueprintSetupState) -> None:
    assert isinstance(state.app, Flask)
    configure_sessions(state.app)


@bp.before_request
def _guard() -> BaseResponse | None:
    """Sign-in, then CSRF, before any view runs."""
    if request.endpoint in ASSET_ENDPOINTS:
        return None
    g.moderator = auth.load_moderator(db.session())
    if request.endpoint in PUBLIC_ENDPOINTS:
        check_csrf()
        return None
    if g.moderator is None:
        if is_json_request():
            raise Unauthorized("Your session has ended: sign in again, then retry.")
        target = here() if request.method == "GET" else None
        query = urlencode({"next": target}) if target else ""
        return redirect(url_for("dashboard.login") + (f"?{query}" if query else ""))
    check_csrf()
    g.site_ids = auth.allowed_site_ids(db.session(), g.moderator)
    return None


@bp.after_app_request
def _headers(response: Response) -> Response:
    if request.path.startswith("/dashboard"):
        add_security_headers(response)
    return response


@bp.errorhandler(CsrfError)
def _csrf_failed(_error: CsrfError) -> tuple[str, int] | Response:
    db.session.rollback()
    message = "This page has expired (its security token is missing or old): reload it and retry."
    if is_json_request():
        return error_response(Forbidden(message))
    return render_template("dashboard/error.html", status=403, message=message), 403


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> tuple[str, int] | Response:
    db.session.rollback()
    if is_json_request():
        return error_response(error)
    return render_template(
        "dashboard/error.html", status=error.status, message=error.message
    ), error.status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> tuple[str, int] | Response:
    status = error.code or 500
    if is_json_request():
        return error_response(from_http_exception(error))
    messages = {
        403: "This page is for admins.",
        404: "There is nothing here, or it belongs to a site you do not moderate.",
    }
    message = messages.get(status, error.description or "Something went wrong.")
    return render_template("dashboard/error.html", status=status, message=message), status


@bp.context_processor
def _template_globals() -> dict[str, Any]:
    return {
        "csrf_token": csrf_token,
        "moderator": g.get("moderator"),
        "VIEW_LABELS": VIEW_LABELS,
        "ACTION_LABELS": ACTION_LABELS,
        "REASON_LABELS": REASON_LABELS,
        "STATUS": Status,
        "http_url": link_target,
        "when": present.when,
        "ago": present.ago,
        "duration": present.duration,
        "here": here,
        "staff_signature": staff_signature,
        "highlight_words": highlight_words,
    }
