"""A reader-comment service: sanitize once on write, decide in the queue, serve approved threads
fast from cache.

``create_app`` (in ``app.py``) builds the service. The package itself imports nothing until asked,
so that a part of it that needs none of the rest (the server's front, ``front.py``) loads without
Flask, SQLAlchemy and the app: the benchmark serves other WSGI apps through the same front.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .app import create_app

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
