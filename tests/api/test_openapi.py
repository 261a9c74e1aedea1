"""The OpenAPI document matches the service: valid 3.1, every route in it, nothing more."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _openapi_path(rule: str) -> str:
    """Flask's ``<int:comment_id>`` style to OpenAPI's ``{id}`` style."""
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _served(app) -> set[tuple[str, str]]:
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            for method in rule.methods - IGNORED_METHODS:
                served.add((_openapi_path(rule.rule), method.lower()))
    return served


def test_document_is_valid_openapi_3_1(client, site):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_every_route_is_documented_and_every_documented_route_is_served(app, client, site):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "patch", "put", "delete"}
    }
    assert _served(app) == documented
