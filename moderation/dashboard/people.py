"""Measures about people, from the author's page and from every card: ban or suspend, always
pre-moderate, trust, lift any of them, keep notes; and finding an author by name, email or the
address of a comment. Plain forms (they work without script), each answered by a redirect back
with a message; every measure is logged by the core."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from ..comments import bans, notes, standing
from ..comments.authors import find_authors, is_author_key
from ..db import db
from ..errors import ApiError, ValidationError
from ..models import BanKind, Reason, Site, Standing, utcnow
from .blueprint import bp
from .filters import visible_sites
from .forms import local_next

#: The suspension presets a card and the author's page offer, by form value.
PRESETS = {"1h": timedelta(hours=1), "1d": timedelta(days=1), "7d": timedelta(days=7)}
PRESET_LABELS = {"1h": "1 hour", "1d": "1 day", "7d": "7 days", "date": "until a date",
                 "forever": "for good"}  # fmt: skip


def _site(slug: str) -> Site:
    site = next((s for s in visible_sites().values() if s.slug == slug), None)
    if site is None:
        abort(404)
    return site


def _actor() -> tuple[str, int]:
    return f"moderator:{g.moderator.email}", g.moderator.id


def _back(site: Site, author_key: str) -> str:
    # Back to the card's queue when the form came from one, else the author's page.
    target = request.form.get("next") or ""
    return local_next(
        target, url_for("dashboard.author_page", slug=site.slug, author_key=author_key)
    )


def until_from_form(form: Mapping[str, str], now: datetime | None = None) -> datetime | None:
    """When a measure ends, from the ``duration`` choice: a preset, a date (``until``, the end
    of that day in UTC) or ``forever`` (None)."""
    now = now or utcnow()
    get = form.get
    choice = get("duration") or "forever"
    if choice in PRESETS:
        return now + PRESETS[choice]
    if choice == "date":
        try:
            day = datetime.strptime(get("until") or "", "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise ValidationError("until", "Give the last day as YYYY-MM-DD.") from None
        return day + timedelta(days=1)
    if choice == "forever":
        return None
    raise ValidationError("duration", "Choose how long.")


def _reason_code() -> Reason | None:
    value = request.form.get("reason_code") or ""
    try:
        return Reason(value) if value else None
    except ValueError:
        raise ValidationError("reason_code", "Choose a reason from the list.") from None


def _explanation() -> str | None:
    text = " ".join((request.form.get("explanation") or "").split())
    if len(text) > 1000:
        raise ValidationError("explanation", "An explanation is at most 1,000 characters.")
    return text or None


def _done(site: Site, author_key: str, message: str) -> BaseResponse:
    db.session.commit()
    flash(message, "info")
    return redirect(_back(site, author_key))


def _failed(site: Site, author_key: str, error: ApiError) -> BaseResponse:
    db.session.rollback()
    flash(f"Not done: {error.message}", "error")
    return redirect(_back(site, author_key))


@bp.post("/sites/<slug:slug>/authors/<author_key>/ban")
def ban_author(slug: str, author_key: str) -> BaseResponse:
    """Ban or suspend the author of ``comment_id`` (by identity, email or address), optionally
    rejecting their comments awaiting a decision."""
    site = _site(slug)
    if not is_author_key(author_key):
        abort(404)
    actor, moderator_id = _actor()
    try:
        kind = BanKind(request.form.get("kind") or "author")
        comment_id = int(request.form.get("comment_id") or 0) or None
        comment = standing.comment_of_site(db.session(), site.id, comment_id or 0)
        if comment.author_key != author_key:
            abort(404)
        ends = until_from_form(request.form)
        bans.create_ban(
            db.session(),
            site.id,
            kind,
            actor=actor,
            moderator_id=moderator_id,
            secret_key=current_app.config["SECRET_KEY"],
            comment_id=comment.id,
            reason=_explanation(),
            reason_code=_reason_code(),
            expires_at=ends,
            reject_pending=request.form.get("reject_pending") == "1",
        )
    except ValueError:
        return _failed(site, author_key, ValidationError("kind", "Choose what to ban."))
    except ApiError as error:
        return _failed(site, author_key, error)
    name = comment.author_name
    how = f"suspended until {ends:%d %b %Y, %H:%M} UTC" if ends else "banned for good"
    return _done(site, author_key, f"{name} is {how}.")


@bp.post("/sites/<slug:slug>/bans/<id:ban_id>/lift")
def lift_ban(slug: str, ban_id: int) -> BaseResponse:
    site = _site(slug)
    author_key = request.form.get("author_key") or ""
    if not is_author_key(author_key):
        abort(404)
    actor, moderator_id = _actor()
    try:
        bans.lift_ban(db.session(), site.id, ban_id, actor=actor, moderator_id=moderator_id)
    except ApiError as error:
        return _failed(site, author_key, error)
    return _done(site, author_key, "The ban is lifted.")


@bp.post("/sites/<slug:slug>/authors/<author_key>/standing")
def set_standing(slug: str, author_key: str) -> BaseResponse:
    """Always pre-moderate, trust (``standing``), or ``lift`` the author's standing."""
    site = _site(slug)
    if not is_author_key(author_key):
        abort(404)
    actor, moderator_id = _actor()
    choice = request.form.get("standing") or ""
    try:
        if choice == "lift":
            standing.lift_standing(
                db.session(), site.id, author_key, actor=actor, moderator_id=moderator_id
            )
            return _done(site, author_key, "The rules alone judge this author again.")
        try:
            chosen = Standing(choice)
        except ValueError:
            raise ValidationError("standing", "Choose pre-moderate or trust.") from None
        ends = until_from_form(request.form)
        standing.set_standing(
            db.session(),
            site.id,
            author_key,
            chosen,
            actor=actor,
            moderator_id=moderator_id,
            reason=_reason_code(),
            explanation=_explanation(),
            expires_at=ends,
        )
    except ApiError as error:
        return _failed(site, author_key, error)
    what = "always pre-moderated" if chosen is Standing.PREMODERATED else "trusted"
    end = f" until {ends:%d %b %Y, %H:%M} UTC" if ends else ""
    return _done(site, author_key, f"This author is {what}{end}.")


@bp.post("/sites/<slug:slug>/authors/<author_key>/notes")
def add_note(slug: str, author_key: str) -> BaseResponse:
    site = _site(slug)
    if not is_author_key(author_key):
        abort(404)
    actor, _moderator_id = _actor()
    try:
        notes.add_note(db.session(), site.id, author_key, request.form.get("body") or "",
                       actor=actor)  # fmt: skip
    except ApiError as error:
        return _failed(site, author_key, error)
    return _done(site, author_key, "Note added.")


@bp.get("/sites/<slug:slug>/authors")
def find(slug: str) -> str:
    """Find authors by the name or email they commented under, or by a comment's address."""
    site = _site(slug)
    by = request.args.get("by") or "name"
    value = (request.args.get("q") or "").strip()
    found = []
    error = None
    if value:
        try:
            if by == "email":
                found = find_authors(db.session(), site.id, email=value)
            elif by == "ip":
                number = int(value.lstrip("#")) if value.lstrip("#").isdigit() else 0
                if not 0 < number < 2**31:
                    raise ValidationError("q", "Give the number of a comment.")
                found = find_authors(db.session(), site.id, ip_of_comment=number)
            else:
                found = find_authors(db.session(), site.id, name=value[:100])
        except ApiError as exc:
            error = exc.message
    return render_template(
        "dashboard/authors.html", site=site, by=by, q=value, found=found, error=error
    )
