"""What each API view is, for the OpenAPI document: its shapes and every error it can answer.

A view declares itself once with :func:`operation`; ``openapi.py`` walks the app's routes and
builds the document from these declarations, the routes themselves (paths, methods, path
parameters) and the shapes of ``schemas``. A route of the API without a declaration is an error
when the document is built, so nothing served goes undocumented.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..config import Settings
from ..errors import ApiError

F = TypeVar("F", bound=Callable[..., Any])

#: A shape, or a function of the settings that makes one (a comment's length is configured).
ShapeSource = Any


@dataclass(frozen=True)
class Answer:
    """One response of an operation: its shape (or, for a body pydantic does not write, a raw
    JSON schema; neither: no body), description, headers and links."""

    shape: ShapeSource = None
    description: str = ""
    schema: Mapping[str, Any] | None = None
    headers: Mapping[str, str] = field(default_factory=dict)  # name -> description
    media_type: str = "application/json"
    links: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Operation:
    """An API view as the document describes it."""

    id: str
    summary: str
    tag: str
    answers: Mapping[int, Answer]
    errors: tuple[type[ApiError], ...] = ()
    body: ShapeSource = None
    query: ShapeSource = None
    description: str = ""
    bearer: bool = False
    #: name -> (description, required) or (description, required, JSON schema)
    headers: Mapping[str, tuple[str, bool] | tuple[str, bool, Mapping[str, Any]]] = field(
        default_factory=dict
    )
    rate_limited: bool = False
    #: The largest body this operation reads, in bytes, when its shape can be larger than the
    #: service's ``max_request_bytes`` (a list of a hundred long keys, a site's word lists).
    max_body: int | Callable[[Settings], int] | None = None

    def body_limit(self, settings: Settings) -> int | None:
        """The largest body this operation reads, for these settings."""
        if callable(self.max_body):
            return self.max_body(settings)
        return self.max_body

    def shape(self, source: ShapeSource, settings: Settings) -> Any:
        """The shape of ``source`` for this service's settings."""
        if callable(source) and getattr(source, "takes_settings", False):
            return source(settings)
        return source


def operation(**kwargs: Any) -> Callable[[F], F]:
    """Declare a view an operation of the API (see :class:`Operation` for the fields)."""
    declared = Operation(**kwargs)

    def mark(view: F) -> F:
        view.operation = declared  # type: ignore[attr-defined]
        return view

    return mark


def from_settings(make: Callable[[Settings], Any]) -> Callable[[Settings], Any]:
    """Mark a function of the settings as the source of a shape."""
    make.takes_settings = True  # type: ignore[attr-defined]
    return make
