"""Rate limits of the widget API (Flask-Limiter), keyed by hashes, never by addresses or names."""

from __future__ import annotations

import urllib.parse
from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from limits.strategies import FixedWindowRateLimiter

from ..errors import ApiError
from ..identity import keyed_hash
from ..schemas.requests import submit_comment
from .limit_store import MachineStorage, store_uri
from .payload import GUEST_KEY_HEADER, READER_TOKEN, client_ip_hash, json_body

# Per client address. A reader writes a comment in minutes, not seconds: five a minute leaves room
# for quick replies in a live discussion, thirty an hour stops a flood from one address while a
# newsroom's shared office connection still fits several active commenters.
SUBMIT_LIMIT = "5/minute;30/hour"
AUTHOR_SUBMIT_LIMIT = "5/minute;30/hour"
REPORT_LIMIT = "10/minute;60/hour"
EDIT_LIMIT = "20/minute"
# A reader reacts to what they read: a page of comments in a minute is quick; more is a script.
REACTION_LIMIT = "30/minute;300/hour"


def _address_key() -> str:
    # Counters are keyed by the keyed hash of the address, so not even the rate-limit store
    # (possibly a shared Redis) holds readers' IP addresses in clear.
    return client_ip_hash() or "unknown"


def author_limit_key() -> str:
    """Per author as well as per address: one person behind many addresses is still one.

    The author is who the request says it is, by what cannot be borrowed first: the reader's
    token or the guest's browser key (so no one can spend another reader's allowance by typing
    their email), else, for a client that sends neither, the typed email or name. The body is
    parsed as the view parses it (once: ``json_body`` keeps it for the view); a body that does
    not parse counts against "unknown", and the view refuses it.
    """
    secret = current_app.config["SECRET_KEY"]
    sent = request.headers.get(READER_TOKEN) or request.headers.get(GUEST_KEY_HEADER)
    if sent:
        return "author:" + keyed_hash(secret, "limit", "sent:" + sent)[:32]
    try:
        submission = json_body(submit_comment(current_app.config["SETTINGS"].max_comment_chars))
    except ApiError:
        return "author:unknown"
    email = getattr(submission, "author_email", None)
    identity = email or getattr(submission, "author_name", "")
    if not identity:
        return "author:unknown"
    # Hashed, like addresses: the limit store holds no one's name or email.
    return "author:" + keyed_hash(secret, "limit", identity.strip().casefold())[:32]


#: How long a request waits for Redis, in seconds. Redis answers a healthy request in well under
#: a millisecond; one that hangs (stopped, swapping, a network that drops packets) must not hold
#: a reader or /healthz for seconds, so the limiter gives up quickly and uses its fallback.
REDIS_TIMEOUT = 0.05

_REDIS_SCHEMES = frozenset({"redis", "rediss", "redis+unix"})


def storage_uri(rate_limit_storage: str, instance_path: str) -> str:
    """The ``limits`` storage behind the ``rate_limit_storage`` setting: ``memory://`` is this
    machine's memory, shared by every process of the instance; any other URI is used as it is."""
    if urllib.parse.urlparse(rate_limit_storage).scheme == "memory":
        return store_uri(instance_path)
    return rate_limit_storage


def storage_options(uri: str) -> dict[str, Any]:
    """Options for the storage of ``uri``: short timeouts and no retries for Redis."""
    if urllib.parse.urlparse(uri).scheme not in _REDIS_SCHEMES:
        return {}
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    # redis-py retries a timed-out command three times with back-off by default: seconds per
    # request while Redis hangs. One attempt, then the fallback.
    return {
        "socket_timeout": REDIS_TIMEOUT,
        "socket_connect_timeout": REDIS_TIMEOUT,
        "retry": Retry(NoBackoff(), 0),
    }


class MachineFallbackLimiter(Limiter):
    """Flask-Limiter whose fallback, while a shared store (Redis) does not answer, is this
    machine's store instead of each process's memory, so the workers of one machine still
    share one count during an outage."""

    def init_app(self, app: Flask) -> None:
        """Bind to ``app`` as Flask-Limiter does, then point the fallback at the machine store."""
        super().init_app(app)
        # The limiter is one object for every app of a process (tests build many): a store just
        # bound has not failed, whatever the previous app's did.
        self._storage_dead = False
        fallback = self._fallback_limiter
        # Only the fixed window (Flask-Limiter's default) is supported by the machine store;
        # with any other strategy the fallback stays in each process's memory.
        if isinstance(fallback, FixedWindowRateLimiter) and not isinstance(
            self.storage, MachineStorage
        ):
            self._fallback_limiter = FixedWindowRateLimiter(
                MachineStorage(store_uri(app.instance_path))
            )


def limit_store_state(app: Flask) -> str:
    """``"ok"`` while this process counts in the configured store, ``"degraded"`` while it
    counts in the fallback because the store did not answer.

    It costs nothing (for /healthz): the limiter notices an outage at the first check that
    fails and its recovery at a later check, both made by requests, not by this function.
    """
    for bound in app.extensions.get("limiter", ()):
        if bound.enabled and bound.initialized and bound.limiter.storage is not bound.storage:
            return "degraded"
    return "ok"


limiter = MachineFallbackLimiter(key_func=_address_key, headers_enabled=True, default_limits=[])
