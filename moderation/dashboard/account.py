"""Signing in and out, and changing one's own password."""

from __future__ import annotations

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import admin
from ..db import db
from ..errors import ApiError
from . import auth
from .blueprint import bp
from .forms import local_next

LOGIN_TEMPLATE = "dashboard/login.html"


@bp.route("/login", methods=["GET", "POST"])
def login() -> BaseResponse | tuple[str, int] | str:
    """The sign-in form; failures count against the throttle (see ``auth``)."""
    target = local_next(request.values.get("next"), url_for("dashboard.overview"))
    if request.method == "GET":
        if auth.load_moderator(db.session()) is not None:
            return redirect(target)
        return render_template(LOGIN_TEMPLATE, next=target, email="")
    email = request.form.get("email", "")[:254]
    password = request.form.get("password", "")[: admin.MAX_PASSWORD + 1]
    try:
        moderator = auth.authenticate(
            db.session(),
            email=email,
            password=password,
            secret_key=current_app.config["SECRET_KEY"],
            ip=request.remote_addr,
            device=request.cookies.get(auth.DEVICE_COOKIE),
        )
    except auth.LoginThrottled as exc:
        db.session.rollback()
        wait = exc.retry_after
        if wait < 90:
            when = "1 second" if wait == 1 else f"{wait} seconds"
        else:
            when = f"about {round(wait / 60)} minutes"
        error = f"Too many failed sign-ins. Try again in {when}."
        page = render_template(LOGIN_TEMPLATE, next=target, email=email, error=error)
        return Response(page, status=429, headers={"Retry-After": str(wait)})
    except auth.LoginFailed as exc:
        db.session.commit()  # the failure counts
        return render_template(LOGIN_TEMPLATE, next=target, email=email, error=str(exc)), 401
    db.session.commit()
    auth.sign_in(moderator)
    response = redirect(target)
    # This device now signs in to the account unslowed while strangers guess (see ``auth``).
    response.set_cookie(
        auth.DEVICE_COOKIE,
        auth.device_token(moderator),
        max_age=365 * 24 * 3600,
        path="/dashboard/",
        secure=request.is_secure,
        httponly=True,
        samesite="Strict",
    )
    return response


@bp.post("/logout")
def logout() -> BaseResponse:
    auth.sign_out()
    flash("You are signed out.", "info")
    return redirect(url_for("dashboard.login"))


@bp.route("/password", methods=["GET", "POST"])
def password() -> BaseResponse | tuple[str, int] | str:
    """Change one's own password: the current one first, then the new one twice."""
    if request.method == "GET":
        return render_template("dashboard/password.html")
    moderator = auth.current_moderator()
    secret = current_app.config["SECRET_KEY"]
    new = request.form.get("new_password", "")
    error = None
    try:
        ok = auth.verify_password(
            db.session(),
            moderator,
            request.form.get("current_password", "")[: admin.MAX_PASSWORD + 1],
            secret,
            request.remote_addr,
        )
    except auth.LoginThrottled:
        db.session.rollback()
        return render_template(
            "dashboard/password.html", error="Too many wrong passwords: try again later."
        ), 429
    if not ok:
        error = "Your current password is not right."
    elif new != request.form.get("confirm_password", ""):
        error = "The new passwords differ."
    else:
        try:
            admin.set_password(db.session(), moderator, new)
        except ApiError as exc:
            error = exc.message
    if error:
        db.session.commit()  # a wrong current password counts against the throttle
        return render_template("dashboard/password.html", error=error), 400
    db.session.commit()
    auth.refresh_marker(moderator)
    flash("Your password is changed; your other sessions are signed out.", "info")
    return redirect(url_for("dashboard.overview"))


# A speech bubble, so the browser finds an icon (and a tab full of dashboards can be told apart).
ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
    '<path d="M4 5h24a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H13l-7 6v-6H4a2 2 0 0 1-2-2V7a2 2 0 0 1 2-2z"'
    ' fill="#0b5cad"/><path d="M9 14l4 4 9-9" stroke="#fff" stroke-width="3" fill="none"/></svg>'
)


@bp.get("/icon.svg")
def icon() -> Response:
    response = Response(ICON, mimetype="image/svg+xml")
    response.cache_control.max_age = 86400
    response.cache_control.public = True
    return response
