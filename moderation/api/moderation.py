"""The moderation API, for a site's own tools: the queue and decisions, behind a bearer token.

A token belongs to one site. Another site's queue is forbidden; another site's comment is not
found, so the API does not even confirm that it exists.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import bindparam, select

from .. import admin, queue, screening
from .. import validate as v
from ..extensions import db
from ..identity import token_hash
from ..models import ApiToken, Ban, BanKind, Comment, Reason, Site
from ..prepared import Prepared
from ..rules import RuleSettingsError
from ..serializers import moderator_comment, queued_comment, rfc3339
from .errors import ApiError, forbidden
from .payload import if_none_match, json_body

bp = Blueprint("moderation_api", __name__, url_prefix="/api/v1")

ACTIONS = tuple(a.value for a in queue.TRANSITIONS)
REASONS = tuple(r.value for r in Reason)
MAX_QUEUE_LIMIT = 200


# Built once: composing the statement cost more than running it.
_TOKEN_BY_HASH = select(ApiToken).where(
    ApiToken.token_hash == bindparam("hash"), ApiToken.revoked_at.is_(None)
)
# The queue page, read by a site's tools all day long, needs only the token's site and its queue
# version: one row read on the driver (see ``moderation.prepared``), not an ORM token and site.
_TOKEN_SITE = Prepared(
    select(ApiToken.site_id, Site.slug, Site.queue_version)
    .join(Site, Site.id == ApiToken.site_id)
    .where(ApiToken.token_hash == bindparam("hash"), ApiToken.revoked_at.is_(None))
)


def _bearer_hash() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "unauthorized",
            "Send a moderation API token: Authorization: Bearer <token>.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return token_hash(token.strip())


def _invalid_token() -> ApiError:
    return ApiError(
        401,
        "unauthorized",
        "This token is not valid (unknown or revoked).",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def _check_site(token_site: str, slug: str) -> None:
    if token_site != slug:
        raise forbidden(f"This token belongs to another site than {slug!r}.")


def _authenticate() -> ApiToken:
    found = db.session.scalar(_TOKEN_BY_HASH, {"hash": _bearer_hash()})
    if found is None:
        raise _invalid_token()
    return found


def _token_for_site(slug: str) -> ApiToken:
    token = _authenticate()
    _check_site(token.site.slug, slug)
    return token


def _queue_site_for_token(slug: str) -> tuple[int, int]:
    """The id and queue version of the site the request's token belongs to, which must be
    ``slug``."""
    row = _TOKEN_SITE.first(db.engine, {"hash": _bearer_hash()})
    if row is None:
        raise _invalid_token()
    site_id, token_site, version = row
    _check_site(token_site, slug)
    return int(site_id), int(version)


def _actor(token: ApiToken) -> str:
    return f"token:{token.label or token.id}"


def _describe(comments: list[Comment]) -> list[dict[str, Any]]:
    """Moderator JSON for comments, with a fixed number of queries (articles, flags, history)."""
    if not comments:
        return []
    details = queue.load_details(db.session(), comments)
    return [
        moderator_comment(
            c,
            details.articles[c.article_id],
            details.flags.get(c.id, ()),
            details.history.get(c.id, ()),
        )
        for c in comments
    ]


@bp.get("/sites/<site>/queue")
def get_queue(site: str) -> Response:
    """A page of the queue, served from the cache while the site's queue version stands.

    Every change a page shows moves the version on in its own transaction (see
    ``queue._queue_changed``), and the version is read before the page: a cached page is never
    older than its key. Tools that poll the queue send ``If-None-Match`` and get a 304 until
    something changes.
    """
    site_id, version = _queue_site_for_token(site)
    view = v.optional_choice(dict(request.args), "status", queue.QUEUE_VIEWS) or "pending"
    order = v.optional_choice(dict(request.args), "order", ("oldest", "newest", "spam"))
    limit_raw = request.args.get("limit", "50")
    if not limit_raw.isdigit() or not 1 <= int(limit_raw) <= MAX_QUEUE_LIMIT:
        raise ApiError(
            400,
            "validation_error",
            f"limit must be between 1 and {MAX_QUEUE_LIMIT}.",
            field="limit",
        )
    limit = int(limit_raw)
    article = request.args.get("article")
    article_key = v.article_key(article) if article is not None else None
    cursor = request.args.get("cursor") or None
    key = "queue:" + json.dumps(
        [site_id, version, view, order, article_key, cursor, limit], ensure_ascii=False
    )
    etag = '"q' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in if_none_match():
        return Response(status=304, headers=headers)
    cache = current_app.extensions["queue_cache"]
    body = cache.get(key)
    if body is None:
        body = _queue_page_json(site_id, view, order, article_key, limit, cursor)
        cache.set(key, body)
    return Response(body, mimetype="application/json", headers=headers)


def _queue_page_json(
    site_id: int,
    view: str,
    order: str | None,
    article_key: str | None,
    limit: int,
    cursor: str | None,
) -> bytes:
    page = queue.list_queue_rows(
        db.session(),
        site_id=site_id,
        view=view,
        article_key=article_key,
        limit=limit,
        cursor=cursor,
        newest_first=order == "newest",
        by_spam_score=order == "spam",
    )
    comments = [
        queued_comment(row, page.flags.get(row.id, ()), page.history.get(row.id, ()))
        for row in page.comments
    ]
    # Compact and in the fields' own order: jsonify would sort the keys of every comment first.
    return json.dumps(
        {"comments": comments, "next_cursor": page.next_cursor},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def _decision_fields(data: dict[str, Any]) -> tuple[queue.Action, Reason | None, str | None]:
    action = v.choice(data, "action", ACTIONS)
    reason = v.optional_choice(data, "reason", REASONS)
    explanation = v.optional_text_field(data, "explanation", max_length=v.MAX_EXPLANATION)
    return queue.Action(action), Reason(reason) if reason else None, explanation


@bp.post("/comments/<int:comment_id>/decision")
def decide_one(comment_id: int) -> Response:
    token = _authenticate()
    action, reason, explanation = _decision_fields(json_body())
    comments = queue.decide(
        db.session(),
        site_id=token.site_id,
        comment_ids=[comment_id],
        action=action,
        actor=_actor(token),
        reason=reason,
        explanation=explanation,
    )
    db.session.commit()
    return jsonify({"comment": _describe(comments)[0]})


@bp.post("/sites/<site>/decisions")
def decide_many(site: str) -> Response:
    token = _token_for_site(site)
    data = json_body()
    ids = data.get("ids")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) and not isinstance(i, bool) and i > 0 for i in ids)
    ):
        raise ApiError(400, "validation_error", "ids must be a list of comment ids.", field="ids")
    action, reason, explanation = _decision_fields(data)
    comments = queue.decide(
        db.session(),
        site_id=token.site_id,
        comment_ids=ids,
        action=action,
        actor=_actor(token),
        reason=reason,
        explanation=explanation,
    )
    db.session.commit()
    return jsonify({"comments": _describe(comments)})


# --- Bans -------------------------------------------------------------------------------------


def _ban_json(ban: Ban) -> dict[str, Any]:
    return {
        "id": ban.id,
        "kind": ban.kind.value,
        "label": ban.label,
        "reason": ban.reason,
        "comment_id": ban.comment_id,
        "created_by": ban.created_by,
        "created_at": rfc3339(ban.created_at),
        "expires_at": rfc3339(ban.expires_at),
    }


def _expiry(data: dict[str, Any]) -> datetime | None:
    raw = data.get("expires_at")
    if raw is None:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00")) if isinstance(raw, str) else None
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise ApiError(
            400,
            "validation_error",
            "expires_at must be an RFC 3339 time with a zone, like 2026-12-31T23:00:00Z.",
            field="expires_at",
        )
    return value


@bp.post("/sites/<site>/bans")
def create_ban(site: str) -> tuple[Response, int]:
    """Ban an author: ``{"kind": "email" | "author" | "ip", "comment_id"?, "email"?,
    "reason"?, "expires_at"?}``."""
    token = _token_for_site(site)
    data = json_body()
    kind = v.choice(data, "kind", tuple(k.value for k in BanKind))
    ban = admin.create_ban(
        db.session(),
        token.site_id,
        BanKind(kind),
        actor=_actor(token),
        secret_key=current_app.config["SECRET_KEY"],
        comment_id=v.optional_int(data, "comment_id"),
        email=v.email_field(data, "email"),
        reason=v.optional_text_field(data, "reason", max_length=v.MAX_EXPLANATION),
        expires_at=_expiry(data),
    )
    db.session.commit()
    return jsonify({"ban": _ban_json(ban)}), 201


@bp.get("/sites/<site>/bans")
def list_bans(site: str) -> Response:
    token = _token_for_site(site)
    return jsonify({"bans": [_ban_json(b) for b in admin.list_bans(db.session(), token.site_id)]})


@bp.delete("/sites/<site>/bans/<int:ban_id>")
def lift_ban(site: str, ban_id: int) -> Response:
    token = _token_for_site(site)
    admin.lift_ban(db.session(), token.site_id, ban_id)
    db.session.commit()
    return Response(status=204)


# --- Rule settings ----------------------------------------------------------------------------


@bp.get("/sites/<site>/rules")
def get_rules(site: str) -> Response:
    """The site's effective rule settings, and which of them it overrides."""
    token = _token_for_site(site)
    effective = screening.settings_for(token.site, current_app.extensions["screening_policy"])
    return jsonify({"rules": effective.to_json(), "overrides": token.site.rule_settings or {}})


@bp.patch("/sites/<site>/rules")
def update_rules(site: str) -> Response:
    """Override rule settings for this site; ``null`` returns a setting to the default."""
    token = _token_for_site(site)
    policy = current_app.extensions["screening_policy"]
    try:
        admin.update_rule_settings(token.site, json_body())
    except RuleSettingsError as exc:
        field = str(exc).split()[0]
        raise ApiError(400, "validation_error", str(exc), field=field) from None
    db.session.commit()
    effective = screening.settings_for(token.site, policy)
    return jsonify({"rules": effective.to_json(), "overrides": token.site.rule_settings})
