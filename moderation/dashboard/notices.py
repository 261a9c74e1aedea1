"""Who is told what happens: a site's webhooks and Slack channels with what was delivered to
them (the admins' page), and the mails a moderator asks for (everyone's own page).

The outbox (``moderation.outbox``) checks and stores; these views only read the forms, show the
answers and commit. A new webhook secret is shown on one answer only, as tokens are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from .. import admin
from ..db import db
from ..errors import ApiError, ValidationError
from ..models import Endpoint, EndpointKind, Site, utcnow
from ..outbox import deliveries, endpoints
from ..outbox.events import PUBLIC_TYPES
from . import auth
from .blueprint import bp

#: The Slack topics as the page words them.
TOPIC_LABELS = {
    "pending": "Comments waiting for a moderator",
    "reported": "Readers' reports",
    "staff": "Staff comments",
}
assert tuple(TOPIC_LABELS) == endpoints.SLACK_TOPICS

#: A waiting-queue mail after this many minutes at the soonest and latest: sooner is noise,
#: later than a day is what the digest is for.
QUEUE_MINUTES = (5, 1440)


@dataclass(frozen=True)
class EndpointForm:
    """What an add form sent, shown again beside its error."""

    url: str = ""
    description: str = ""
    events: list[str] = field(default_factory=list)


def _site(slug: str) -> Site:
    site = admin.get_sites_or_none(db.session(), slug)
    if site is None:
        abort(404)
    return site


def _allow_private() -> bool:
    return bool(current_app.config["SETTINGS"].webhook_allow_private)


def _webhooks_page(
    site: Site,
    *,
    status: int = 200,
    webhook_error: str | None = None,
    webhook_form: EndpointForm | None = None,
    slack_error: str | None = None,
    slack_form: EndpointForm | None = None,
    error: str | None = None,
) -> tuple[str, int]:
    session = db.session()
    found = endpoints.list_endpoints(session, site.id)
    page = render_template(
        "dashboard/webhooks.html",
        site=site,
        endpoints=found,
        endpoint_by_id={e.id: e for e in found},
        deliveries=deliveries.recent(session, site.id),
        event_types=PUBLIC_TYPES,
        topic_labels=TOPIC_LABELS,
        now=utcnow(),
        webhook_error=webhook_error,
        webhook_form=webhook_form or EndpointForm(),
        slack_error=slack_error,
        slack_form=slack_form or EndpointForm(),
        error=error,
    )
    return page, status


def _secret_page(site: Site, endpoint: Endpoint, rotated: bool) -> tuple[str, int]:
    page = render_template(
        "dashboard/webhook_secret.html", site=site, endpoint=endpoint, rotated=rotated
    )
    return page, 201


@bp.route("/sites/<slug:slug>/webhooks", methods=["GET", "POST"])
@auth.admin_required
def webhooks(slug: str) -> tuple[str, int]:
    """The site's endpoints and latest deliveries; a POST adds a webhook and shows its secret."""
    found = _site(slug)
    if request.method == "GET":
        return _webhooks_page(found)
    form = EndpointForm(
        url=request.form.get("url", ""),
        description=request.form.get("description", ""),
        events=request.form.getlist("events"),
    )
    try:
        endpoint = endpoints.add_endpoint(
            db.session(),
            found.id,
            form.url,
            kind=EndpointKind.WEBHOOK,
            events=form.events,
            description=form.description,
            allow_private=_allow_private(),
        )
    except ApiError as exc:
        db.session.rollback()
        return _webhooks_page(_site(slug), status=400, webhook_error=exc.message, webhook_form=form)
    db.session.commit()
    return _secret_page(found, endpoint, rotated=False)


@bp.post("/sites/<slug:slug>/webhooks/slack")
@auth.admin_required
def add_slack(slug: str) -> BaseResponse | tuple[str, int]:
    """A Slack incoming webhook, sent the chosen topics (none chosen: all of them)."""
    found = _site(slug)
    form = EndpointForm(url=request.form.get("url", ""), events=request.form.getlist("topics"))
    try:
        endpoints.add_endpoint(
            db.session(),
            found.id,
            form.url,
            kind=EndpointKind.SLACK,
            events=form.events,
            allow_private=_allow_private(),
        )
    except ApiError as exc:
        db.session.rollback()
        return _webhooks_page(_site(slug), status=400, slack_error=exc.message, slack_form=form)
    db.session.commit()
    flash("Slack channel added.", "info")
    return redirect(url_for("dashboard.webhooks", slug=found.slug))


@bp.post("/sites/<slug:slug>/webhooks/<id:endpoint_id>/remove")
@auth.admin_required
def remove_endpoint(slug: str, endpoint_id: int) -> BaseResponse:
    """Remove an endpoint with its deliveries; another site's is not found."""
    found = _site(slug)
    endpoints.remove_endpoint(db.session(), found.id, endpoint_id)
    db.session.commit()
    flash("Endpoint removed: nothing more is sent to it.", "info")
    return redirect(url_for("dashboard.webhooks", slug=found.slug))


@bp.post("/sites/<slug:slug>/webhooks/<id:endpoint_id>/rotate")
@auth.admin_required
def rotate_webhook(slug: str, endpoint_id: int) -> tuple[str, int]:
    """A new signing secret, shown once; the old one signs beside it for a day, while the
    receiver moves over."""
    found = _site(slug)
    try:
        endpoint = endpoints.rotate_secret(db.session(), found.id, endpoint_id)
    except ValidationError as exc:
        db.session.rollback()
        return _webhooks_page(_site(slug), status=400, error=exc.message)
    db.session.commit()
    return _secret_page(found, endpoint, rotated=True)


@bp.post("/sites/<slug:slug>/deliveries/<id:delivery_id>/resend")
@auth.admin_required
def resend_delivery(slug: str, delivery_id: int) -> BaseResponse | tuple[str, int]:
    """Send a delivery again with a fresh set of tries (one still on its way is refused)."""
    found = _site(slug)
    try:
        deliveries.resend(db.session(), found.id, delivery_id)
    except ApiError as exc:
        db.session.rollback()
        return _webhooks_page(_site(slug), status=exc.status, error=exc.message)
    db.session.commit()
    flash(f"Delivery {delivery_id} is on its way again.", "info")
    return redirect(url_for("dashboard.webhooks", slug=found.slug) + "#deliveries-title")


# --- A moderator's own mail -------------------------------------------------------------------


@dataclass(frozen=True)
class NoticesForm:
    notify_reports: bool
    notify_queue_minutes: int | None
    notify_digest: bool


def notices_form(form: MultiDict[str, str]) -> NoticesForm:
    """The three mail choices; an empty number of minutes means no waiting-queue mail."""
    raw = (form.get("notify_queue_minutes") or "").strip()
    low, high = QUEUE_MINUTES
    minutes = None
    if raw:
        digits = raw.isascii() and raw.isdigit() and len(raw) <= 4
        if not digits or not low <= int(raw) <= high:
            raise ValidationError(
                "notify_queue_minutes",
                f"Mail about a waiting comment after {low} to {high} minutes, or leave it empty.",
            )
        minutes = int(raw)
    return NoticesForm(
        notify_reports=form.get("notify_reports") == "on",
        notify_queue_minutes=minutes,
        notify_digest=form.get("notify_digest") == "on",
    )


@bp.route("/account/notices", methods=["GET", "POST"])
def notices() -> BaseResponse | tuple[str, int]:
    """Which mails the signed-in moderator gets: each report, a queue left waiting, a digest."""
    moderator = auth.current_moderator()
    values: dict[str, object] = {
        "notify_reports": moderator.notify_reports,
        "notify_queue_minutes": moderator.notify_queue_minutes,
        "notify_digest": moderator.notify_digest,
    }
    error = None
    if request.method == "POST":
        try:
            form = notices_form(request.form)
        except ValidationError as exc:
            error = exc.message
            values = {
                "notify_reports": request.form.get("notify_reports") == "on",
                "notify_queue_minutes": request.form.get("notify_queue_minutes", ""),
                "notify_digest": request.form.get("notify_digest") == "on",
            }
        else:
            moderator.notify_reports = form.notify_reports
            moderator.notify_queue_minutes = form.notify_queue_minutes
            moderator.notify_digest = form.notify_digest
            db.session.commit()
            flash("Your mail notices are saved.", "info")
            return redirect(url_for("dashboard.notices"))
    page = render_template(
        "dashboard/notices.html",
        values=values,
        error=error,
        queue_minutes=QUEUE_MINUTES,
        mail_configured=bool(current_app.config["SETTINGS"].smtp_url),
    )
    return page, 400 if error else 200
