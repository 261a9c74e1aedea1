"""The demo article page, served only when the service runs as ``moderation demo``.

It sends a strict Content-Security-Policy (scripts, styles and requests from this service only),
the same a careful publisher would, so the demo also shows the widget working under one.
"""

from __future__ import annotations

import secrets
import time

import jwt
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from sqlalchemy import select

from .db import db
from .models import Site

bp = Blueprint("demo", __name__)

#: The readers the demo's "publisher login" signs in: one reader, one of the newsroom's staff.
DEMO_READERS = {
    "reader": {"sub": "demo-reader", "name": "Ada Reader", "badges": ["Subscriber"]},
    "staff": {"sub": "demo-staff", "name": "Ines Verhaegen", "badges": ["City desk"],
              "role": "staff"},
}  # fmt: skip

ARTICLE_KEY = "/2026/11/riverside-tram-line"
LANGUAGES = ("en", "fr", "nl", "de")


@bp.get("/demo/")
def article() -> Response:
    site = current_app.config.get("DEMO_SITE")
    if not site:
        abort(404)
    lang = request.args.get("lang", "en")
    html = render_template(
        "demo/article.html",
        site=site,
        article_key=ARTICLE_KEY,
        lang=lang if lang in LANGUAGES else "en",
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return response


@bp.post("/demo/sign-in")
def sign_in() -> Response:
    """What a publisher's own login does after it checks a password: sign a short token for the
    reader with the site's SSO secret (here, one of two demo readers, no password asked)."""
    site_slug = current_app.config.get("DEMO_SITE")
    who = DEMO_READERS.get(request.args.get("as", ""))
    if not site_slug or who is None:
        abort(404)
    secret = db.session.scalar(select(Site.sso_secret).where(Site.slug == site_slug))
    if not secret:
        abort(404)
    now = int(time.time())
    claims = {**who, "iat": now, "exp": now + 3600, "jti": secrets.token_urlsafe(12)}
    return jsonify(token=jwt.encode(claims, secret, algorithm="HS256"))
