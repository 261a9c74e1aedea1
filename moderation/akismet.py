"""An optional second opinion from Akismet, which never holds a submission up for long.

Off unless a site turns on the ``akismet`` rule and the configuration has an ``akismet_key``. The
request has a short timeout; when Akismet is slow, down or answers nonsense, the comment is
screened by the other rules alone.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping

log = logging.getLogger(__name__)


class Akismet:
    """A comment-check client for one key and blog (the service's public address)."""

    def __init__(self, key: str, blog: str, url: str, timeout_seconds: float) -> None:
        self.endpoint = f"{url.rstrip('/')}/1.1/comment-check"
        self.key = key
        self.blog = blog
        self.timeout_seconds = timeout_seconds

    def __call__(self, fields: Mapping[str, str]) -> bool | None:
        data = urllib.parse.urlencode({"api_key": self.key, "blog": self.blog, **fields}).encode()
        request = urllib.request.Request(self.endpoint, data=data, method="POST")
        request.add_header("User-Agent", "moderation/0.1 | Akismet client")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                answer = response.read(64).decode("ascii", "replace").strip()
        except (OSError, urllib.error.URLError, ValueError) as exc:
            log.warning("Akismet unavailable, screening without it: %s", exc)
            return None
        if answer in ("true", "false"):
            return answer == "true"
        log.warning("Akismet answered %r; screening without it", answer[:40])
        return None
