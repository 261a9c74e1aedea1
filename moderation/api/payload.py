"""Reading what a client sent: the JSON body and the query (as the contract's shapes), and who
is asking (the hashed address, the page it comes from, the widget's bot checks)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any, TypeVar, overload

import pydantic
from flask import current_app, g, request
from pydantic import BaseModel, create_model
from werkzeug.datastructures import MultiDict

from ..comments.screening import Client
from ..errors import UnsupportedMediaType, ValidationError
from ..form_tokens import FormTokens
from ..identity import GUEST_KEY, ip_hash
from ..schemas.parse import adapter, parse_json, parse_values
from .headers import tag_list

T = TypeVar("T")


@overload
def json_body(shape: type[T]) -> T: ...
@overload
def json_body(shape: Any) -> Any: ...
def json_body(shape: Any) -> Any:
    """The request's JSON body as ``shape``, or the contract's error: 415 for another content
    type, 413 for a body over the limit (chunked or not), 400 naming the field at fault.

    Parsed once per request and shape: the rate limiter's key and the view read the same.
    """
    parsed: dict[Any, Any] = g.setdefault("parsed_bodies", {})
    if shape not in parsed:
        if not request.is_json:
            raise UnsupportedMediaType()
        raw = body_bytes()
        try:
            parsed[shape] = parse_json(shape, raw)
        except ValidationError as first:
            raise _every_field_error(shape, raw, first) from None
    return parsed[shape]


def _every_field_error(shape: Any, raw: bytes, first: ValidationError) -> ValidationError:
    """``first`` with every field at fault in ``fields`` (a form shows them all at once, not one
    per try), each in the words its field alone would get. Only for a body of one model."""
    if not (isinstance(shape, type) and issubclass(shape, BaseModel)):
        return first
    try:
        data = json.loads(raw)
        adapter(shape).validate_python(data, strict=True)
    except (ValueError, RecursionError, TypeError, pydantic.ValidationError) as exc:
        errors = exc.errors() if isinstance(exc, pydantic.ValidationError) else []
    else:
        return first
    names = dict.fromkeys(
        str(e["loc"][0]) for e in errors if e["loc"] and isinstance(e["loc"][0], str)
    )
    if len(names) < 2 or not isinstance(data, dict):
        return first
    fields = []
    for name in names:
        try:
            parse_json(
                _one_field(shape, name), json.dumps({name: data[name]} if name in data else {})
            )
        except ValidationError as error:
            fields.append({"field": error.field or name, "message": error.message})
    if not fields or fields[0]["field"] != first.field:
        return first
    first.details["fields"] = fields
    return first


@cache
def _one_field(shape: type[BaseModel], name: str) -> type[BaseModel]:
    """``shape`` with only its field ``name`` (none, for a name it does not have)."""
    field = shape.model_fields.get(name)
    declared: dict[str, Any] = {name: (field.annotation, field)} if field else {}
    return create_model(shape.__name__, __config__=shape.model_config, **declared)  # type: ignore[call-overload, no-any-return]


def body_bytes() -> bytes:
    """The whole body, or 413 past the limit. A chunked body has no length to check first, and
    Werkzeug hands back its first ``max_content_length`` bytes as if they were all of it (a 10 MB
    chunked body answered 400 "not valid JSON"): one byte more is asked for, which raises."""
    data = request.get_data(cache=True)
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        request.stream.read(1)
    return data


def query(shape: type[T]) -> T:
    """The query string as ``shape`` (numbers from digits, repeated keys as lists)."""
    return parse_values(shape, query_values(request.args, shape))


def query_values(args: MultiDict[str, str], shape: Any) -> dict[str, Any]:
    """A query string's values as a shape reads them: a list for each list field, else the
    first value."""
    lists = _list_fields(shape)
    return {name: args.getlist(name) if name in lists else args[name] for name in args}


@cache
def _list_fields(shape: Any) -> frozenset[str]:
    properties = adapter(shape).json_schema().get("properties", {})
    return frozenset(name for name, prop in properties.items() if prop.get("type") == "array")


def if_none_match() -> list[str]:
    return tag_list(request.headers.get("If-None-Match", ""))


def client_ip_hash() -> str | None:
    """The keyed hash of the client's address (behind ``proxy_count`` trusted proxies)."""
    return ip_hash(current_app.config["SECRET_KEY"], request.remote_addr)


def form_tokens() -> FormTokens:
    return current_app.extensions["form_tokens"]  # type: ignore[no-any-return]


READER_TOKEN = "X-Reader-Token"
GUEST_KEY_HEADER = "X-Guest-Key"
#: How the API's document declares the two identity headers.
IDENTITY_HEADERS = {
    READER_TOKEN: ("A signed-in reader: the JWT the site's login signed (HS256).", False),
    GUEST_KEY_HEADER: (
        "A guest: the browser's own random key (22 to 64 of A-Z a-z 0-9 _ -), kept by the "
        "widget, so the site recognises the guest again and no one else can pass for them.",
        False,
        # HTTP drops the spaces and tabs around a header's value (RFC 9110, 5.5), and an empty
        # value (or one of spaces) is no key: servers may drop such a header.
        {"type": "string", "pattern": f"^[ \t]*({GUEST_KEY.pattern})?[ \t]*$"},
    ),
}


def reader_token() -> str | None:
    """The ``X-Reader-Token`` header (a JWT), if sent; ``Bearer `` is allowed before it."""
    raw = request.headers.get(READER_TOKEN, "").strip()
    if raw[:7].lower() == "bearer ":
        raw = raw[7:].strip()
    return raw or None


def guest_key() -> str | None:
    """The ``X-Guest-Key`` header, checked: random-looking, of a sensible length."""
    raw = (request.headers.get(GUEST_KEY_HEADER) or "").strip(" \t")
    if not raw:
        return None
    if not GUEST_KEY.fullmatch(raw):
        raise ValidationError(
            GUEST_KEY_HEADER, "X-Guest-Key must be 22 to 64 of A-Z, a-z, 0-9, _ and -."
        )
    return raw


def client_from_request(form_token: str | None = None, honeypot: str | None = None) -> Client:
    """Who is submitting, as the request tells: hashed address, origin, and the widget's bot
    checks (the signed form token it sends back, the hidden field a person leaves empty)."""
    minimum = current_app.config["SETTINGS"].min_form_seconds
    site = (request.view_args or {}).get("site", "")
    return Client(
        ip_hash=client_ip_hash(),
        origin=request.headers.get("Origin"),
        form_check=form_tokens().check(form_token, site, minimum),
        honeypot_filled=bool(honeypot),
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent", "")[:300],
        reader_token=reader_token(),
        guest_key=guest_key(),
    )


def editing_client() -> Client:
    """Who is editing: the address and origin only (an edit comes with no form token)."""
    return Client(
        ip_hash=client_ip_hash(),
        origin=request.headers.get("Origin"),
        ip=request.remote_addr,
        user_agent=request.headers.get("User-Agent", "")[:300],
    )
