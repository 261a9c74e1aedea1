"""Checks on what a client sends: every field's type, length and shape, each failure naming it."""

from __future__ import annotations

import re
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .api.errors import validation_error
from .sanitize import normalise_text

MAX_NAME = 100
MAX_EMAIL = 254
MAX_URL = 2048
MAX_TITLE = 300
MAX_ARTICLE_KEY = 512
MAX_NOTE = 500
MAX_EXPLANATION = 2000

SLUG = re.compile(r"^[a-z0-9-]{1,64}$")
# Deliberately plain: one @, a dot in the domain, no spaces or angle brackets. Real validation of
# an address is sending mail to it, which this service does not do.
EMAIL = re.compile(r"^[^\s@<>\"',;]+@[^\s@<>\"',;]+\.[^\s@<>\"',;.]+$")
_PRINTABLE_KEY = re.compile(r"^[^\x00-\x1f\x7f]+$")
# JSON can carry lone UTF-16 surrogates ("\\ud800"), which are not text and no database stores.
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise validation_error("body", "Send a JSON object.")
    return data


def text_field(
    data: dict[str, Any],
    name: str,
    *,
    max_length: int,
    min_length: int = 1,
    label: str | None = None,
) -> str:
    """A required string field, normalised and stripped, within its length limits."""
    value = optional_text_field(
        data, name, max_length=max_length, min_length=min_length, label=label, required=True
    )
    assert value is not None  # required=True raises instead of returning None
    return value


def optional_text_field(
    data: dict[str, Any],
    name: str,
    *,
    max_length: int,
    required: bool = False,
    min_length: int = 1,
    label: str | None = None,
) -> str | None:
    """A string field, normalised and stripped, within its length limits; None when absent."""
    label = label or name.replace("_", " ")
    value = data.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise validation_error(name, f"Please fill in the {label}.")
        return None
    if not isinstance(value, str):
        raise validation_error(name, f"The {label} must be text.")
    if _SURROGATE.search(value):
        raise validation_error(name, f"The {label} contains characters that are not valid text.")
    value = normalise_text(value).strip()
    if len(value) < min_length:
        raise validation_error(name, f"The {label} must be at least {min_length} characters.")
    if len(value) > max_length:
        raise validation_error(
            name, f"The {label} must be at most {max_length:,} characters (it has {len(value):,})."
        )
    return value


MaybeText = TypeVar("MaybeText", str, str | None)


def single_line(value: MaybeText, name: str, label: str) -> MaybeText:
    if value is not None and "\n" in value:
        raise validation_error(name, f"The {label} must fit on one line.")
    return value


def email_field(data: dict[str, Any], name: str = "author_email") -> str | None:
    value = optional_text_field(data, name, max_length=MAX_EMAIL, label="email address")
    if value is not None and not EMAIL.match(value):
        raise validation_error(name, "This does not look like an email address.")
    return value


def optional_int(data: dict[str, Any], name: str) -> int | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1 or value > 2**62:
        raise validation_error(name, f"{name} must be a positive whole number.")
    return value


def http_url(value: str | None, name: str) -> str | None:
    """An absolute http(s) URL, or None."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise validation_error(name, "Use a full http:// or https:// address.")
    return value


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased, default ports dropped."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    port = parts.port
    default = {"http": 80, "https": 443}.get(parts.scheme)
    netloc = f"[{host}]" if ":" in host else host
    if port and port != default:
        netloc = f"{netloc}:{port}"
    return f"{parts.scheme.lower()}://{netloc}"


def normalise_origin(value: str) -> str:
    """Check and normalise an allowed origin as an operator gives it (``https://news.example``)."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path not in ("", "/"):
        raise ValueError(f"{value!r} is not an origin like https://news.example")
    return origin_of(value)


def article_key(value: str) -> str:
    if not value or len(value) > MAX_ARTICLE_KEY or not _PRINTABLE_KEY.match(value):
        raise validation_error(
            "article", f"The article key must be 1 to {MAX_ARTICLE_KEY} printable characters."
        )
    return value


def choice(data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    """A required field that is one of ``allowed``."""
    value = optional_choice(data, name, allowed)
    if value is None:
        raise validation_error(name, f"{name} is required: one of {', '.join(allowed)}.")
    return value


def optional_choice(data: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = data.get(name)
    if value is None:
        return None
    if value not in allowed:
        raise validation_error(name, f"{name} must be one of {', '.join(allowed)}.")
    return str(value)
