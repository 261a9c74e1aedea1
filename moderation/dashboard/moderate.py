"""The queue and the decisions: the pages a moderator spends the shift on.

Decisions go through :func:`moderation.comments.decide.decide`, limited to the moderator's sites,
from a plain form (it works without JavaScript) or from ``dashboard.js`` through the JSON
endpoint, both read by the API's own shape of a decision.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.wrappers import Response as BaseResponse

from .. import overview as figures
from ..api.payload import json_body
from ..comments import listing
from ..comments.decide import decide as decide_comments
from ..comments.screening import settings_for
from ..comments.staff import reply_as_staff
from ..db import db
from ..errors import ApiError
from ..models import PUBLIC_STATUSES, Action, Reason, Site, Status
from ..schemas import requests
from . import auth, present
from .blueprint import bp
from .filters import PAGE_SIZE, read_filters, visible_sites
from .forms import (
    ORDERS,
    actions_for,
    decision_form,
    featuring_for,
    local_next,
    one_of,
    search_text,
    staff_reply_form,
    staff_signature,
)

#: The statuses of a comment still waiting for a moderator's verdict.
AWAITING = frozenset({Status.PENDING, Status.PUBLISHED})
#: The log entries a decided card shows as its decision (a restore puts it back to wait).
SHOWN_VERDICTS = frozenset(
    {Action.APPROVE, Action.REJECT, Action.SPAM, Action.FEATURE, Action.UNFEATURE}
)


#: The rules that judge a comment's words (and its author's name).
WORD_RULES = frozenset({"blocked_word", "suspect_word"})


@dataclass(frozen=True)
class CardArticle:
    """What a card shows of the comment's article."""

    id: int
    key: str
    title: str | None
    url: str | None


@dataclass(frozen=True)
class Card:
    """One comment as a card shows it, with everything a moderator needs to decide."""

    comment: listing.QueuedComment
    article: CardArticle
    site: Site
    flags: Sequence[Any]
    history: Sequence[Any]
    author: listing.AuthorRecord
    parent: Any | None
    actions: list[Action]
    #: Feature or unfeature, whichever applies (None: neither), beside the other actions.
    feature: Action | None = None

    @property
    def can_answer(self) -> bool:
        """A staff answer goes under a public comment only."""
        return Status(self.comment.status) in PUBLIC_STATUSES

    @property
    def decisions(self) -> list[Action]:
        """Every action the card's form offers: the verdicts, then feature or unfeature."""
        return [*self.actions, *([self.feature] if self.feature else [])]

    @property
    def awaiting(self) -> bool:
        """Still waiting for a moderator: held (pending) or published without a decision. Only
        such a card says why it was held; a decided one shows its decision instead."""
        return Status(self.comment.status) in AWAITING

    @property
    def decision(self) -> Any | None:
        """The moderator's decision that gave the comment its status, the latest one (None when
        it waits, or when no verdict led there: an author's deletion)."""
        if self.awaiting:
            return None
        status = Status(self.comment.status)
        return next(
            (
                d
                for d in reversed(self.history)
                if d.action in SHOWN_VERDICTS and d.to_status == status
            ),
            None,
        )

    @property
    def decided_by(self) -> str:
        """Who took :attr:`decision`, in words."""
        return present.who(self.decision.actor) if self.decision is not None else ""

    @property
    def marked_words(self) -> tuple[str, ...]:
        """The site's blocked and suspect words when one of them caught the comment: the card
        marks them in its text, so the moderator sees at once what the rule saw."""
        if not WORD_RULES & set(self.comment.held_because):
            return ()
        settings = settings_for(self.site, current_app.extensions["screening_policy"])
        return (*settings.blocked_words, *settings.suspect_words)

    @property
    def held_reasons(self) -> list[tuple[str, str | None]]:
        """Each rule that held the comment with what it saw ("3 links"), from the system's
        entries in the comment's log."""
        seen = {d.actor: d.explanation for d in self.history if d.actor.startswith("system:")}
        return [(rule, seen.get(f"system:{rule}")) for rule in self.comment.held_because]


def _cards(page: listing.QueuePage) -> list[Card]:
    context = listing.load_context(db.session(), page.comments)
    sites = visible_sites()
    return [
        Card(
            comment=c,
            article=CardArticle(c.article_id, c.article_key, c.article_title, c.article_url),
            site=sites[c.site_id],
            flags=page.flags.get(c.id, []),
            history=page.history.get(c.id, []),
            author=context.author_of(c),
            parent=context.parents.get(c.parent_id) if c.parent_id else None,
            actions=actions_for(c.status, reported=c.open_flag_count > 0),
            feature=featuring_for(c.status, bool(c.featured)),
        )
        for c in page.comments
    ]


@bp.get("/")
def overview() -> str:
    """At a glance: queue sizes, the oldest pending comment, decisions per day, time to decide."""
    # Imported here, so this view's figures stay out of the queue's imports.
    from .. import charts
    from ..models import MODERATOR_ACTIONS
    from .forms import ACTION_LABELS, REASON_LABELS

    glance = figures.at_a_glance(db.session(), site_ids=g.site_ids)
    days = [d.day for d in glance.queue_days]
    actions = [a for a in MODERATOR_ACTIONS if any(a in d.by_action for d in glance.decision_days)]
    reasons = [r for r in Reason if any(r in d.by_reason for d in glance.decision_days)]
    drawn = {
        "queue": charts.line_chart(
            "chart-queue",
            "Pending comments at the end of each day",
            days,
            [charts.Series("pending", "Pending", [d.pending for d in glance.queue_days])],
        ),
        "oldest": charts.line_chart(
            "chart-oldest",
            "Age of the oldest pending comment at the end of each day",
            days,
            [
                charts.Series(
                    "oldest",
                    "Oldest pending",
                    [d.oldest_pending_seconds for d in glance.queue_days],
                )
            ],
            value_label=charts.duration_label,
            ticks_for=charts.duration_ticks,
        ),
        "actions": charts.stacked_bars(
            "chart-actions",
            "Moderators' decisions per day, by action",
            days,
            [
                charts.Series(
                    a.value, ACTION_LABELS[a], [d.by_action.get(a, 0) for d in glance.decision_days]
                )
                for a in actions
            ],
        ),
        "reasons": charts.stacked_bars(
            "chart-reasons",
            "Moderators' rejections and spam per day, by reason",
            days,
            [
                charts.Series(
                    f"reason-{r.value}",
                    REASON_LABELS[r],
                    [d.by_reason.get(r, 0) for d in glance.decision_days],
                )
                for r in reasons
            ],
        ),
        "timing": charts.line_chart(
            "chart-timing",
            "Time from submission to a moderator's decision, per day",
            days,
            [
                charts.Series("median", "Median", [d.median_seconds for d in glance.timing_days]),
                charts.Series(
                    "p90", "90th percentile", [d.p90_seconds for d in glance.timing_days]
                ),
            ],
            value_label=charts.duration_label,
            ticks_for=charts.duration_ticks,
        ),
    }
    return render_template(
        "dashboard/overview.html",
        glance=glance,
        sites=visible_sites(),
        charts=drawn,
        actions=actions,
        reasons=reasons,
    )


@bp.get("/queue")
def queue_page() -> str:
    """One queue view (a tab), filtered by site and article, oldest first unless asked."""
    filters = read_filters(request.args)
    view = one_of(request.args, "view", listing.QUEUE_VIEWS, "pending")
    order = one_of(request.args, "order", ORDERS, "oldest")
    cursor = request.args.get("cursor") or None
    page = listing.list_queue(
        db.session(),
        listing.QueueQuery(
            site_ids=filters.site_ids,
            view=view,
            article_id=filters.article.id if filters.article else None,
            limit=PAGE_SIZE,
            cursor=cursor,
            order=order,
        ),
    )
    counts = listing.queue_counts(
        db.session(),
        site_ids=filters.site_ids,
        article_id=filters.article.id if filters.article else None,
    )
    return render_template(
        "dashboard/queue.html",
        cards=_cards(page),
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


@bp.get("/comments/<id:comment_id>")
def comment_page(comment_id: int) -> str:
    """One comment, its card and its whole log: where links from the log and search lead."""
    page = listing.load_comments(db.session(), [comment_id], g.site_ids)
    if not page.comments:
        abort(404)
    [card] = _cards(page)
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
        page = listing.list_queue(
            db.session(),
            listing.QueueQuery(
                site_ids=filters.site_ids,
                view=listing.ALL_VIEW,
                article_id=filters.article.id if filters.article else None,
                search=words,
                limit=PAGE_SIZE,
                cursor=cursor,
                order="newest",
            ),
        )
        cards, next_cursor = _cards(page), page.next_cursor
    return render_template(
        "dashboard/search.html",
        cards=cards,
        words=words or "",
        filters=filters,
        sites=visible_sites(),
        cursor=cursor,
        next_cursor=next_cursor,
    )


def _decide(decision: requests.AnyBulkDecision) -> None:
    moderator = auth.current_moderator()
    reason = getattr(decision, "reason", None)
    decide_comments(
        db.session(),
        site_id=None,
        site_ids=g.site_ids,
        comment_ids=decision.ids,
        action=Action(decision.action),
        actor=f"moderator:{moderator.email}",
        moderator_id=moderator.id,
        reason=Reason(reason) if reason else None,
        explanation=decision.explanation,
        keep_reported=True,
    )


_DONE = {
    Action.APPROVE: "approved",
    Action.REJECT: "rejected",
    Action.SPAM: "marked as spam",
    Action.RESTORE: "restored to the queue",
    Action.FEATURE: "featured",
    Action.UNFEATURE: "no longer featured",
}


def _done(decision: requests.AnyBulkDecision) -> str:
    count = len(set(decision.ids))
    return f"{count} comment{'s' if count != 1 else ''} {_DONE[Action(decision.action)]}."


@bp.post("/decisions")
def decide() -> BaseResponse:
    """The form behind every card and the bulk bar (without JavaScript): decide, then back."""
    back = local_next(request.form.get("next"), url_for("dashboard.queue_page"))
    try:
        decision = decision_form(request.form)
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
    """The same for ``dashboard.js``: the API's body of a bulk decision (``{"ids", "action",
    "reason"?, "explanation"?}``), the page's filters in the query (``?site=&article=``).
    Answers the comments' new statuses and the tab counts for those filters (``counts``, as of
    log entry ``as_of``), or the API's error shape."""
    decision: requests.AnyBulkDecision = json_body(requests.BulkDecision)
    filters = read_filters(request.args)
    _decide(decision)
    db.session.commit()
    page = listing.load_comments(db.session(), list(dict.fromkeys(decision.ids)), g.site_ids)
    as_of = figures.log_position(db.session())
    counts = listing.queue_counts(
        db.session(),
        site_ids=filters.site_ids,
        article_id=filters.article.id if filters.article else None,
    )
    return Response(
        _decided_json(page, counts, as_of, _done(decision)), mimetype="application/json"
    )


@bp.post("/comments/<id:comment_id>/answer")
def answer(comment_id: int) -> BaseResponse:
    """Answer a public comment as staff: published at once, marked as staff, logged as the
    moderator's approval (``comments.staff.reply_as_staff``); then back to the page."""
    here_ = url_for("dashboard.comment_page", comment_id=comment_id)
    back = local_next(request.form.get("next"), here_)
    moderator = auth.current_moderator()
    reply = staff_reply_form(request.form)
    try:
        published = reply_as_staff(
            db.session(),
            parent_id=comment_id,
            body=reply.body,
            author_name=reply.author_name or staff_signature(moderator.email),
            actor=f"moderator:{moderator.email}",
            moderator_id=moderator.id,
            secret_key=current_app.config["SECRET_KEY"],
            site_ids=set(g.site_ids),
        )
    except ApiError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        flash(f"Answer not published: {exc.message}", "error")
        return redirect(back)
    db.session.commit()
    flash(
        f"Your answer to comment {comment_id} is published as staff (comment {published.id}).",
        "info",
    )
    return redirect(back)


def _decided_json(
    page: listing.QueuePage, counts: dict[str, int], as_of: int, message: str
) -> bytes:
    return json.dumps(
        {
            "comments": [{"id": c.id, "status": c.status.value} for c in page.comments],
            "counts": counts,
            # Answers to quick successive decisions can arrive out of order: the client keeps
            # the counts with the highest mark.
            "as_of": as_of,
            "message": message,
        }
    ).encode()
