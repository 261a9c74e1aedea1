"""The queue and the decisions: the pages a moderator spends the shift on.

Decisions go through :func:`moderation.queue.decide`, limited to the moderator's sites, from a
plain form (it works without JavaScript) or from ``dashboard.js`` through the JSON endpoint.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask import Response, abort, flash, g, jsonify, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import overview as figures
from .. import queue
from ..api.errors import ApiError, validation_error
from ..api.payload import json_body
from ..extensions import db
from ..models import Action, Article, Comment, Decision, Flag, Site, Status
from . import auth, bp
from .filters import PAGE_SIZE, read_filters, visible_sites
from .forms import (
    ORDERS,
    DecisionRequest,
    actions_for,
    decision_request,
    local_next,
    one_of,
    search_text,
)


@dataclass(frozen=True)
class Card:
    """One comment as a card shows it, with everything a moderator needs to decide."""

    comment: Comment
    article: Article
    site: Site
    flags: Sequence[Flag]
    history: Sequence[Decision]
    author: queue.AuthorRecord
    parent: Comment | None
    actions: list[Action]

    @property
    def held_reasons(self) -> list[tuple[str, str | None]]:
        """Each rule that held the comment with what it saw ("3 links"), from the system's
        entries in the comment's log."""
        seen = {d.actor: d.explanation for d in self.history if d.actor.startswith("system:")}
        return [(rule, seen.get(f"system:{rule}")) for rule in self.comment.held_because]


def _cards(comments: Sequence[Comment], details: queue.Details | None = None) -> list[Card]:
    session = db.session()
    details = details or queue.load_details(session, comments)
    context = queue.load_context(session, comments)
    sites = visible_sites()
    return [
        Card(
            comment=c,
            article=details.articles[c.article_id],
            site=sites[c.site_id],
            flags=details.flags.get(c.id, []),
            history=details.history.get(c.id, []),
            author=context.author_of(c),
            parent=context.parents.get(c.parent_id) if c.parent_id else None,
            actions=actions_for(c.status, reported=c.open_flag_count > 0),
        )
        for c in comments
    ]


@bp.get("/")
def overview() -> str:
    """At a glance: queue sizes, the oldest pending comment, decisions per day, time to decide."""
    glance = figures.at_a_glance(db.session(), site_ids=g.site_ids)
    per_day_max = max((n for _day, n in glance.decisions_per_day), default=0)
    return render_template(
        "dashboard/overview.html",
        glance=glance,
        sites=visible_sites(),
        per_day_max=max(per_day_max, 1),
    )


@bp.get("/queue")
def queue_page() -> str:
    """One queue view (a tab), filtered by site and article, oldest first unless asked."""
    filters = read_filters(request.args)
    view = one_of(request.args, "view", queue.QUEUE_VIEWS, "pending")
    order = one_of(request.args, "order", ORDERS, "oldest")
    cursor = request.args.get("cursor") or None
    page = queue.list_queue(
        db.session(),
        site_ids=filters.site_ids,
        view=view,
        article_id=filters.article.id if filters.article else None,
        limit=PAGE_SIZE,
        cursor=cursor,
        newest_first=order == "newest",
        by_spam_score=order == "spam",
    )
    counts = queue.queue_counts(
        db.session(),
        site_ids=filters.site_ids,
        article_id=filters.article.id if filters.article else None,
    )
    return render_template(
        "dashboard/queue.html",
        cards=_cards(page.comments, page.details),
        counts=counts,
        view=view,
        order=order,
        filters=filters,
        sites=visible_sites(),
        cursor=cursor,
        next_cursor=page.next_cursor,
        bulk_actions=actions_for_view(view),
    )


def actions_for_view(view: str) -> list[Action]:
    """What the bulk bar offers on a tab: the actions that fit its comments' status."""
    if view in ("pending", "unreviewed"):
        return actions_for(Status.PENDING)
    if view == "flagged":  # public comments with reports: keep them up, or take them down
        return actions_for(Status.APPROVED, reported=True)
    return actions_for(Status(view))


@bp.get("/comments/<int:comment_id>")
def comment_page(comment_id: int) -> str:
    """One comment, its card and its whole log: where links from the log and search lead."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.site_id not in g.site_ids:
        abort(404)
    [card] = _cards([comment])
    return render_template("dashboard/comment.html", card=card)


@bp.get("/search")
def search() -> str:
    """Comments of every status whose text, author name or email contains the words."""
    filters = read_filters(request.args)
    words = search_text(request.args)
    cards: list[Card] = []
    next_cursor = None
    cursor = request.args.get("cursor") or None
    if words:
        page = queue.list_queue(
            db.session(),
            site_ids=filters.site_ids,
            view=queue.ALL_VIEW,
            article_id=filters.article.id if filters.article else None,
            search=words,
            limit=PAGE_SIZE,
            cursor=cursor,
            newest_first=True,
        )
        cards, next_cursor = _cards(page.comments, page.details), page.next_cursor
    return render_template(
        "dashboard/search.html",
        cards=cards,
        words=words or "",
        filters=filters,
        sites=visible_sites(),
        cursor=cursor,
        next_cursor=next_cursor,
    )


def _decide(decision: DecisionRequest) -> list[Comment]:
    moderator = auth.current_moderator()
    return queue.decide(
        db.session(),
        site_id=None,
        site_ids=g.site_ids,
        comment_ids=decision.ids,
        action=decision.action,
        actor=f"moderator:{moderator.email}",
        moderator_id=moderator.id,
        reason=decision.reason,
        explanation=decision.explanation,
        keep_reported=True,
    )


_DONE = {
    Action.APPROVE: "approved",
    Action.REJECT: "rejected",
    Action.SPAM: "marked as spam",
    Action.RESTORE: "restored to the queue",
}


def _done(decision: DecisionRequest) -> str:
    count = len(decision.ids)
    return f"{count} comment{'s' if count != 1 else ''} {_DONE[decision.action]}."


@bp.post("/decisions")
def decide() -> BaseResponse:
    """The form behind every card and the bulk bar (without JavaScript): decide, then back."""
    back = local_next(request.form.get("next"), url_for("dashboard.queue_page"))
    try:
        decision = decision_request(request.form.getlist("ids"), request.form)
        _decide(decision)
    except ApiError as exc:
        db.session.rollback()
        flash(f"Not saved: {exc.message}", "error")
        return redirect(back)
    db.session.commit()
    flash(_done(decision), "info")
    return redirect(back)


@bp.post("/api/decisions")
def decide_json() -> Response:
    """The same for ``dashboard.js``: ``{"ids", "action", "reason"?, "explanation"?, "site"?,
    "article"?}`` answers the comments' new statuses and the tab counts for the page's filters
    (``counts``, as of log entry ``as_of``), or the API's error shape."""
    data = json_body()
    ids = data.get("ids")
    if not isinstance(ids, list):
        raise validation_error("ids", "ids must be a list of comment ids.")
    decision = decision_request(ids, data)
    filters = read_filters({k: data.get(k) for k in ("site", "article") if data.get(k)})
    comments = _decide(decision)
    db.session.commit()
    as_of = figures.log_position(db.session())
    counts = queue.queue_counts(
        db.session(),
        site_ids=filters.site_ids,
        article_id=filters.article.id if filters.article else None,
    )
    return jsonify(
        {
            "comments": [{"id": c.id, "status": c.status.value} for c in comments],
            "counts": counts,
            # Answers to quick successive decisions can arrive out of order: the client keeps
            # the counts with the highest mark.
            "as_of": as_of,
            "message": _done(decision),
        }
    )
