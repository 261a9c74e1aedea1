"""Every answer of the API that a test receives, held to the OpenAPI document.

The test client of every app (``conftest.app``) is a :class:`ContractClient`: each response to a
path of the API is looked up in the app's own document (the operation its route serves, or, for a
path no route serves, the error shape) and must be an answer the document lists for that
operation, of the content type it gives, whose JSON body validates against its schema. So an
error code an operation answers but does not list, a field a response carries but does not
declare, a null where the document says a string: each fails the test that met it.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from werkzeug.exceptions import HTTPException

from moderation.api.meta import openapi_document

DOCUMENT_URI = "urn:moderation:openapi"
IGNORED_METHODS = {"OPTIONS", "HEAD"}


class ContractViolation(AssertionError):
    pass


@cache
def _contract(raw: bytes) -> Contract:
    return Contract(json.loads(raw))


class Contract:
    """One app's document, and the validators of its responses."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.registry = Registry().with_resource(
            DOCUMENT_URI, DRAFT202012.create_resource(document)
        )
        self._validators: dict[str, Draft202012Validator] = {}

    def validator(self, pointer: str) -> Draft202012Validator:
        found = self._validators.get(pointer)
        if found is None:
            found = Draft202012Validator(
                {"$ref": f"{DOCUMENT_URI}#{pointer}"},
                registry=self.registry,
                format_checker=FormatChecker(),
            )
            self._validators[pointer] = found
        return found

    def check(self, app: Flask, method: str, url: str, response: Any) -> None:
        path = urlsplit(url).path
        if method in IGNORED_METHODS or not (path.startswith("/api/") or path == "/healthz"):
            return
        operation = _operation_of(app, self.document, method, path)
        status = str(response.status_code)
        if operation is None:  # no route: the error shape, whatever the status
            self._body(response, "/components/schemas/Error", f"{method} {path}")
            return
        template, verb = operation
        answers = self.document["paths"][template][verb]["responses"]
        where = f"{method} {path} ({template} {verb}) answered {status}"
        if status not in answers:
            raise ContractViolation(f"{where}: the document lists only {sorted(answers)}")
        content = answers[status].get("content")
        if content is None:
            if response.get_data():
                raise ContractViolation(f"{where}: a body where the document has none")
            return
        media = response.mimetype
        if media not in content and "*/*" not in content:
            raise ContractViolation(f"{where}: {media} is not one of {sorted(content)}")
        if media == "application/json":
            pointer = f"/paths/{_escape(template)}/{verb}/responses/{status}/content/"
            self._body(response, pointer + _escape(media) + "/schema", where)

    def _body(self, response: Any, pointer: str, where: str) -> None:
        try:
            body = json.loads(response.get_data())
        except ValueError:
            raise ContractViolation(f"{where}: the body is not JSON") from None
        errors = sorted(self.validator(pointer).iter_errors(body), key=lambda e: e.path)
        if errors:
            first = errors[0]
            at = "/".join(map(str, first.absolute_path))
            raise ContractViolation(f"{where}: at /{at}: {first.message}")


def _escape(part: str) -> str:
    """One step of a JSON pointer."""
    return part.replace("~", "~0").replace("/", "~1")


def _operation_of(app: Flask, document: dict[str, Any], method: str, path: str) -> Any:
    adapter = app.url_map.bind("localhost")
    try:
        rule, _args = adapter.match(path, method, return_rule=True)
    except HTTPException:
        return None
    template = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
    verb = method.lower()
    if template in document["paths"] and verb in document["paths"][template]:
        return template, verb
    raise ContractViolation(f"{method} {path}: {template} {verb} is not in the document")


class ContractClient(FlaskClient):
    """A test client that holds every answer of the API to the app's document."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = super().open(*args, **kwargs)
        request = getattr(response, "request", None)
        if request is not None:
            app = self.application
            document_of(app).check(app, request.method, request.url, response)
        return response


_documents: dict[tuple[Any, ...], bytes] = {}


def document_of(app: Flask) -> Contract:
    """The contract of an app. Every app of the suite serves the same routes, so the document
    is built once for each setting it depends on, not once per test."""
    settings = app.config["SETTINGS"]
    key = (settings.max_comment_chars, settings.public_url)
    if key not in _documents:
        _documents[key] = openapi_document(app)
    app.extensions.setdefault("openapi_json", _documents[key])
    return _contract(_documents[key])
