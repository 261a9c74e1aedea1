"""The decision log: every action on the moderator's sites, newest first, filterable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from flask import g, render_template, request

from .. import admin, overview
from ..db import db
from ..models import Action, Article
from . import present
from .blueprint import bp
from .filters import read_filters, visible_sites
from .forms import one_of, optional_id


@dataclass
class ArticleRun:
    """Consecutive log entries on one article: the page names the article once for them."""

    article: Article
    entries: list[overview.LogEntry] = field(default_factory=list)


def runs_of(entries: Sequence[overview.LogEntry]) -> list[ArticleRun]:
    """The entries, in their order, cut wherever the article changes."""
    runs: list[ArticleRun] = []
    for entry in entries:
        if not runs or runs[-1].article.id != entry.article.id:
            runs.append(ArticleRun(entry.article))
        runs[-1].entries.append(entry)
    return runs


@bp.get("/log")
def log() -> str:
    """Filter by moderator, article, action and site; a link from a card shows one comment's."""
    filters = read_filters(request.args)
    moderator_id = optional_id(request.args, "moderator")
    comment_id = optional_id(request.args, "comment")
    action_raw = one_of(request.args, "action", ("", *(a.value for a in Action)), "")
    cursor = request.args.get("cursor") or None
    page = overview.list_decisions(
        db.session(),
        site_ids=filters.site_ids,
        moderator_id=moderator_id,
        article_id=filters.article.id if filters.article else None,
        action=Action(action_raw) if action_raw else None,
        comment_id=comment_id,
        limit=50,
        cursor=cursor,
    )
    colleagues = admin.moderators_of(db.session(), g.site_ids)
    return render_template(
        "dashboard/log.html",
        page=page,
        runs=runs_of(page.entries),
        short_when=present.short_when,
        sites=visible_sites(),
        filters=filters,
        moderators=colleagues,
        moderator_id=moderator_id,
        comment_id=comment_id,
        action=action_raw,
        actions=list(Action),
        cursor=cursor,
    )
