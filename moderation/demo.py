"""The demo article page, served only when the service runs as ``moderation demo``.

It sends a strict Content-Security-Policy (scripts, styles and requests from this service only),
the same a careful publisher would, so the demo also shows the widget working under one.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request

bp = Blueprint("demo", __name__)

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
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
    return response
