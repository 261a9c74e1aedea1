"""The DSA's two queues in the dashboard: notices of illegal content to assess (Art. 16) and the
authors' appeals to decide (Art. 20), each a tab with its open count in the navigation.

The core (``comments.notices``, ``comments.appeals``) checks, decides and logs; these views read
the forms by the API's own shapes (``schemas.requests.AssessNotice``, ``DecideAppeal``), so a
form and the API refuse the same input with the same words, then commit. A refused form is shown
again with its message beside it and what was typed in it, answered 400 (403 for an appeal
against the moderator's own decision); another site's notice or appeal is "not found".
"""

from __future__ import annotations

from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from ..comments import appeals, notices
from ..db import db
from ..errors import ApiError, ValidationError
from ..models import AppealStatus, Assessment, Moderator, Reason, Statement
from ..schemas import requests
from ..schemas.parse import parse_values
from . import auth, present
from .blueprint import bp
from .filters import read_filters, visible_sites
from .forms import local_next

#: The assessments as the form words them, in the form's order.
ASSESSMENT_LABELS = {
    Assessment.ILLEGAL: "Illegal — remove",
    Assessment.HOUSE_RULES: "Not illegal but against the house rules — remove",
    Assessment.NO_ACTION: "No action",
}
#: The house rules a notice's comment can be removed under (illegal has its own assessment).
HOUSE_RULE_REASONS = (
    Reason.SPAM,
    Reason.ABUSE,
    Reason.OFF_TOPIC,
    Reason.PERSONAL_DATA,
    Reason.OTHER,
)
OUTCOME_LABELS = {"reverse": "reversed: the comment is published", "uphold": "upheld"}


def _open_counts() -> dict[str, int]:
    """The open notices and appeals of the moderator's sites, for the navigation: one query,
    asked once per request and only by a page that shows the navigation."""
    counts: dict[str, int] | None = g.get("dsa_open_counts")
    if counts is None:
        site_ids = list(g.get("site_ids") or [])
        open_notices, open_appeals = (
            notices.open_work(db.session(), site_ids) if site_ids else (0, 0)
        )
        counts = {"notices": open_notices, "appeals": open_appeals}
        g.dsa_open_counts = counts
    return counts


@bp.context_processor
def _dsa_globals() -> dict[str, Any]:
    # A function, not the counts: the login and asset pages never pay for the queries.
    return {"dsa_open_counts": _open_counts}


def _actor() -> tuple[str, int]:
    moderator = auth.current_moderator()
    return f"moderator:{moderator.email}", moderator.id


def _form_values(names: tuple[str, ...]) -> dict[str, str]:
    """The form's filled-in fields among ``names`` (an empty field is one not filled in)."""
    return {n: v for n in names if (v := (request.form.get(n) or "")).strip()}


def _notices_page(
    status: int = 200, error: str | None = None, failed: int | None = None
) -> tuple[str, int]:
    filters = read_filters(request.args)
    show_all = request.args.get("all") == "1"
    rows = notices.list_notices(db.session(), filters.site_ids, open_only=not show_all)
    # Every notice with all=1, the open ones first.
    rows.sort(key=lambda row: row[0].assessment is not None)
    if not any(f.id == failed and f.assessment is None for f, _c in rows):
        failed = None  # not on the page: the message goes above the list
    page = render_template(
        "dashboard/notices_tab.html",
        rows=rows,
        sites=visible_sites(),
        filters=filters,
        show_all=show_all,
        labels=ASSESSMENT_LABELS,
        house_reasons=HOUSE_RULE_REASONS,
        error=error,
        failed=failed,
        sent=request.form if failed is not None else {},
    )
    return page, status


@bp.get("/notices")
def notices_tab() -> tuple[str, int]:
    """The notices of illegal content on the moderator's sites, open ones to assess."""
    return _notices_page()


@bp.post("/notices/<id:notice_id>/assessment")
def assess_notice(notice_id: int) -> BaseResponse | tuple[str, int]:
    """Assess a notice: illegal (removed, with its legal ground), against the house rules
    (removed, with the rule) or no action; the notifier is told by the core."""
    actor, moderator_id = _actor()
    sent = _form_values(("assessment", "legal_ground", "reason", "explanation"))
    try:
        if "assessment" not in sent:
            raise ValidationError("assessment", "Choose an assessment of the notice.")
        # A field of the other assessments is what the moderator typed before changing their mind.
        if sent["assessment"] != Assessment.ILLEGAL:
            sent.pop("legal_ground", None)
        if sent["assessment"] != Assessment.HOUSE_RULES:
            sent.pop("reason", None)
        form = parse_values(requests.AssessNotice, sent)
        flag = notices.assess(
            db.session(),
            notice_id,
            g.site_ids,
            assessment=Assessment(form.assessment),
            actor=actor,
            moderator_id=moderator_id,
            legal_ground=form.legal_ground,
            explanation=form.explanation,
            reason=Reason(form.reason) if form.reason else None,
        )
    except ApiError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        return _notices_page(400, exc.message, notice_id)
    db.session.commit()
    what = ASSESSMENT_LABELS[Assessment(form.assessment)]
    flash(f"Notice {flag.receipt} assessed: {what}.", "info")
    return redirect(local_next(request.form.get("next"), url_for("dashboard.notices_tab")))


def _appeals_page(
    status: int = 200, error: str | None = None, failed: int | None = None
) -> tuple[str, int]:
    filters = read_filters(request.args)
    show_all = request.args.get("all") == "1"
    rows = appeals.list_appeals(db.session(), filters.site_ids, open_only=not show_all)
    rows.sort(key=lambda row: row[0].status is not AppealStatus.OPEN)
    if not any(a.id == failed and a.status is AppealStatus.OPEN for a, _s, _c in rows):
        failed = None  # not on the page: the message goes above the list
    page = render_template(
        "dashboard/appeals_tab.html",
        rows=rows,
        who=present.who,
        deciders=_deciders([s for _a, s, _c in rows]),
        sites=visible_sites(),
        filters=filters,
        show_all=show_all,
        error=error,
        failed=failed,
        sent=request.form if failed is not None else {},
    )
    return page, status


def _deciders(contested: list[Statement]) -> dict[int, str]:
    """The emails of the moderators who made the contested decisions, by id: a statement names
    no one (its author reads it), but the moderators deciding appeals need to know who did."""
    ids = {s.moderator_id for s in contested if s.moderator_id is not None}
    if not ids:
        return {}
    found = db.session.execute(select(Moderator.id, Moderator.email).where(Moderator.id.in_(ids)))
    return {moderator_id: email for moderator_id, email in found}


@bp.get("/appeals")
def appeals_tab() -> tuple[str, int]:
    """The authors' appeals on the moderator's sites; one against the moderator's own decision
    is for another moderator, and shows no form."""
    return _appeals_page()


@bp.post("/appeals/<id:appeal_id>/decision")
def decide_appeal(appeal_id: int) -> BaseResponse | tuple[str, int]:
    """Reverse (publish the comment) or uphold the contested decision."""
    actor, moderator_id = _actor()
    try:
        form = parse_values(requests.DecideAppeal, _form_values(("outcome", "explanation")))
        appeal = appeals.decide_appeal(
            db.session(),
            appeal_id,
            g.site_ids,
            reverse=form.outcome == "reverse",
            actor=actor,
            moderator_id=moderator_id,
            explanation=form.explanation,
        )
    except ApiError as exc:
        db.session.rollback()
        if exc.status == 404:
            raise
        # 403 for the moderator who made the contested decision; any other refusal is a 400.
        return _appeals_page(exc.status if exc.status == 403 else 400, exc.message, appeal_id)
    db.session.commit()
    flash(f"Appeal {appeal.id} {OUTCOME_LABELS[form.outcome]}.", "info")
    return redirect(local_next(request.form.get("next"), url_for("dashboard.appeals_tab")))
