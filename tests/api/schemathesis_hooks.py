"""Hooks of the schemathesis run (tests/api/test_schemathesis.py): what a JSON Schema cannot say.

A ban's end must be in the future, which no schema keyword expresses; a generated end in the past
is moved to the same moment of the year 2400 (a leap year, so that a 29 February stays a date),
so that positive cases are what the document means by valid. A past end is still refused with a
400, as tests/api/test_moderation.py shows.

A submission's ``notify`` needs an email, typed or from the reader's token, which no schema
can see either; a generated one without a typed address is dropped.

Likewise an ``Idempotency-Key`` names one request: the generator, which draws keys from a small
space, would send one key with many bodies (rightly refused, 422). A well-formed key gets the
body's digest appended, so one key still goes with one body (and a repeated case is a replay).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import schemathesis

_KEY = re.compile(r"[!-~]{1,255}")


@schemathesis.hook("before_call")
def one_body_per_idempotency_key(context: Any, case: Any, kwargs: Any) -> None:
    # Before every call, whatever the phase (map_case is not run for all of them).
    notify_needs_an_address(case)
    a_notice_is_complete(case)
    an_illegal_assessment_names_its_ground(case)
    report_period_is_a_year_at_most(case)
    key = (case.headers or {}).get("Idempotency-Key")
    if isinstance(key, str) and _KEY.fullmatch(key):
        body = json.dumps(case.body, sort_keys=True, default=str).encode()
        digest = hashlib.sha256(body + case.formatted_path.encode()).hexdigest()[:16]
        case.headers["Idempotency-Key"] = f"{key[:200]}-{digest}"


def notify_needs_an_address(case: Any) -> None:
    """Mail needs an address: the typed one or the reader token's, which a schema cannot see.
    A generated ``notify`` without a typed address is dropped (refused with a field error, as
    tests/api/test_widget_mail.py shows)."""
    body = case.body
    if (
        isinstance(body, dict)
        and body.get("notify")
        and not str(body.get("author_email") or "").strip()
    ):
        body["notify"] = []


#: What a notice of illegal content must carry (DSA Art. 16), which depends on the reason.
NOTICE = {
    "category": "other",
    "law": "A law",
    "explanation": "Why it is illegal",
    "notifier_name": "Nora",
    "notifier_email": "nora@example.org",
    "good_faith": True,
}


def a_notice_is_complete(case: Any) -> None:
    """A report of reason ``illegal`` needs the notice's fields, which a schema cannot tie to
    the reason; the missing ones are filled (an incomplete notice is refused with a field
    error, as tests/api/test_notices.py shows)."""
    body = case.body
    if isinstance(body, dict) and body.get("reason") == "illegal":
        for field, value in NOTICE.items():
            if body.get(field) in (None, "", False) or (
                isinstance(body.get(field), str) and not body[field].strip()
            ):
                body[field] = value


def an_illegal_assessment_names_its_ground(case: Any) -> None:
    """Removing a notice's comment as illegal needs the legal ground (refused without one, as
    tests/api/test_notices.py shows)."""
    body = case.body
    if (
        isinstance(body, dict)
        and body.get("assessment") == "illegal"
        and not str(body.get("legal_ground") or "").strip()
    ):
        body["legal_ground"] = "A law"


def report_period_is_a_year_at_most(case: Any) -> None:
    """A transparency report covers at most 366 days, from before to; a generated period
    outside that is made a month from its start."""
    query = case.query
    if not (case.operation.path.endswith("/transparency") and isinstance(query, dict)):
        return
    try:
        start, end = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
    except (KeyError, TypeError, ValueError):
        return
    if not 0 <= (end - start).days <= 365:
        query["to"] = min(start + timedelta(days=30), date.max).isoformat()


#: The end of a measure is checked against the clock, which a schema cannot say: the field of
#: each operation that takes one.
MEASURE_ENDS = {
    "/api/v1/sites/{site}/bans": "expires_at",
    "/api/v1/sites/{site}/authors/{author_key}/standing": "until",
}


@schemathesis.hook("map_case")
def ends_of_bans_in_the_future(context: Any, case: Any) -> Any:
    body = case.body
    field = MEASURE_ENDS.get(case.operation.path)
    if field is None or not isinstance(body, dict):
        return case
    end = body.get(field)
    if isinstance(end, str):
        try:
            when = datetime.fromisoformat(end.upper().replace("Z", "+00:00"))
        except ValueError:
            return case
        if when.tzinfo is not None and when <= datetime.now(UTC):
            body[field] = when.replace(year=2400).isoformat()
    return case
