"""The widget API of signed-in readers and reactions: who is signed in, signing out, and a
reader's reaction given or taken back.

Routes of the widget's blueprint (its CORS and error handling), kept apart from the thread and
submission views. A reader is named by ``X-Reader-Token`` (the site's login), a guest by
``X-Guest-Key`` (their browser's own key).
"""

from __future__ import annotations

from flask import Response, current_app

from ..comments import reactions
from ..comments import readers as accounts
from ..comments.submit import get_site
from ..db import db
from ..errors import (
    AlreadyReacted,
    IdentityRequired,
    InvalidReaderToken,
    NotFound,
    SignInRequired,
)
from ..models import Role, utcnow
from ..schemas import responses
from .limits import REACTION_LIMIT, limiter
from .operations import Answer, operation
from .payload import IDENTITY_HEADERS, READER_TOKEN, guest_key, reader_token
from .widget import _allow_origins, _json, bp

_TOKEN_ONLY = {READER_TOKEN: (IDENTITY_HEADERS[READER_TOKEN][0], True)}


def _required_token() -> str:
    token = reader_token()
    if token is None:
        raise InvalidReaderToken("Send the reader's token as X-Reader-Token.")
    return token


@bp.get("/sites/<slug:site>/reader")
@operation(
    id="getReader",
    summary="The signed-in reader a token names, as the thread will show them.",
    tag="widget",
    headers=_TOKEN_ONLY,
    answers={200: Answer(responses.ReaderView)},
    errors=(InvalidReaderToken, NotFound),
)
def get_reader(site: str) -> Response:
    found = get_site(db.session(), site)
    _allow_origins(found.origins)
    signed_in = accounts.identify(db.session(), found, _required_token(), utcnow())
    assert signed_in is not None
    claims = signed_in.claims
    view: responses.ReaderView = {
        "reader": {
            "name": claims.name or (signed_in.reader.name if signed_in.reader else ""),
            "badges": list(claims.badges),
            "staff": claims.role is Role.STAFF,
        }
    }
    response = _json(responses.ReaderView, view)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/sites/<slug:site>/logout")
@operation(
    id="signOut",
    summary="Sign a reader's token out: its `jti` is refused from now on.",
    tag="widget",
    headers=_TOKEN_ONLY,
    answers={204: Answer(description="Signed out.")},
    errors=(InvalidReaderToken, NotFound),
)
def sign_out(site: str) -> Response:
    found = get_site(db.session(), site)
    _allow_origins(found.origins)
    accounts.sign_out(db.session(), found, _required_token())
    db.session.commit()
    return Response(status=204)


REACTIONS = "/comments/<id:comment_id>/reactions"


def _reaction(comment_id: int, give: bool) -> Response:
    comment, site, key = reactions.reactor(
        db.session(),
        comment_id,
        secret_key=current_app.config["SECRET_KEY"],
        token=reader_token(),
        guest_key=guest_key(),
    )
    count = (reactions.react if give else reactions.unreact)(db.session(), comment, key)
    db.session.commit()
    _allow_origins(site.origins)
    answer: responses.ReactionCount = {
        "comment_id": comment_id,
        "reactions": count,
        "reacted": give,
    }
    return _json(responses.ReactionCount, answer, 201 if give else 200)


@bp.post(REACTIONS)
@operation(
    id="react",
    summary="A reader reacts to a public comment (one reaction each).",
    tag="widget",
    headers=IDENTITY_HEADERS,
    answers={201: Answer(responses.ReactionCount)},
    errors=(NotFound, AlreadyReacted, IdentityRequired, InvalidReaderToken, SignInRequired),
    rate_limited=True,
)
@limiter.limit(REACTION_LIMIT)
def react(comment_id: int) -> Response:
    return _reaction(comment_id, give=True)


@bp.delete(REACTIONS)
@operation(
    id="unreact",
    summary="A reader takes their reaction back.",
    tag="widget",
    headers=IDENTITY_HEADERS,
    answers={200: Answer(responses.ReactionCount)},
    errors=(NotFound, IdentityRequired, InvalidReaderToken, SignInRequired),
    rate_limited=True,
)
@limiter.limit(REACTION_LIMIT)
def unreact(comment_id: int) -> Response:
    return _reaction(comment_id, give=False)
