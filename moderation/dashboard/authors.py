"""One author's page: their comments on a site across articles, their account and badges, and
the bans against them; linked from the author's name on every card."""

from __future__ import annotations

from flask import abort, current_app, render_template, request

from ..comments.authors import author_page as load_author_page
from ..comments.authors import is_author_key
from ..db import db
from ..errors import NotFound
from .blueprint import bp
from .filters import PAGE_SIZE, visible_sites


@bp.get("/sites/<slug:slug>/authors/<author_key>")
def author_page(slug: str, author_key: str) -> str:
    """Newest first, a page at a time; a site the moderator does not work on, or an author with
    no comment on it, is not found."""
    site = next((s for s in visible_sites().values() if s.slug == slug), None)
    if site is None or not is_author_key(author_key):
        abort(404)
    try:
        page = load_author_page(
            db.session(),
            site_id=site.id,
            author_key=author_key,
            secret_key=current_app.config["SECRET_KEY"],
            limit=PAGE_SIZE,
            cursor=request.args.get("cursor") or None,
        )
    except NotFound:
        abort(404)
    return render_template(
        "dashboard/author.html",
        site=site,
        page=page,
        cursor=request.args.get("cursor") or None,
    )
