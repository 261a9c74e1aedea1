"""Service-level endpoints: health and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify
from sqlalchemy import text

from ..extensions import db
from .openapi import openapi_document

bp = Blueprint("meta", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 when the database answers, 503 otherwise (for load balancers and orchestrators)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok"}), 200


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    response = jsonify(openapi_document())
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
