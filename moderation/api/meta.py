"""Service-level endpoints: health, the OpenAPI document and its documentation page."""

from __future__ import annotations

import json
import mimetypes
from functools import cache
from importlib.resources import files

from flask import Blueprint, Flask, Response, current_app, render_template
from sqlalchemy import text

from .. import health
from ..db import db
from ..schemas import responses
from ..serializers import dump
from .errors import is_outage
from .limits import limit_store_state
from .openapi import document
from .operations import Answer, operation

bp = Blueprint("meta", __name__)

#: Swagger UI's files, from the swagger-ui-py package on PyPI: the page loads nothing from
#: elsewhere (``converters.DocsAssetConverter`` names these and the page's own script).
DOCS_ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui.css"})


@bp.get("/healthz")
@operation(
    id="health",
    summary="The service's state, for load balancers: 200 while it can serve, 503 otherwise.",
    tag="service",
    answers={
        200: Answer(responses.Health, description="Serving (`ok`, or `degraded`)."),
        503: Answer(responses.Health, description="Its database or its storage is out."),
    },
)
def healthz() -> Response:
    """200 while the service can serve (a shared cache or limit store that does not answer only
    degrades it: the process's own stands in); 503 when its database does not answer or its
    storage is full."""
    state: responses.Health = {
        "status": "ok",
        "database": "ok",
        "storage": "ok",
        "cache": "ok",
        "limits": "ok" if limit_store_state(current_app) == "ok" else "degraded",
    }
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as exc:
        if not is_outage(exc):
            raise
        db.session.rollback()
        state["database"] = "unreachable"
    noted = health.recent()
    on_sqlite = db.engine.dialect.name == "sqlite"
    if noted.get("storage") == "full" or (
        on_sqlite and health.disk_full(current_app.instance_path)
    ):
        state["storage"] = "full"
    caches = (current_app.extensions["thread_cache"], current_app.extensions["queue_cache"])
    if any(getattr(cache, "state", "ok") != "ok" for cache in caches):
        state["cache"] = "degraded"
    if state["database"] != "ok" or state["storage"] != "ok":
        state["status"] = "unavailable"
    elif state["cache"] != "ok" or state["limits"] != "ok":
        state["status"] = "degraded"
    status = 503 if state["status"] == "unavailable" else 200
    return Response(dump(responses.Health, state), status=status, mimetype="application/json")


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
