"""The moderation API's transparency report (DSA Art. 15 and 24): a site's figures over a
period, as JSON or, for a spreadsheet, as CSV."""

from __future__ import annotations

from flask import Response, request

from ..comments import transparency
from ..db import db
from ..errors import Forbidden
from ..schemas import requests, responses
from .moderation import _json, _token_for_site, bp
from .operations import Answer, operation
from .payload import query

CSV = "text/csv"
JSON = "application/json"


def wants_csv() -> bool:
    """Whether the client asked for CSV over JSON (``Accept: text/csv``); JSON otherwise."""
    return request.accept_mimetypes.best_match([JSON, CSV]) == CSV


def csv_response(found: transparency.Report) -> Response:
    """The report as a CSV download named after the site and the period."""
    return Response(
        found.to_csv(),
        content_type=f"{CSV}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{found.file_name("csv")}"'},
    )


@bp.get("/sites/<slug:site>/transparency")
@operation(
    id="getTransparencyReport",
    summary="The site's transparency report over whole UTC days (at most 366).",
    description="Notices of illegal content and how they were handled, readers' reports, the "
    "decisions that removed or withheld comments (by reason, by rule or person, by action), the "
    "statements of reasons, appeals, bans and suspensions, over `from` to `to` (both included). "
    "JSON by default; `Accept: text/csv` gives the same figures as CSV rows "
    "`section,metric,value` (a download, `transparency-<site>-<from>-<to>.csv`).",
    tag="moderation",
    bearer=True,
    query=requests.TransparencyQuery,
    headers={"Accept": ("`text/csv` for CSV; JSON otherwise.", False)},
    answers={200: Answer(responses.TransparencyReport, headers={"Vary": "Accept."})},
    errors=(Forbidden,),
)
def get_transparency_report(site: str) -> Response:
    """Read-only: the figures are computed from the log as it stands, nothing is written."""
    token = _token_for_site(site)
    asked = query(requests.TransparencyQuery)
    found = transparency.report(db.session(), token.site_id, asked.start, asked.end)
    response = (
        csv_response(found) if wants_csv() else _json(responses.TransparencyReport, found.to_json())
    )
    response.vary.add("Accept")
    return response
