"""The public widget API: threads, counts, submissions, the author's edits and reader reports.

CORS is limited to each site's allowed origins. Views parse and check the request, call one
function of ``queue`` or ``threads`` and shape the answer; nothing else.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request, url_for
from sqlalchemy import select

from .. import queue, threads
from .. import validate as v
from ..extensions import (
    AUTHOR_SUBMIT_LIMIT,
    EDIT_LIMIT,
    REPORT_LIMIT,
    SUBMIT_LIMIT,
    author_limit_key,
    commit_unexpired,
    db,
    limiter,
    read_phase,
)
from ..fastpath import KNOWN_VERSION
from ..models import FLAG_REASONS, Comment, Reason, Site
from ..screening import Policy
from ..serializers import author_comment, rfc3339
from .headers import cors_headers, counts_headers, thread_headers
from .payload import (
    client_from_request,
    client_ip_hash,
    form_tokens,
    if_none_match,
    json_body,
)

bp = Blueprint("widget_api", __name__, url_prefix="/api/v1")

THREAD = "/sites/<site>/articles/<article:article>/comments"


def _policy() -> Policy:
    return current_app.extensions["screening_policy"]


def _allow_origins(origins: list[str]) -> None:
    g.cors_origins = origins


def _origins_of_comment(comment_id: int) -> list[str] | None:
    return db.session.scalar(
        select(Site.origins)
        .join(Comment, Comment.site_id == Site.id)
        .where(Comment.id == comment_id)
    )


def _origins_of_request() -> list[str]:
    args = request.view_args or {}
    if "site" in args:
        origins = db.session.scalar(select(Site.origins).where(Site.slug == args["site"]))
    elif "comment_id" in args:
        origins = _origins_of_comment(args["comment_id"])
    else:
        origins = None
    return origins or []


@bp.after_request
def _cors(response: Response) -> Response:
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if not origin:
        return response
    origins = g.get("cors_origins")
    if origins is None:
        # A preflight, or an error before the view knew its site: the widget on the publisher's
        # page must still be able to read the error and show it.
        if response.status_code >= 400:
            db.session.rollback()
        origins = _origins_of_request()
    response.headers.extend(cors_headers(origin, origins, request.method == "OPTIONS"))
    return response


@bp.get(THREAD)
def get_thread(site: str, article: str) -> Response:
    """Served by :mod:`moderation.fastpath` when the thread is cached; rendered here otherwise."""
    key = v.article_key(article)
    query = threads.parse_thread_query(request.args)
    result = threads.load_thread(
        db.engine,
        db.session,
        current_app.extensions["thread_cache"],
        site,
        key,
        query,
        if_none_match(),
        known=request.environ.get(KNOWN_VERSION),
    )
    _allow_origins(result.origins)
    if result.body is None:
        response = Response(status=304)
    else:
        response = Response(result.body, mimetype="application/json")
    max_age = current_app.config["SETTINGS"].thread_max_age
    response.headers.extend(thread_headers(result.etag, form_tokens().issue(site), max_age))
    return response


@bp.post(THREAD)
@limiter.limit(SUBMIT_LIMIT)
@limiter.limit(AUTHOR_SUBMIT_LIMIT, key_func=author_limit_key)
def post_comment(site: str, article: str) -> tuple[Response, int, dict[str, str]]:
    key = v.article_key(article)
    data = json_body()
    settings = current_app.config["SETTINGS"]
    new = queue.NewComment(
        body=v.text_field(data, "body", max_length=settings.max_comment_chars, label="comment"),
        author_name=v.single_line(
            v.text_field(data, "author_name", max_length=v.MAX_NAME, label="name"),
            "author_name",
            "name",
        ),
        author_email=v.email_field(data),
        parent_id=v.optional_int(data, "parent_id"),
        article_url=v.http_url(
            v.optional_text_field(data, "article_url", max_length=v.MAX_URL, label="URL"),
            "article_url",
        ),
        article_title=v.single_line(
            v.optional_text_field(data, "article_title", max_length=v.MAX_TITLE),
            "article_title",
            "article title",
        ),
    )
    session = db.session()
    with read_phase(session):
        screened = queue.screen_submission(
            session,
            site_slug=site,
            article_key=key,
            new=new,
            policy=_policy(),
            client=client_from_request(data, site),
        )
    submitted = queue.store_submission(session, screened)
    # The write lock is held until here; what was written is shaped after it, unexpired.
    commit_unexpired(session)
    comment = submitted.comment
    body = {"comment": author_comment(comment, submitted.site), "edit_token": submitted.edit_token}
    _allow_origins(submitted.site.origins)
    location = url_for(".get_own_comment", comment_id=comment.id)
    return jsonify(body), 201, {"Location": location}


@bp.get("/sites/<site>/counts")
def get_counts(site: str) -> Response:
    keys = [v.article_key(k) for k in request.args.getlist("article")]
    result = threads.count_comments(db.engine, site, keys)
    _allow_origins(result["origins"])
    response = Response(threads.counts_json(result["counts"]), mimetype="application/json")
    response.headers.extend(counts_headers(current_app.config["SETTINGS"].thread_max_age))
    return response


def _edit_token() -> str | None:
    return request.headers.get("X-Edit-Token")


@bp.get("/comments/<int:comment_id>")
def get_own_comment(comment_id: int) -> Response:
    """The author's view of their comment, whatever its status (with ``X-Edit-Token``)."""
    comment, site = queue.load_own_comment(db.session(), comment_id, _edit_token())
    _allow_origins(site.origins)
    response = jsonify({"comment": author_comment(comment, site)})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.patch("/comments/<int:comment_id>")
@limiter.limit(EDIT_LIMIT)
def edit_comment(comment_id: int) -> Response:
    data = json_body()
    settings = current_app.config["SETTINGS"]
    body = v.text_field(data, "body", max_length=settings.max_comment_chars, label="comment")
    comment, site = queue.edit(
        db.session(), comment_id, _edit_token(), body, _policy(), client_from_request()
    )
    db.session.commit()
    _allow_origins(site.origins)
    return jsonify({"comment": author_comment(comment, site)})


@bp.delete("/comments/<int:comment_id>")
@limiter.limit(EDIT_LIMIT)
def delete_comment(comment_id: int) -> Response:
    queue.delete_own(db.session(), comment_id, _edit_token())
    db.session.commit()
    origins = _origins_of_comment(comment_id)
    _allow_origins(origins or [])
    return Response(status=204)


@bp.post("/comments/<int:comment_id>/flags")
@limiter.limit(REPORT_LIMIT)
def flag_comment(comment_id: int) -> tuple[Response, int]:
    data = json_body()
    reason = v.choice(data, "reason", tuple(r.value for r in FLAG_REASONS))
    note = v.optional_text_field(data, "note", max_length=v.MAX_NOTE)
    flag = queue.report(
        db.session(), comment_id, Reason(reason), note, client_ip_hash() or "", _policy()
    )
    origins = _origins_of_comment(comment_id)
    db.session.commit()
    _allow_origins(origins or [])
    payload: dict[str, Any] = {
        "flag": {
            "comment_id": comment_id,
            "reason": flag.reason.value,
            "note": flag.note,
            "created_at": rfc3339(flag.created_at),
        }
    }
    return jsonify(payload), 201
