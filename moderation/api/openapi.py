"""The OpenAPI 3.1 document of the service, served at ``/api/v1/openapi.json``, generated.

Nothing here is written by hand but the words: the paths, methods and path parameters come from
the app's routes, the request and response schemas from the shapes of ``schemas`` (by pydantic),
and each operation's answers and errors from its view's declaration (``operations.py``). Every
error code an operation can answer is listed under its status, with the code's meaning from its
class. A route under ``/api/`` that declares nothing stops the document from being built.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from flask import Flask
from pydantic import TypeAdapter

from ..config import Settings
from ..errors import (
    ApiError,
    HeadersTooLarge,
    InsufficientStorage,
    InternalError,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    RequestTimeout,
    Unauthorized,
    Unavailable,
    UnsupportedMediaType,
    UriTooLong,
    ValidationError,
    error_classes,
)
from ..schemas import requests, responses
from ..schemas.parse import Untitled, adapter
from .converters import Documented
from .operations import Answer, Operation

JSON = "application/json"
COMPONENTS = "#/components/schemas/{model}"
# Shapes that are not classes, and so carry no name of their own.
_NAMES: dict[Any, str] = {
    requests.Decision: "Decision",
    requests.BulkDecision: "BulkDecision",
    requests.CreateBan: "CreateBan",
}
_METHODS = ("get", "post", "put", "patch", "delete")


def _name(shape: Any) -> str:
    return _NAMES.get(shape) or str(getattr(shape, "__name__", repr(shape)))


def document(app: Flask) -> dict[str, Any]:
    """The whole document for this app (its routes and its settings)."""
    settings: Settings = app.config["SETTINGS"]
    operations = list(_operations(app))
    shapes: dict[tuple[str, str], Any] = {}
    for _path, _method, _rule, op in operations:
        # A query's shape is written out as its parameters, not as a component.
        for source, mode in (
            (op.body, "validation"),
            *((answer.shape, "serialization") for answer in op.answers.values()),
        ):
            shape = op.shape(source, settings)
            if shape is not None:
                shapes[(_name(shape), mode)] = shape
    shapes[("Error", "serialization")] = responses.Error
    inputs = [(name, mode, adapter(shape)) for (name, mode), shape in shapes.items()]
    tops, definitions = TypeAdapter.json_schemas(
        inputs,  # type: ignore[arg-type]
        ref_template=COMPONENTS,
        schema_generator=Untitled,
    )
    components: dict[str, Any] = dict(definitions.get("$defs", {}))
    refs: dict[tuple[str, str], Any] = {}
    for key, schema in tops.items():
        name = key[0]
        if "$ref" in schema:
            refs[key] = schema
        else:
            components[name] = schema
            refs[key] = {"$ref": COMPONENTS.format(model=name)}

    def ref(source: Any, mode: str, op: Operation) -> Any:
        shape = op.shape(source, settings)
        return refs[(_name(shape), mode)]

    paths: dict[str, dict[str, Any]] = defaultdict(dict)
    for path, method, rule, op in operations:
        paths[path][method] = _operation(app, rule, op, method, ref, components, settings)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "moderation",
            "version": "1",
            "summary": "A reader-comment service for newsrooms.",
            "description": _introduction(),
        },
        "servers": [
            {"url": settings.public_url or "/", "description": "This service."},
        ],
        "tags": [
            {"name": "widget", "description": "Public; CORS for the site's allowed origins."},
            {"name": "moderation", "description": "Bearer token of one site."},
            {"name": "service", "description": "Health, and this document."},
        ],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A moderation API token of one site "
                    "(`moderation token create --site SLUG`).",
                }
            },
        },
    }


def _operations(app: Flask) -> Any:
    """(path, method, rule, operation) of every documented route, in the order of the map."""
    for rule in app.url_map.iter_rules():
        public = rule.rule.startswith("/api/") or rule.rule == "/healthz"
        view = app.view_functions[rule.endpoint]
        op: Operation | None = getattr(view, "operation", None)
        if op is None:
            if public and rule.endpoint != "static":
                raise RuntimeError(f"{rule.rule} ({rule.endpoint}) declares no operation")
            continue
        methods = sorted(m.lower() for m in (rule.methods or ()) if m.lower() in _METHODS)
        if len(methods) != 1:
            raise RuntimeError(f"{rule.rule}: one method per view, not {methods}")
        yield re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule), methods[0], rule, op


def _operation(
    app: Flask,
    rule: Any,
    op: Operation,
    method: str,
    ref: Any,
    components: dict[str, Any],
    settings: Settings,
) -> dict[str, Any]:
    parameters: list[dict[str, Any]] = []
    for name in sorted(rule.arguments, key=rule.rule.index):
        converter = rule._converters[name]
        schema = converter.schema if isinstance(converter, Documented) else {"type": "string"}
        description = converter.description if isinstance(converter, Documented) else ""
        parameters.append(
            {
                "name": name,
                "in": "path",
                "required": True,
                "description": description,
                "schema": schema,
            }
        )
    if op.query is not None:
        parameters.extend(_query_parameters(op.shape(op.query, settings)))
    for header, declared in op.headers.items():
        header_schema = declared[2] if len(declared) > 2 else {"type": "string"}  # type: ignore[misc]
        parameters.append(
            {
                "name": header,
                "in": "header",
                "required": declared[1],
                "description": declared[0],
                "schema": dict(header_schema),
            }
        )
    described: dict[str, Any] = {
        "operationId": op.id,
        "tags": [op.tag],
        "summary": op.summary,
    }
    if op.description:
        described["description"] = op.description
    if op.bearer:
        described["security"] = [{"bearer": []}]
    if parameters:
        described["parameters"] = parameters
    if op.body is not None:
        described["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": ref(op.body, "validation", op)}},
        }
    answers: dict[str, Any] = {}
    for status, answer in sorted(op.answers.items()):
        answers[str(status)] = _answer(answer, ref, op)
    for status, classes in sorted(_errors(rule, op, method).items()):
        if status not in op.answers:  # an answer the view declares (a health report) stands
            answers[str(status)] = _error_answer(classes)
    described["responses"] = answers
    return described


def _query_parameters(shape: Any) -> list[dict[str, Any]]:
    schema = adapter(shape).json_schema(ref_template=COMPONENTS, schema_generator=Untitled)
    required = set(schema.get("required", []))
    parameters = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", "")
        prop.pop("title", None)
        if prop.get("default", "") is None:
            del prop["default"]  # an argument not given: a query has no null
        parameter: dict[str, Any] = {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": prop,
        }
        if description:
            parameter["description"] = description
        if prop.get("type") == "array":
            parameter.update(style="form", explode=True)
        parameters.append(parameter)
    return parameters


def _answer(answer: Answer, ref: Any, op: Operation) -> dict[str, Any]:
    described: dict[str, Any] = {"description": answer.description or _doc(answer.shape)}
    if answer.shape is not None:
        schema = ref(answer.shape, "serialization", op)
        described["content"] = {answer.media_type: {"schema": schema}}
    elif answer.schema is not None:
        described["content"] = {answer.media_type: {"schema": dict(answer.schema)}}
    if answer.headers:
        described["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in answer.headers.items()
        }
    if answer.links:
        described["links"] = dict(answer.links)
    return described


def _doc(shape: Any) -> str:
    """A response's description: its shape's docstring."""
    if shape is None:
        return "No content."
    doc = (
        shape.__doc__
        if isinstance(shape, type) and shape.__module__ == responses.__name__
        else None
    )
    return " ".join(doc.split()) if doc else "OK."


def _errors(rule: Any, op: Operation, method: str) -> dict[int, list[type[ApiError]]]:
    """Every error the operation can answer, by status: those its view declares and those
    that come with what it takes (a body, a query, a token, path parameters, a write)."""
    # What the server in front answers for any request: too slow, too long, too many.
    server = [RequestTimeout, UriTooLong, HeadersTooLarge, Unavailable]
    classes: list[type[ApiError]] = [*op.errors, *server, InternalError]
    if method != "get":
        classes.append(InsufficientStorage)
    if op.body is not None:
        classes += [ValidationError, UnsupportedMediaType, PayloadTooLarge]
    if op.query is not None or rule.arguments:
        classes.append(ValidationError)
    if rule.arguments:
        classes.append(NotFound)  # a segment that names nothing
    if op.bearer:
        classes.append(Unauthorized)
    if op.rate_limited:
        classes.append(RateLimited)
    by_status: dict[int, list[type[ApiError]]] = defaultdict(list)
    for cls in dict.fromkeys(classes):
        if cls not in by_status[cls.status]:
            by_status[cls.status].append(cls)
    return by_status


def _error_answer(classes: list[type[ApiError]]) -> dict[str, Any]:
    codes = sorted({cls.code for cls in classes})
    lines = "; ".join(f"`{cls.code}`: {cls.describe()}" for cls in classes)
    schema = {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "allOf": [{"$ref": COMPONENTS.format(model="ErrorBody")}],
                "properties": {"code": {"enum": codes}},
            }
        },
    }
    described: dict[str, Any] = {"description": lines, "content": {JSON: {"schema": schema}}}
    headers = {}
    if any(cls.status in (429, 503, 507) for cls in classes):
        headers["Retry-After"] = {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "string"},
        }
    if any(cls is Unauthorized for cls in classes):
        headers["WWW-Authenticate"] = {"schema": {"type": "string"}}
    if headers:
        described["headers"] = headers
    return described


def _introduction() -> str:
    codes = "\n".join(f"- `{cls.code}` ({cls.status}): {cls.describe()}" for cls in error_classes())
    return (
        "The public widget API (threads, counts, submissions, the author's edits, reader "
        "reports), the moderation API (bearer tokens, one site each) and the service's own "
        "endpoints.\n\nEvery 4xx and 5xx is "
        '`{"error": {"code", "message", "field"?}}`; `message` is for a person, `code` for '
        "code, `field` names the request field at fault. The codes:\n\n" + codes
    )
