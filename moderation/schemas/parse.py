"""Reading input into the contract's shapes, refusing what does not fit with the contract's error:
a :class:`~moderation.errors.ValidationError` that names the field and says, in words a person can
act on, what is wrong with it ("The name must be at most 100 characters (it has 120).").

Bodies are JSON read strictly; queries and forms are text, read with numbers from digits. The
words for a field (its label) come from its declaration's ``title``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar, overload

import pydantic
from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import ErrorDetails

from ..errors import ValidationError
from .fields import PATTERN_MESSAGES, SINGLE_LINE, VISIBLE

T = TypeVar("T")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: How deep a JSON body may nest: no shape of ours goes past three.
MAX_DEPTH = 16

#: Fields whose mere presence is the mistake, and what to say about it.
_NOT_HERE = {"reason": "Only a rejection or a spam verdict takes a reason."}


class Untitled(GenerateJsonSchema):
    """pydantic's schemas without the title it makes up for every field from its name (a title
    declared on a field, its label in messages, stays)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


@cache
def adapter(shape: Any) -> TypeAdapter[Any]:
    """The (cached) adapter that reads and writes ``shape``."""
    return TypeAdapter(shape)


@overload
def parse_json(shape: type[T], raw: bytes | str) -> T: ...
@overload
def parse_json(shape: Any, raw: bytes | str) -> Any: ...
def parse_json(shape: Any, raw: bytes | str) -> Any:
    """A JSON body as ``shape`` (a class, or an annotated union: the caller names its type),
    read strictly: a JSON number where a number is due, never a numeric string."""
    try:
        data = json.loads(raw, parse_constant=_no_constant, parse_float=_number)
    except RecursionError:
        raise ValidationError("body", "The body is nested too deeply.") from None
    except ValueError:  # not JSON, not UTF-8, or NaN and the like
        raise ValidationError("body", "The body is not valid JSON.") from None
    _check_text(data, shape)
    try:
        return adapter(shape).validate_python(data, strict=True)
    except pydantic.ValidationError as exc:
        raise _refusal(shape, exc) from None


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _number(text: str) -> int | float:
    # JSON has one kind of number: 932.0 and 1e3 are whole numbers, as JSON Schema counts them.
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is too large")
    return int(value) if value.is_integer() else value


def _check_text(data: Any, shape: Any) -> None:
    """Refuse what JSON can carry but no shape of ours holds: nesting deeper than
    :data:`MAX_DEPTH`, and lone UTF-16 surrogates (``"\\ud800"``), which are not text (no
    database stores them); the field they are found in is named."""
    pending: list[tuple[Any, str | None, int]] = [(data, None, 0)]
    while pending:
        value, field, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise ValidationError("body", "The body is nested too deeply.")
        if isinstance(value, str):
            if _SURROGATE.search(value):
                name = field or "body"
                label = _label(_fields(shape)[0].get(name, {}), name)
                raise ValidationError(name, f"The {label} holds characters that are not text.")
        elif isinstance(value, dict):
            for key, item in value.items():
                pending.append((key, field, depth + 1))
                pending.append((item, field or key, depth + 1))
        elif isinstance(value, list):
            pending.extend((item, field, depth + 1) for item in value)


@overload
def parse_values(shape: type[T], values: Mapping[str, Any]) -> T: ...
@overload
def parse_values(shape: Any, values: Mapping[str, Any]) -> Any: ...
def parse_values(shape: Any, values: Mapping[str, Any]) -> Any:
    """Text values (a query string, a form) as ``shape``: numbers read from digits."""
    try:
        return adapter(shape).validate_python(dict(values), strict=False)
    except pydantic.ValidationError as exc:
        raise _refusal(shape, exc) from None


@cache
def _fields(shape: Any) -> tuple[dict[str, dict[str, Any]], frozenset[str], str | None]:
    """Each field's schema (over every member of a union), the union's tags and the name of the
    field that tells its members apart."""
    schema = adapter(shape).json_schema(schema_generator=Untitled)
    definitions = schema.get("$defs", {})

    def resolve(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref", "")
        return definitions.get(ref.rsplit("/", 1)[-1], node) if ref else node

    members = [resolve(m) for m in schema.get("oneOf", [])] or [resolve(schema)]
    fields: dict[str, dict[str, Any]] = {}
    for member in members:
        for name, prop in member.get("properties", {}).items():
            fields.setdefault(name, prop)
    discriminator = schema.get("discriminator", {})
    return fields, frozenset(discriminator.get("mapping", {})), discriminator.get("propertyName")


def _label(prop: dict[str, Any], name: str) -> str:
    return str(prop.get("title") or name.replace("_", " "))


def _refusal(shape: Any, exc: pydantic.ValidationError) -> ValidationError:
    """The first problem of ``exc``, in words, as the contract's error."""
    fields, tags, discriminator = _fields(shape)
    error = exc.errors(include_url=False)[0]
    loc = [part for part in error["loc"] if not (isinstance(part, str) and part in tags)]
    name = str(loc[0]) if loc and isinstance(loc[0], str) else None
    kind = error["type"]
    if kind == "json_invalid":
        return ValidationError("body", "The body is not valid JSON.")
    if name is None:
        if kind in ("union_tag_invalid", "union_tag_not_found") and discriminator:
            return _tag_refusal(discriminator, sorted(tags), kind == "union_tag_not_found")
        if kind in ("model_type", "dict_type", "model_attributes_type"):
            return ValidationError("body", "The body must be a JSON object.")
        field = str((error.get("ctx") or {}).get("field", "body"))
        return ValidationError(field, str(error["msg"]))
    prop = fields.get(name, {})
    return ValidationError(name, _message(kind, error, _label(prop, name), prop, len(loc) > 1))


def _tag_refusal(field: str, tags: list[str], missing: bool) -> ValidationError:
    allowed = ", ".join(tags)
    if missing:
        return ValidationError(field, f"{field} is required: one of {allowed}.")
    return ValidationError(field, f"{field} must be one of {allowed}.")


def _message(
    kind: str, error: ErrorDetails, label: str, prop: dict[str, Any], in_list: bool
) -> str:
    ctx = error.get("ctx") or {}
    value = error.get("input")
    what = f"Each of {label}" if in_list else f"The {label}"
    if kind == "missing":
        text_field = _is_text(prop)
        return f"Please fill in the {label}." if text_field else f"{label} is required."
    if kind == "extra_forbidden":
        return _NOT_HERE.get(label, f"{label} is not a field of this request.")
    if kind == "string_type":
        return f"{what} must be text."
    if kind == "string_too_long":
        length = len(value) if isinstance(value, str) else 0
        return f"{what} must be at most {ctx['max_length']:,} characters (it has {length:,})."
    if kind == "string_too_short":
        return f"{what} must be at least {ctx['min_length']:,} characters."
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern", ""))
        if pattern == SINGLE_LINE and isinstance(value, str) and not re.search(VISIBLE, value):
            pattern = VISIBLE  # nothing on the line at all: say it is empty
        template = PATTERN_MESSAGES.get(pattern, "The {label} is not in the expected form.")
        return template.format(label=label)
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{label} must be a whole number."
    if kind in ("float_type", "float_parsing", "finite_number"):
        return f"{label} must be a number."
    if kind == "bool_type":
        return f"{label} must be true or false."
    if kind in ("greater_than_equal", "greater_than"):
        return f"{label} must be at least {ctx.get('ge', ctx.get('gt'))}."
    if kind in ("less_than_equal", "less_than"):
        return f"{label} must be at most {ctx.get('le', ctx.get('lt'))}."
    if kind in ("literal_error", "enum"):
        return f"{label} must be one of {str(ctx.get('expected', '')).replace(chr(39), '')}."
    if kind == "list_type":
        return f"{label} must be a list."
    if kind == "too_short":
        return f"{label} must hold at least {ctx.get('min_length')}."
    if kind == "too_long":
        return f"{label} holds at most {ctx.get('max_length')}."
    if kind.startswith(("datetime", "timezone")):
        return f"{label} must be an RFC 3339 time with a zone, like 2026-12-31T23:00:00Z."
    return f"{label}: {error['msg']}."


def _is_text(prop: dict[str, Any]) -> bool:
    if prop.get("type") == "string":
        return True
    return any(option.get("type") == "string" for option in prop.get("anyOf", []))
