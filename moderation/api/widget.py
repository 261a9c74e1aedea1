"""The public widget API: threads, counts, submissions, the author's edits and reader reports.

CORS is limited to each site's allowed origins. Views parse the request into the contract's
shapes, call one function of the core (``comments`` or ``threads``) and shape the answer; nothing
else.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, g, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import dsa_serializers, threads
from ..comments import appeals, notices, reports
from ..comments import edit as own
from ..comments.statements import for_author
from ..comments.submit import NewComment, submit
from ..db import db
from ..errors import (
    AlreadyDecided,
    AlreadyReported,
    ArticleClosed,
    Banned,
    EditWindowClosed,
    Forbidden,
    IdempotencyKeyReused,
    InvalidEditToken,
    InvalidReaderToken,
    NotFound,
    SignInRequired,
)
from ..fastpath import KNOWN_VERSION
from ..models import Comment, IdempotentRequest, Reason, Site, Status
from ..schemas import requests, responses
from ..serializers import author_comment, dump, flag_receipt, mail_notice
from . import idempotency
from .headers import cors_headers, counts_headers, thread_headers
from .limits import (
    AUTHOR_SUBMIT_LIMIT,
    EDIT_LIMIT,
    REPORT_LIMIT,
    SUBMIT_LIMIT,
    author_limit_key,
    limiter,
)
from .operations import Answer, from_settings, operation
from .payload import (
    IDENTITY_HEADERS,
    READER_TOKEN,
    client_from_request,
    client_ip_hash,
    editing_client,
    form_tokens,
    if_none_match,
    json_body,
    query,
    reader_token,
)

bp = Blueprint("widget_api", __name__, url_prefix="/api/v1")

THREAD = "/sites/<slug:site>/articles/<article:article>/comments"
EDIT_TOKEN = {"X-Edit-Token": ("The `edit_token` handed out when the comment was posted.", True)}


def comment_body_bytes(max_chars: int) -> int:
    """The largest body a comment of ``max_chars`` can take: every character written as a JSON
    escape of a surrogate pair (12 bytes), and room for the other fields."""
    return max_chars * 12 + (16 << 10)


def _json(shape: object, value: object, status: int = 200) -> Response:
    return Response(dump(shape, value), status=status, mimetype="application/json")


def _policy():  # type: ignore[no-untyped-def]
    return current_app.extensions["screening_policy"]


def _settings():  # type: ignore[no-untyped-def]
    return current_app.config["SETTINGS"]


def _allow_origins(origins: list[str]) -> None:
    g.cors_origins = origins


def _origins_of_comment(comment_id: int) -> list[str] | None:
    return db.session.scalar(
        select(Site.origins)
        .join(Comment, Comment.site_id == Site.id)
        .where(Comment.id == comment_id)
    )


def _origins_of_site(slug: str) -> list[str] | None:
    return db.session.scalar(select(Site.origins).where(Site.slug == slug))


def _origins_of_request() -> list[str]:
    args = request.view_args or {}
    if "site" in args:
        origins = _origins_of_site(args["site"])
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


THREAD_HEADERS = {
    "ETag": "Changes with anything the thread shows; send it back as `If-None-Match`.",
    "Cache-Control": "Shared caches may keep the thread briefly, then revalidate.",
    "X-Form-Token": "Send it back as `form_token` with a comment.",
}


@bp.get(THREAD)
@operation(
    id="getThread",
    summary="The public comments of one article, replies attached to their parents.",
    tag="widget",
    query=requests.ThreadQuery,
    headers={"If-None-Match": ("An ETag of this thread the client holds.", False)},
    answers={
        200: Answer(
            responses.Thread,
            headers=THREAD_HEADERS,
            links={
                "nextPage": {
                    "operationId": "getThread",
                    "parameters": {
                        "site": "$request.path.site",
                        "article": "$request.path.article",
                        "cursor": "$response.body#/next_cursor",
                    },
                }
            },
        ),
        304: Answer(
            description="Unchanged since the `If-None-Match` ETag.", headers=THREAD_HEADERS
        ),
    },
    errors=(NotFound,),
)
def get_thread(site: str, article: str) -> Response:
    """Served by :mod:`moderation.fastpath` when the thread is cached; rendered here otherwise."""
    key = threads.parse_article_key(article)
    thread_query = threads.parse_thread_query(request.args)
    result = threads.load_thread(
        db.engine,
        db.session,
        current_app.extensions["thread_cache"],
        site,
        key,
        thread_query,
        if_none_match(),
        known=request.environ.get(KNOWN_VERSION),
    )
    _allow_origins(result.origins)
    if result.body is None:
        response = Response(status=304)
    else:
        response = Response(result.body, mimetype="application/json")
    max_age = _settings().thread_max_age
    response.headers.extend(thread_headers(result.etag, form_tokens().issue(site), max_age))
    return response


_OWN_COMMENT_LINK = {
    "operationId": "getOwnComment",
    "parameters": {
        "comment_id": "$response.body#/comment/id",
        "X-Edit-Token": "$response.body#/edit_token",
    },
}


@bp.post(THREAD)
@operation(
    id="submitComment",
    summary="Submit a comment: it is sanitized, screened and queued.",
    description="What survives of `body` is decided by the sanitizer, never by the client.",
    tag="widget",
    body=from_settings(lambda settings: requests.submit_comment(settings.max_comment_chars)),
    max_body=lambda settings: comment_body_bytes(settings.max_comment_chars),
    answers={
        201: Answer(
            responses.CreatedComment,
            headers={"Location": "The author's view of the comment.", **idempotency.REPLAYED},
            links={
                "ownComment": _OWN_COMMENT_LINK,
                "editComment": {**_OWN_COMMENT_LINK, "operationId": "editComment"},
                "deleteComment": {**_OWN_COMMENT_LINK, "operationId": "deleteComment"},
            },
        )
    },
    errors=(
        Forbidden,
        ArticleClosed,
        Banned,
        SignInRequired,
        InvalidReaderToken,
        NotFound,
        IdempotencyKeyReused,
    ),
    headers={**idempotency.DECLARED, **IDENTITY_HEADERS},
    rate_limited=True,
)
@limiter.limit(SUBMIT_LIMIT, exempt_when=idempotency.is_replay)
@limiter.limit(AUTHOR_SUBMIT_LIMIT, key_func=author_limit_key, exempt_when=idempotency.is_replay)
def post_comment(site: str, article: str) -> Response:
    key = threads.parse_article_key(article)
    submission = json_body(requests.submit_comment(_settings().max_comment_chars))
    retry = idempotency.requested()
    secret_key = current_app.config["SECRET_KEY"]
    # Read (and checked) before a retry is answered: a malformed header is refused even on a
    # request whose first copy went through.
    client = client_from_request(submission.form_token, submission.website)
    if retry is not None and (earlier := idempotency.earlier_answer()) is not None:
        return _replayed_submission(site, retry, earlier)
    submitted = submit(
        db.session(),
        site_slug=site,
        article_key=key,
        new=NewComment(
            body=submission.body,
            author_name=submission.author_name,
            author_email=submission.author_email,
            parent_id=submission.parent_id,
            article_url=submission.article_url,
            article_title=submission.article_title,
            notify=tuple(submission.notify),
            lang=submission.lang,
        ),
        policy=_policy(),
        client=client,
        edit_token=retry.edit_token(secret_key) if retry else None,
    )
    comment = submitted.comment
    response = _json(
        responses.CreatedComment,
        {
            "comment": author_comment(comment, submitted.site),
            "edit_token": submitted.edit_token,
            "notify": mail_notice(submitted.mail),
        },
        201,
    )
    response.headers["Location"] = url_for(".get_own_comment", comment_id=comment.id)
    if retry is not None:
        try:
            idempotency.remember(
                db.session(), retry, comment.id, response, secret_fields=("edit_token",)
            )
        except IntegrityError:
            winner = idempotency.replay_after_race(db.session(), retry)
            return _replayed_submission(site, retry, winner)
    db.session.commit()
    _allow_origins(submitted.site.origins)
    return response


def _replayed_submission(site: str, retry: idempotency.Key, earlier: IdempotentRequest) -> Response:
    _allow_origins(_origins_of_site(site) or [])
    secret_key = current_app.config["SECRET_KEY"]
    return idempotency.replay(earlier, edit_token=retry.edit_token(secret_key))


COUNTS_HEADERS = {"Cache-Control": "Shared caches may keep the counts briefly."}


def _counts_response(site: str, keys: list[str]) -> Response:
    result = threads.count_comments(db.engine, site, keys)
    _allow_origins(result["origins"])
    response = Response(threads.counts_json(result["counts"]), mimetype="application/json")
    response.headers.extend(counts_headers(_settings().thread_max_age))
    return response


@bp.get("/sites/<slug:site>/counts")
@operation(
    id="getCounts",
    summary="Public comment counts of up to 100 articles.",
    description="For more keys than fit in an address, `POST` the same list.",
    tag="widget",
    query=requests.CountsQuery,
    answers={200: Answer(responses.Counts, headers=COUNTS_HEADERS)},
    errors=(NotFound,),
)
def get_counts(site: str) -> Response:
    """Served by :mod:`moderation.fastpath` when the query is plain; checked here otherwise."""
    return _counts_response(site, query(requests.CountsQuery).article)


@bp.post("/sites/<slug:site>/counts")
@operation(
    id="postCounts",
    summary="The same counts, the article keys in the body (up to 100 of up to 512 characters).",
    tag="widget",
    body=requests.CountsBody,
    # A hundred keys of 512 characters, each written as JSON escapes at worst.
    max_body=1 << 20,
    answers={200: Answer(responses.Counts, headers=COUNTS_HEADERS)},
    errors=(NotFound,),
)
def post_counts(site: str) -> Response:
    return _counts_response(site, json_body(requests.CountsBody).articles)


def _edit_token() -> str | None:
    return request.headers.get("X-Edit-Token")


#: The author's own comment: its edit token, or the token of the signed-in reader who wrote it.
AUTHOR_TOKENS = {
    "X-Edit-Token": ("The `edit_token` handed out when the comment was posted.", False),
    READER_TOKEN: ("Or: the signed-in reader who wrote it (their JWT).", False),
}


def author_view(comment: Comment, site: Site) -> responses.AuthorComment:
    """The author's view with the decision and the statement of reasons that keep it from the
    public, if any (shared with the appeal's answer)."""
    session = db.session()
    return author_comment(
        comment, site, own.verdict(session, comment), own_statement(session, comment)
    )


@bp.get("/comments/<id:comment_id>")
@operation(
    id="getOwnComment",
    summary="The author's own comment, whatever its status, with the reasons of a decision.",
    tag="widget",
    headers=AUTHOR_TOKENS,
    answers={200: Answer(responses.OwnComment)},
    errors=(InvalidEditToken, InvalidReaderToken, NotFound),
)
def get_own_comment(comment_id: int) -> Response:
    """The author's view of their comment, whatever its status (``X-Edit-Token``, or the
    signed-in author's ``X-Reader-Token``)."""
    comment, site = own.load_for_author(
        db.session(), comment_id, edit_token=_edit_token(), reader_token=reader_token()
    )
    _allow_origins(site.origins)
    response = _json(responses.OwnComment, {"comment": author_view(comment, site)})
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.patch("/comments/<id:comment_id>")
@operation(
    id="editComment",
    summary="The author edits within the edit window; the comment is screened again.",
    tag="widget",
    headers=EDIT_TOKEN,
    body=from_settings(lambda settings: requests.edit_comment(settings.max_comment_chars)),
    max_body=lambda settings: comment_body_bytes(settings.max_comment_chars),
    answers={200: Answer(responses.OwnComment)},
    errors=(InvalidEditToken, EditWindowClosed, ArticleClosed, AlreadyDecided, NotFound),
    rate_limited=True,
)
@limiter.limit(EDIT_LIMIT)
def edit_comment(comment_id: int) -> Response:
    body = json_body(requests.edit_comment(_settings().max_comment_chars)).body
    comment, site = own.edit(
        db.session(), comment_id, _edit_token(), body, _policy(), editing_client()
    )
    db.session.commit()
    _allow_origins(site.origins)
    return _json(responses.OwnComment, {"comment": author_comment(comment, site)})


@bp.delete("/comments/<id:comment_id>")
@operation(
    id="deleteComment",
    summary="The author deletes their comment within the edit window.",
    tag="widget",
    headers=EDIT_TOKEN,
    answers={204: Answer(description="Deleted.")},
    errors=(InvalidEditToken, EditWindowClosed, NotFound),
    rate_limited=True,
)
@limiter.limit(EDIT_LIMIT)
def delete_comment(comment_id: int) -> Response:
    own.delete_own(db.session(), comment_id, _edit_token())
    db.session.commit()
    _allow_origins(_origins_of_comment(comment_id) or [])
    return Response(status=204)


@bp.post("/comments/<id:comment_id>/flags")
@operation(
    id="flagComment",
    summary="A reader reports a public comment.",
    tag="widget",
    body=requests.FlagComment,
    answers={201: Answer(responses.FlagCreated, headers=idempotency.REPLAYED)},
    errors=(NotFound, AlreadyReported, IdempotencyKeyReused),
    headers=idempotency.DECLARED,
    rate_limited=True,
)
@limiter.limit(REPORT_LIMIT, exempt_when=idempotency.is_replay)
def flag_comment(comment_id: int) -> Response:
    report = json_body(requests.FlagComment)
    retry = idempotency.requested()
    origins = _origins_of_comment(comment_id)
    if retry is not None and (earlier := idempotency.earlier_answer()) is not None:
        _allow_origins(origins or [])
        return idempotency.replay(earlier)
    if report.reason == "illegal":
        flag = notices.file_notice(
            db.session(), comment_id, notice_of(report), client_ip_hash() or ""
        )
    else:
        flag = reports.report(
            db.session(), comment_id, Reason(report.reason), report.note, client_ip_hash() or "",
            _policy(),
        )  # fmt: skip
    receipt = (
        {"id": flag.receipt, "email_sent": flag.notifier_email is not None}
        if flag.receipt
        else None
    )
    response = _json(responses.FlagCreated, {"flag": flag_receipt(flag), "receipt": receipt}, 201)
    if retry is not None:
        try:
            idempotency.remember(db.session(), retry, comment_id, response)
        except IntegrityError:
            response = idempotency.replay(idempotency.replay_after_race(db.session(), retry))
    db.session.commit()
    _allow_origins(origins or [])
    return response


def notice_of(report: requests.FlagComment) -> notices.NewNotice:
    """A report of reason ``illegal`` as the notice it is."""
    return notices.NewNotice(
        category=report.category or "",
        law=report.law or "",
        explanation=report.explanation or "",
        notifier_name=report.notifier_name,
        notifier_email=report.notifier_email,
        good_faith=report.good_faith,
        lang=report.lang,
    )


def own_statement(session: Any, comment: Comment) -> responses.StatementOfReasons | None:
    """The statement of reasons its author reads. Not for the rules' own spam verdict until a
    person confirms it: the author is told "pending" then, so a bot learns nothing."""
    if comment.status is Status.SPAM and comment.decided_at is None:
        return None
    found = for_author(session, comment.id, comment.status)
    if found is None:
        return None
    return dsa_serializers.statement(found, appeals.latest_for(session, found.id))
