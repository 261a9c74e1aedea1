"""The moderation API, for a site's own tools: the queue, decisions, bans and rule settings,
behind a bearer token.

A token belongs to one site. Another site's queue is forbidden; another site's comment is not
found, so the API does not even confirm that it exists.
"""

from __future__ import annotations

import hashlib
import json

from flask import Blueprint, Response, current_app, request
from sqlalchemy import bindparam, select

from .. import admin
from ..cache import FORMAT
from ..comments import bans, listing
from ..comments.decide import decide
from ..comments.screening import settings_for
from ..db import db
from ..errors import Conflict, Forbidden, InvalidTransition, NotFound, Unauthorized
from ..identity import token_hash
from ..models import Action, ApiToken, BanKind, Reason, Site
from ..prepared import Prepared
from ..schemas import requests, responses
from ..serializers import ban as ban_json
from ..serializers import dump, moderator_comment
from .operations import Answer, operation
from .payload import if_none_match, json_body, query

bp = Blueprint("moderation_api", __name__, url_prefix="/api/v1")

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


def _json(shape: object, value: object, status: int = 200) -> Response:
    return Response(dump(shape, value), status=status, mimetype="application/json")


def _bearer_hash() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(headers={"WWW-Authenticate": "Bearer"})
    return token_hash(token.strip())


def _invalid_token() -> Unauthorized:
    return Unauthorized(
        "This token is not valid (unknown or revoked).",
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def _check_site(token_site: str, slug: str) -> None:
    if token_site != slug:
        raise Forbidden(f"This token belongs to another site than {slug!r}.")


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


def _described(ids: list[int], site_id: int) -> list[responses.ModeratorComment]:
    """The comments as moderators see them now, in the order of ``ids``."""
    page = listing.load_comments(db.session(), ids, [site_id])
    return [
        moderator_comment(row, page.flags.get(row.id, ()), page.history.get(row.id, ()))
        for row in page.comments
    ]


QUEUE_HEADERS = {
    "ETag": "Changes with anything the page shows; send it back as `If-None-Match`.",
    "Cache-Control": "For the token holder only; revalidate every time.",
}
_DECIDE_LINK = {
    "operationId": "decide",
    "parameters": {"comment_id": "$response.body#/comments/0/id"},
}


@bp.get("/sites/<slug:site>/queue")
@operation(
    id="getQueue",
    summary="A page of one queue view, oldest first.",
    tag="moderation",
    bearer=True,
    query=requests.QueueQuery,
    headers={"If-None-Match": ("An ETag of this page the client holds.", False)},
    answers={
        200: Answer(
            responses.QueuePage,
            headers=QUEUE_HEADERS,
            links={
                "nextPage": {
                    "operationId": "getQueue",
                    "parameters": {
                        "site": "$request.path.site",
                        "cursor": "$response.body#/next_cursor",
                    },
                },
                "decide": _DECIDE_LINK,
            },
        ),
        304: Answer(description="Unchanged since the `If-None-Match` ETag.", headers=QUEUE_HEADERS),
    },
    errors=(Forbidden,),
)
def get_queue(site: str) -> Response:
    """A page of the queue, served from the cache while the site's queue version stands.

    Every change a page shows moves the version on in its own transaction (see
    ``comments.writes.queue_changed``), and the version is read before the page: a cached page is
    never older than its key. Tools that poll the queue send ``If-None-Match`` and get a 304 until
    something changes.
    """
    site_id, version = _queue_site_for_token(site)
    asked = query(requests.QueueQuery)
    key = "queue:" + json.dumps(
        [FORMAT, site_id, version, asked.status, asked.order, asked.article, asked.cursor,
         asked.limit],
        ensure_ascii=False,
    )  # fmt: skip
    etag = '"q' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": "private, no-cache"}
    if etag in if_none_match():
        return Response(status=304, headers=headers)
    cache = current_app.extensions["queue_cache"]
    body = cache.get(key)
    if body is None:
        body = _queue_page_json(site_id, asked)
        cache.set(key, body)
    return Response(body, mimetype="application/json", headers=headers)


def _queue_page_json(site_id: int, asked: requests.QueueQuery) -> bytes:
    page = listing.list_queue(
        db.session(),
        listing.QueueQuery(
            site_id=site_id,
            view=asked.status,
            article_key=asked.article,
            order=asked.order,
            limit=asked.limit,
            cursor=asked.cursor,
        ),
    )
    comments = [
        moderator_comment(row, page.flags.get(row.id, ()), page.history.get(row.id, ()))
        for row in page.comments
    ]
    return dump(responses.QueuePage, {"comments": comments, "next_cursor": page.next_cursor})


def _decide(token: ApiToken, ids: list[int], decision: requests.AnyDecision) -> list[int]:
    reason = getattr(decision, "reason", None)
    decide(
        db.session(),
        site_id=token.site_id,
        comment_ids=ids,
        action=Action(decision.action),
        actor=_actor(token),
        reason=Reason(reason) if reason else None,
        explanation=decision.explanation,
    )
    db.session.commit()
    return list(dict.fromkeys(ids))


@bp.post("/comments/<id:comment_id>/decision")
@operation(
    id="decide",
    summary="Approve, reject, mark spam or restore one comment.",
    tag="moderation",
    bearer=True,
    body=requests.Decision,
    answers={200: Answer(responses.Decided)},
    errors=(NotFound, InvalidTransition),
)
def decide_one(comment_id: int) -> Response:
    token = _authenticate()
    decision: requests.AnyDecision = json_body(requests.Decision)
    [comment] = _described(_decide(token, [comment_id], decision), token.site_id)
    return _json(responses.Decided, {"comment": comment})


@bp.post("/sites/<slug:site>/decisions")
@operation(
    id="decideMany",
    summary="The same decision for many comments: all of them or none.",
    tag="moderation",
    bearer=True,
    body=requests.BulkDecision,
    answers={200: Answer(responses.DecidedMany)},
    errors=(Forbidden, NotFound, InvalidTransition),
)
def decide_many(site: str) -> Response:
    token = _token_for_site(site)
    decision: requests.AnyBulkDecision = json_body(requests.BulkDecision)
    ids = _decide(token, decision.ids, decision)
    return _json(responses.DecidedMany, {"comments": _described(ids, token.site_id)})


# --- Bans -------------------------------------------------------------------------------------


@bp.post("/sites/<slug:site>/bans")
@operation(
    id="createBan",
    summary="Ban an author by email, identity or address (of a named comment).",
    tag="moderation",
    bearer=True,
    body=requests.CreateBan,
    answers={201: Answer(responses.BanCreated)},
    errors=(Forbidden, NotFound, Conflict),
)
def create_ban(site: str) -> Response:
    token = _token_for_site(site)
    asked: requests.EmailBan | requests.AuthorBan | requests.AddressBan = json_body(
        requests.CreateBan
    )
    ban = bans.create_ban(
        db.session(),
        token.site_id,
        BanKind(asked.kind),
        actor=_actor(token),
        secret_key=current_app.config["SECRET_KEY"],
        comment_id=asked.comment_id,
        email=getattr(asked, "email", None),
        reason=asked.reason,
        reason_code=Reason(asked.reason_code) if asked.reason_code else None,
        expires_at=asked.expires_at,
        reject_pending=asked.reject_pending,
    )
    db.session.commit()
    return _json(responses.BanCreated, {"ban": ban_json(ban)}, 201)


@bp.get("/sites/<slug:site>/bans")
@operation(
    id="listBans",
    summary="The bans in force.",
    tag="moderation",
    bearer=True,
    answers={200: Answer(responses.Bans)},
    errors=(Forbidden,),
)
def list_bans(site: str) -> Response:
    token = _token_for_site(site)
    found = bans.list_bans(db.session(), token.site_id)
    return _json(responses.Bans, {"bans": [ban_json(b) for b in found]})


@bp.delete("/sites/<slug:site>/bans/<id:ban_id>")
@operation(
    id="liftBan",
    summary="Lift a ban.",
    tag="moderation",
    bearer=True,
    answers={204: Answer(description="Lifted.")},
    errors=(Forbidden, NotFound),
)
def lift_ban(site: str, ban_id: int) -> Response:
    token = _token_for_site(site)
    bans.lift_ban(db.session(), token.site_id, ban_id, actor=_actor(token))
    db.session.commit()
    return Response(status=204)


# --- Rule settings ----------------------------------------------------------------------------


def _rules(site: Site) -> Response:
    effective = settings_for(site, current_app.extensions["screening_policy"])
    return _json(responses.Rules, {"rules": effective, "overrides": site.rule_settings or {}})


@bp.get("/sites/<slug:site>/rules")
@operation(
    id="getRules",
    summary="The site's screening rules: the settings in force and the site's overrides.",
    tag="moderation",
    bearer=True,
    answers={200: Answer(responses.Rules)},
    errors=(Forbidden,),
)
def get_rules(site: str) -> Response:
    return _rules(_token_for_site(site).site)


@bp.patch("/sites/<slug:site>/rules")
@operation(
    id="updateRules",
    summary="Override rule settings; `null` returns one to the configured default.",
    tag="moderation",
    bearer=True,
    body=requests.RulesPatch,
    # Two word lists of 5,000 entries of 100 characters, written as JSON escapes at worst; read
    # only once the token is checked.
    max_body=16 << 20,
    answers={200: Answer(responses.Rules)},
    errors=(Forbidden,),
)
def update_rules(site: str) -> Response:
    token = _token_for_site(site)
    changes = json_body(requests.RulesPatch).model_dump(exclude_unset=True)
    admin.update_rule_settings(token.site, changes)
    db.session.commit()
    return _rules(token.site)
