"""The OpenAPI document is generated from the routes and the shapes: valid 3.1, every route in
it and nothing more, every field's nullability and requiredness as the parsers treat them, every
error an operation can answer under its status, a page to read it, and the check that holds the
tests' answers to it can fail."""

from __future__ import annotations

import re

import flask
import pytest
from openapi_spec_validator import validate

from ..contract import ContractViolation, document_of

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule)


def _served(app) -> set[tuple[str, str]]:
    served = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.rule == "/healthz":
            for method in rule.methods - IGNORED_METHODS:
                served.add((_openapi_path(rule.rule), method.lower()))
    return served


@pytest.fixture
def document(client, site):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def _operation(document, operation_id):
    for item in document["paths"].values():
        for operation in item.values():
            if operation["operationId"] == operation_id:
                return operation
    raise AssertionError(operation_id)


def _schema(document, ref):
    return document["components"]["schemas"][ref["$ref"].rsplit("/", 1)[-1]]


def test_document_is_valid_openapi_3_1(document):
    assert document["openapi"].startswith("3.1")
    validate(document)
    assert document["servers"] == [{"url": "/", "description": "This service."}]


def test_every_route_is_documented_and_every_documented_route_is_served(app, document):
    documented = {(path, method) for path, item in document["paths"].items() for method in item}
    assert _served(app) == documented


def test_fields_are_required_and_nullable_as_the_parsers_take_them(document):
    submit = _operation(document, "submitComment")
    body = _schema(document, submit["requestBody"]["content"]["application/json"]["schema"])
    assert body["required"] == ["body", "author_name"]
    assert body["additionalProperties"] is False
    for nullable in ("author_email", "parent_id", "article_url", "article_title"):
        assert {"type": "null"} in body["properties"][nullable]["anyOf"], nullable
    comment = document["components"]["schemas"]["AuthorComment"]
    assert set(comment["required"]) == set(comment["properties"])
    assert {"type": "null"} in comment["properties"]["edited_at"]["anyOf"]


def test_every_error_an_operation_answers_is_listed_under_its_status(document):
    submit = _operation(document, "submitComment")["responses"]
    codes = {
        status: answer["content"]["application/json"]["schema"]["properties"]["error"]
        ["properties"]["code"]["enum"]
        for status, answer in submit.items()
        if status.startswith(("4", "5"))
    }  # fmt: skip
    assert codes["400"] == ["validation_error"]
    assert codes["403"] == ["article_closed", "banned", "forbidden", "sign_in_required"]
    assert codes["401"] == ["invalid_reader_token"]
    assert codes["413"] == ["payload_too_large"] and codes["415"] == ["unsupported_media_type"]
    assert codes["414"] == ["uri_too_long"] and codes["429"] == ["rate_limited"]
    assert codes["503"] == ["unavailable"]
    queue = _operation(document, "getQueue")["responses"]
    assert "401" in queue and "415" not in queue and "WWW-Authenticate" in queue["401"]["headers"]


def test_publishing_answers_are_declared_with_their_media_types(document):
    for operation_id, media in (
        ("getPublishedThread", "text/html"),
        ("getArticleFeed", "application/atom+xml"),
        ("getSiteFeed", "application/atom+xml"),
    ):
        answers = _operation(document, operation_id)["responses"]
        assert list(answers["200"]["content"]) == [media], operation_id
        assert {"ETag", "Cache-Control"} <= set(answers["200"]["headers"])
        assert "content" not in answers["304"]
        assert answers["404"]["content"]["application/json"]["schema"]["properties"]["error"]
    fragment = _operation(document, "getPublishedThread")["parameters"]
    assert {"sort", "limit", "nosnippet"} <= {p["name"] for p in fragment}
    assert "cursor" not in {p["name"] for p in fragment}


def test_path_parameters_are_described_and_bounded(document):
    [comment_id] = _operation(document, "getOwnComment")["parameters"][:1]
    assert comment_id["description"] and comment_id["schema"]["maximum"] == 2**31 - 1


def test_the_contract_check_catches_an_answer_off_the_document(app, client, site):
    contract = document_of(app)
    wrong = flask.Response(b'{"counts": {"a": "many"}}', mimetype="application/json")
    with pytest.raises(ContractViolation, match="is not of type 'integer'"):
        contract.check(app, "GET", "/api/v1/sites/news/counts", wrong)
    undocumented = flask.Response(b"{}", status=402, mimetype="application/json")
    with pytest.raises(ContractViolation, match="lists only"):
        contract.check(app, "GET", "/api/v1/sites/news/counts", undocumented)
    code = flask.Response(
        b'{"error": {"code": "banned", "message": "x"}}', status=404, mimetype="application/json"
    )
    with pytest.raises(ContractViolation, match="is not one of"):
        contract.check(app, "GET", "/api/v1/sites/news/counts", code)


def test_the_documentation_page_is_served_with_its_own_assets(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    html = page.get_data(as_text=True)
    for asset in re.findall(r'(?:src|href)="(/api/v1/docs/[^"]+)"', html):
        response = client.get(asset)
        assert response.status_code == 200 and len(response.get_data()) > 400, asset
    assert "http" not in re.sub(r"https?://(json-schema|www\.w3)", "", html.split("<body>")[1])
