"""The demo article page, served only when the service runs as ``moderation demo``."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template

bp = Blueprint("demo", __name__)


@bp.get("/demo/")
def article() -> str:
    if not current_app.config.get("DEMO_SITE"):
        abort(404)
    return render_template("demo/article.html", site=current_app.config["DEMO_SITE"])
