"""The moderation API's people: look an author up, read their page, set or lift their standing,
and keep notes about them. Bans are in ``moderation.py`` beside the rest of the API they predate.
"""

from __future__ import annotations

from flask import Response, current_app

from ..comments import authors, notes, standing
from ..db import db
from ..errors import Forbidden, NotFound, ValidationError
from ..models import Reason, Standing
from ..schemas import requests, responses
from ..serializers import author as author_json
from ..serializers import moderator_comment, rfc3339
from ..serializers import note as note_json
from ..serializers import standing as standing_json
from .moderation import _actor, _json, _token_for_site, bp
from .operations import Answer, operation
from .payload import json_body, query


def _author_key(value: str) -> str:
    # Anything but an author key's form names no one: not found, as an unknown key is.
    if not authors.is_author_key(value):
        raise NotFound("There is no such author on this site.")
    return value


@bp.get("/sites/<slug:site>/authors")
@operation(
    id="findAuthors",
    summary="Find authors by the name or email they commented under, or by the address a "
    "comment came from.",
    tag="moderation",
    bearer=True,
    query=requests.FindAuthors,
    answers={200: Answer(responses.FoundAuthors)},
    errors=(Forbidden, ValidationError),
)
def find_authors(site: str) -> Response:
    token = _token_for_site(site)
    asked: requests.FindAuthors = query(requests.FindAuthors)
    found = authors.find_authors(
        db.session(),
        token.site_id,
        name=asked.name,
        email=asked.email,
        ip_of_comment=asked.ip_of_comment,
    )
    return _json(
        responses.FoundAuthors,
        {
            "authors": [
                {
                    "author_key": a.author_key,
                    "name": a.name,
                    "comments": a.comments,
                    "last_at": rfc3339(a.last_at),
                }
                for a in found
            ]
        },
    )


@bp.get("/sites/<slug:site>/authors/<author_key>")
@operation(
    id="getAuthor",
    summary="An author's page: record, standing, bans, notes and their comments, newest first.",
    tag="moderation",
    bearer=True,
    query=requests.AuthorPageQuery,
    answers={200: Answer(responses.AuthorAnswer)},
    errors=(Forbidden, NotFound),
)
def get_author(site: str, author_key: str) -> Response:
    token = _token_for_site(site)
    asked: requests.AuthorPageQuery = query(requests.AuthorPageQuery)
    page = authors.author_page(
        db.session(),
        site_id=token.site_id,
        author_key=_author_key(author_key),
        secret_key=current_app.config["SECRET_KEY"],
        limit=asked.limit or authors.DEFAULT_LIMIT,
        cursor=asked.cursor,
    )
    return _json(
        responses.AuthorAnswer,
        {
            "author": author_json(page),
            "comments": [
                moderator_comment(c, history=page.history.get(c.id, [])) for c in page.comments
            ],
            "next_cursor": page.next_cursor,
        },
    )


@bp.put("/sites/<slug:site>/authors/<author_key>/standing")
@operation(
    id="setStanding",
    summary="Always pre-moderate an author, or trust them (logged on their latest comment).",
    tag="moderation",
    bearer=True,
    body=requests.SetStanding,
    answers={200: Answer(responses.StandingSet)},
    errors=(Forbidden, NotFound),
)
def set_standing(site: str, author_key: str) -> Response:
    token = _token_for_site(site)
    asked: requests.SetStanding = json_body(requests.SetStanding)
    row = standing.set_standing(
        db.session(),
        token.site_id,
        _author_key(author_key),
        Standing(asked.standing),
        actor=_actor(token),
        reason=Reason(asked.reason_code) if asked.reason_code else None,
        explanation=asked.reason,
        expires_at=asked.until,
    )
    db.session.commit()
    return _json(responses.StandingSet, {"standing": standing_json(row)})


@bp.delete("/sites/<slug:site>/authors/<author_key>/standing")
@operation(
    id="liftStanding",
    summary="Let the rules alone judge an author again.",
    tag="moderation",
    bearer=True,
    answers={204: Answer(description="Lifted.")},
    errors=(Forbidden, NotFound),
)
def lift_standing(site: str, author_key: str) -> Response:
    token = _token_for_site(site)
    standing.lift_standing(
        db.session(), token.site_id, _author_key(author_key), actor=_actor(token)
    )
    db.session.commit()
    return Response(status=204)


@bp.post("/sites/<slug:site>/authors/<author_key>/notes")
@operation(
    id="addAuthorNote",
    summary="Add a note about an author, for the site's moderators (never shown to readers).",
    tag="moderation",
    bearer=True,
    body=requests.AddNote,
    answers={201: Answer(responses.NoteAdded)},
    errors=(Forbidden, NotFound),
)
def add_note(site: str, author_key: str) -> Response:
    token = _token_for_site(site)
    asked: requests.AddNote = json_body(requests.AddNote)
    row = notes.add_note(
        db.session(), token.site_id, _author_key(author_key), asked.body, actor=_actor(token)
    )
    db.session.commit()
    return _json(responses.NoteAdded, {"note": note_json(row)}, 201)
