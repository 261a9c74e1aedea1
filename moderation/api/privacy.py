"""The widget's routes of a signed-in reader's own data (GDPR): export everything the site keeps
of them, and erase it. The reader is the one ``X-Reader-Token`` names; nobody else's data is in
reach of a token, and guests (who have no account) ask the site's operator instead.
"""

from __future__ import annotations

from dataclasses import asdict

from flask import Response

from ..comments import privacy, writes
from ..comments import readers as accounts
from ..comments.submit import get_site
from ..db import db
from ..errors import InvalidReaderToken, NotFound
from ..models import Site, utcnow
from ..schemas import responses
from .operations import Answer, operation
from .readers import _TOKEN_ONLY, _required_token
from .widget import _allow_origins, _json, bp


def _signed_in_subject(slug: str) -> tuple[Site, str]:
    site = get_site(db.session(), slug)
    _allow_origins(site.origins)
    signed_in = accounts.identify(db.session(), site, _required_token(), utcnow())
    assert signed_in is not None
    return site, signed_in.claims.subject


@bp.get("/sites/<slug:site>/reader/export")
@operation(
    id="exportReader",
    summary="Everything the site keeps of the signed-in reader, as JSON.",
    tag="widget",
    headers=_TOKEN_ONLY,
    answers={200: Answer(responses.ReaderExport)},
    errors=(InvalidReaderToken, NotFound),
)
def export_reader(site: str) -> Response:
    found, subject = _signed_in_subject(site)
    data = privacy.export(db.session(), found.id, subject=subject)
    response = _json(responses.ReaderExport, data)
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/sites/<slug:site>/reader/erase")
@operation(
    id="eraseReader",
    summary="Erase the signed-in reader's data: comments stay in place as [deleted].",
    tag="widget",
    headers=_TOKEN_ONLY,
    answers={200: Answer(responses.ReaderErased)},
    errors=(InvalidReaderToken, NotFound),
)
def erase_reader(site: str) -> Response:
    found, subject = _signed_in_subject(site)
    erased = privacy.erase(db.session(), found.id, actor=writes.AUTHOR, subject=subject)
    db.session.commit()
    response = _json(responses.ReaderErased, asdict(erased))
    response.headers["Cache-Control"] = "private, no-store"
    return response
