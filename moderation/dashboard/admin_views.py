"""Sites, people and API tokens: the admins' pages."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as BaseResponse

from .. import admin
from ..comments.readers import rotate_secret
from ..comments.screening import settings_for
from ..db import db
from ..errors import ApiError
from ..models import Site
from ..rules import RuleSettings
from ..schemas import requests
from ..schemas.parse import parse_values
from . import auth
from .blueprint import bp
from .forms import (
    COMMENTERS_LABELS,
    RULE_LABELS,
    ReadersForm,
    SiteForm,
    readers_form,
    rule_changes,
    site_form,
)


def _site(slug: str) -> Site:
    site = admin.get_sites_or_none(db.session(), slug)
    if site is None:
        abort(404)
    return site


# Shown in the snippet until ``public_url`` is configured: the snippet is pasted into other sites'
# templates, so its address must be the one the operator chose, never a request's Host header.
UNCONFIGURED_URL = "https://PUBLIC_URL"


def _embed_snippet(site: Site) -> str:
    """What a site's developers paste into their article template."""
    script = (current_app.config["SETTINGS"].public_url or UNCONFIGURED_URL) + "/embed.js"
    return (
        f'<div id="comments" data-site="{site.slug}"></div>\n<script src="{script}" async></script>'
    )


def _site_page(
    site: Site,
    form: SiteForm | None = None,
    error: str | None = None,
    status: int = 200,
    rules_error: str | None = None,
    readers: ReadersForm | None = None,
    readers_error: str | None = None,
) -> tuple[str, int]:
    policy = current_app.extensions["screening_policy"]
    page = render_template(
        "dashboard/site.html",
        site=site,
        form=form,
        error=error,
        tokens=admin.list_tokens(db.session(), site.id),
        snippet=_embed_snippet(site),
        public_url=current_app.config["SETTINGS"].public_url,
        rules=settings_for(site, policy).to_json(),
        # What each rule does without the site's own setting: shown beside it.
        rule_defaults=RuleSettings.from_mappings(policy.rule_defaults, {}).to_json(),
        rule_labels=RULE_LABELS,
        rules_error=rules_error,
        readers=readers,
        readers_error=readers_error,
        commenters_labels=COMMENTERS_LABELS,
    )
    return page, status


@bp.route("/sites", methods=["GET", "POST"])
@auth.admin_required
def sites() -> BaseResponse | tuple[str, int]:
    """Every site, and a form to add one."""
    form: SiteForm | None = None
    error = None
    if request.method == "POST":
        try:
            form = site_form(request.form)
            created = admin.create_site(
                db.session(),
                form.slug,
                form.origins,
                name=form.name or None,
                mode=form.mode,
                edit_window_minutes=form.edit_window_minutes,
            )
        except ApiError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(f"Site {created.slug} created.", "info")
            return redirect(url_for("dashboard.site", slug=created.slug))
    page = render_template(
        "dashboard/sites.html",
        sites=admin.list_sites(db.session()),
        form=form,
        error=error,
    )
    return page, 400 if error else 200


@bp.route("/sites/<slug:slug>", methods=["GET", "POST"])
@auth.admin_required
def site(slug: str) -> BaseResponse | tuple[str, int]:
    """Edit a site: name, origins, mode, edit window, closed; its tokens; its embed snippet."""
    found = _site(slug)
    if request.method == "GET":
        return _site_page(found)
    form = None
    try:
        form = site_form(request.form)
        admin.update_site(
            db.session(),
            found,
            name=form.name,
            origins=form.origins,
            mode=form.mode,
            edit_window_minutes=form.edit_window_minutes,
            closed=form.closed,
        )
    except ApiError as exc:
        db.session.rollback()
        return _site_page(_site(slug), form, exc.message, status=400)
    db.session.commit()
    flash(f"Site {found.slug} saved.", "info")
    return redirect(url_for("dashboard.site", slug=found.slug))


@bp.post("/sites/<slug:slug>/rules")
@auth.admin_required
def site_rules(slug: str) -> BaseResponse | tuple[str, int]:
    """The site's screening rules; values equal to the configured defaults follow them."""
    found = _site(slug)
    defaults = RuleSettings.from_mappings(
        current_app.extensions["screening_policy"].rule_defaults
    ).to_json()
    try:
        # Read by the API's own shape of rule changes: one answer for one input.
        changes = parse_values(requests.RulesPatch, rule_changes(request.form, defaults))
        admin.update_rule_settings(found, changes.model_dump(exclude_unset=True))
    except ApiError as exc:
        db.session.rollback()
        return _site_page(_site(slug), rules_error=exc.message, status=400)
    db.session.commit()
    flash(f"Screening rules of {found.slug} saved.", "info")
    return redirect(url_for("dashboard.site", slug=found.slug) + "#rules-title")


@bp.post("/sites/<slug:slug>/readers")
@auth.admin_required
def site_readers(slug: str) -> BaseResponse | tuple[str, int]:
    """Who may comment, where readers sign in, and the label of the reaction."""
    found = _site(slug)
    form = readers_form(request.form)
    try:
        admin.update_readers(
            db.session(),
            found,
            commenters=form.commenters,
            login_url=form.login_url,
            reaction_label=form.reaction_label,
        )
    except ApiError as exc:
        db.session.rollback()
        return _site_page(_site(slug), readers=form, readers_error=exc.message, status=400)
    db.session.commit()
    flash(f"Readers' settings of {found.slug} saved.", "info")
    return redirect(url_for("dashboard.site", slug=found.slug) + "#readers-title")


@bp.post("/sites/<slug:slug>/sso-secret")
@auth.admin_required
def rotate_sso_secret(slug: str) -> tuple[str, int]:
    """A new SSO secret, shown on this one answer only; the one it replaces keeps verifying
    readers' tokens for a day, while the publisher's servers move to the new one."""
    found = _site(slug)
    had_one = bool(found.sso_secret)
    secret = rotate_secret(db.session(), found)
    db.session.commit()
    page = render_template(
        "dashboard/sso_secret_created.html", site=found, secret=secret, had_one=had_one
    )
    return page, 201


@bp.post("/sites/<slug:slug>/tokens")
@auth.admin_required
def create_token(slug: str) -> tuple[str, int]:
    """A new API token, shown on this one answer only (it is stored hashed)."""
    found = _site(slug)
    try:
        record, token = admin.create_token(db.session(), found.slug, request.form.get("label", ""))
    except ApiError as exc:
        db.session.rollback()
        return _site_page(found, error=exc.message, status=400)
    db.session.commit()
    page = render_template("dashboard/token_created.html", site=found, record=record, token=token)
    return page, 201


@bp.post("/sites/<slug:slug>/tokens/<id:token_id>/revoke")
@auth.admin_required
def revoke_token(slug: str, token_id: int) -> BaseResponse | tuple[str, int]:
    found = _site(slug)
    try:
        record = admin.revoke_token(db.session(), found.id, token_id)
    except ApiError as exc:
        db.session.rollback()
        return _site_page(found, error=exc.message, status=404)
    db.session.commit()
    flash(f"Token {record.label or record.id} revoked: it no longer works.", "info")
    return redirect(url_for("dashboard.site", slug=found.slug))


@bp.route("/moderators", methods=["GET", "POST"])
@auth.admin_required
def moderators() -> BaseResponse | tuple[str, int]:
    """Every account, and a form to add one (with a first password to pass on)."""
    error = None
    if request.method == "POST":
        try:
            created = admin.create_moderator(
                db.session(),
                request.form.get("email", ""),
                request.form.get("password", ""),
                request.form.getlist("sites"),
                is_admin=request.form.get("is_admin") == "on",
            )
        except ApiError as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
            flash(f"{created.email} can now sign in.", "info")
            return redirect(url_for("dashboard.moderators"))
    page = render_template(
        "dashboard/moderators.html",
        moderators=admin.list_moderators(db.session()),
        sites=admin.list_sites(db.session()),
        error=error,
        form=request.form if error else None,
    )
    return page, 400 if error else 200


@bp.route("/moderators/<id:moderator_id>", methods=["GET", "POST"])
@auth.admin_required
def moderator(moderator_id: int) -> BaseResponse | tuple[str, int]:
    """One account: its sites and role, a new password, or its removal."""
    try:
        person = admin.get_moderator(db.session(), moderator_id)
    except ApiError:
        abort(404)
    error = None
    if request.method == "POST":
        what = request.form.get("what")
        try:
            if what == "password":
                admin.set_password(db.session(), person, request.form.get("password", ""))
                message = f"New password set for {person.email}; their sessions are signed out."
            elif what == "delete":
                email = person.email
                admin.delete_moderator(db.session(), person, auth.current_moderator())
                db.session.commit()
                flash(f"{email} removed; their decisions stay in the log.", "info")
                return redirect(url_for("dashboard.moderators"))
            else:
                admin.update_moderator(
                    db.session(),
                    person,
                    site_slugs=request.form.getlist("sites"),
                    is_admin=request.form.get("is_admin") == "on",
                    acting=auth.current_moderator(),
                )
                message = f"{person.email} saved."
        except ApiError as exc:
            db.session.rollback()
            error = exc.message
            person = admin.get_moderator(db.session(), moderator_id)
        else:
            db.session.commit()
            flash(message, "info")
            return redirect(url_for("dashboard.moderator", moderator_id=person.id))
    page = render_template(
        "dashboard/moderator.html",
        person=person,
        sites=admin.list_sites(db.session()),
        error=error,
    )
    return page, 400 if error else 200
