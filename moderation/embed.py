"""Serves the widget script, ``/embed.js``: read once, compressed once, versioned by its hash."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from flask import Blueprint, Response, request

bp = Blueprint("embed", __name__)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str  # a hash of the content, so a new release is a new ETag


@cache
def widget_script() -> Asset:
    body = files("moderation").joinpath("static/embed.js").read_bytes()
    digest = hashlib.sha256(body).hexdigest()[:16]
    return Asset(body, gzip.compress(body, compresslevel=9, mtime=0), f'"{digest}"')


@bp.get("/embed.js")
def embed_js() -> Response:
    asset = widget_script()
    gzip_ok = "gzip" in request.headers.get("Accept-Encoding", "")
    etag = asset.etag[:-1] + ('-gz"' if gzip_ok else '"')
    if etag in request.headers.get("If-None-Match", ""):
        response = Response(status=304)
    elif gzip_ok:
        response = Response(asset.gzipped, mimetype="text/javascript")
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(asset.body, mimetype="text/javascript")
    response.headers["ETag"] = etag
    response.vary.add("Accept-Encoding")
    # The address is fixed (publishers paste it once), so caches keep it briefly and revalidate
    # with the ETag; a stale copy may be used for a day while revalidating in the background.
    response.headers["Cache-Control"] = "public, max-age=600, stale-while-revalidate=86400"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response
