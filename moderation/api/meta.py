"""Service-level endpoints: health, the OpenAPI document and its documentation page."""

from __future__ import annotations

import json
import mimetypes
from functools import cache
from importlib.resources import files

from flask import Blueprint, Flask, Response, current_app, render_template
from sqlalchemy import text

from ..db import db
from ..schemas import responses
from ..serializers import dump
from .errors import is_outage
from .openapi import document
from .operations import Answer, operation

bp = Blueprint("meta", __name__)

#: Swagger UI's files, from the swagger-ui-py package on PyPI: the page loads nothing from
#: elsewhere (``converters.DocsAssetConverter`` names these and the page's own script).
DOCS_ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})


@bp.get("/healthz")
@operation(
    id="health",
    summary="200 when the database answers, 503 otherwise (for load balancers).",
    tag="service",
    answers={
        200: Answer(responses.Health, description="Healthy."),
        503: Answer(responses.Health, description="The database does not answer."),
    },
)
def healthz() -> Response:
    """200 when the database answers, 503 otherwise (for load balancers and orchestrators)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        if not is_outage(exc):
            raise
        db.session.rollback()
        body = dump(responses.Health, {"status": "unavailable", "database": "unreachable"})
        return Response(body, status=503, mimetype="application/json")
    return Response(dump(responses.Health, {"status": "ok"}), mimetype="application/json")


def openapi_document(app: Flask) -> bytes:
    """The document of this app, built once."""
    built = app.extensions.get("openapi_json")
    if built is None:
        built = app.extensions["openapi_json"] = json.dumps(document(app), indent=1).encode()
    return built  # type: ignore[no-any-return]


@bp.get("/api/v1/openapi.json")
@operation(
    id="openapi",
    summary="This document.",
    tag="service",
    answers={200: Answer(schema={"type": "object"}, description="OpenAPI 3.1.")},
)
def openapi() -> Response:
    response = Response(openapi_document(current_app), mimetype="application/json")  # type: ignore[arg-type]
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/api/v1/docs")
@operation(
    id="docs",
    summary="The API's documentation, to read in a browser.",
    tag="service",
    answers={200: Answer(schema={"type": "string"}, media_type="text/html", description="A page.")},
)
def docs() -> Response:
    response = Response(render_template("api/docs.html"), mimetype="text/html")
    # Swagger UI writes its styles inline; everything else comes from this service.
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
    )
    return response


@cache
def _asset(name: str) -> bytes:
    if name in DOCS_ASSETS:
        return files("swagger_ui").joinpath("static", name).read_bytes()
    return files("moderation").joinpath("static", "api-docs.js").read_bytes()


@bp.get("/api/v1/docs/<docs_asset:name>")
@operation(
    id="docsAsset",
    summary="A file of the documentation page (Swagger UI's, or the page's own script).",
    tag="service",
    answers={
        200: Answer(
            schema={"type": "string"},
            media_type="*/*",
            description="The script or style sheet.",
        )
    },
)
def docs_asset(name: str) -> Response:
    mimetype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = Response(_asset(name), mimetype=mimetype)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
