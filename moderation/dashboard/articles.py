"""Articles: their comments by status, open or closed, pre- or post-moderated."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import overview
from ..comments.articles import close_article, get_article, set_article_mode
from ..db import db
from ..errors import ApiError
from .blueprint import bp
from .filters import PAGE_SIZE, read_filters, visible_sites
from .forms import local_next, mode_choice, search_text


@bp.get("/articles")
def articles() -> str:
    """The moderator's articles, newest first, with counts by status and their settings."""
    filters = read_filters(request.args)
    words = search_text(request.args)
    cursor = request.args.get("cursor") or None
    page = overview.list_articles(
        db.session(),
        site_ids=g.site_ids,
        site_id=filters.site.id if filters.site else None,
        search=words,
        limit=PAGE_SIZE,
        cursor=cursor,
    )
    return render_template(
        "dashboard/articles.html",
        page=page,
        sites=visible_sites(),
        filters=filters,
        words=words or "",
        cursor=cursor,
    )


@bp.post("/articles/<id:article_id>")
def update_article(article_id: int) -> BaseResponse:
    """Open or close an article (``closed`` = 1 or 0), or set its mode (``mode``)."""
    back = local_next(request.form.get("next"), url_for("dashboard.articles"))
    article = get_article(db.session(), article_id, g.site_ids)
    name = article.title or article.key
    try:
        if "closed" in request.form:
            closed = request.form["closed"] == "1"
            close_article(db.session(), article, closed)
            message = f"Comments are {'closed' if closed else 'open'} on “{name}”."
        else:
            mode = mode_choice(request.form)
            set_article_mode(db.session(), article, mode)
            described = {
                None: "the site's mode",
                "pre": "pre-moderation",
                "post": "post-moderation",
            }
            message = f"“{name}” now follows {described[mode.value if mode else None]}."
    except ApiError as exc:
        db.session.rollback()
        flash(f"Not saved: {exc.message}", "error")
        return redirect(back)
    db.session.commit()
    flash(message, "info")
    return redirect(back)
