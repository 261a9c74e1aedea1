"""The transparency report, through the core: a seeded history of two sites, its figures counted
again here in plain Python over the rows the test wrote, and the report's CSV read back."""

from __future__ import annotations

import csv
import io
import random
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from moderation.comments.transparency import check_period, csv_rows, last_full_month, report
from moderation.errors import NotFound, ValidationError
from moderation.models import (
    Action,
    Appeal,
    AppealStatus,
    Assessment,
    Ban,
    BanKind,
    Decision,
    Flag,
    Reason,
    Restriction,
    Site,
    Statement,
    Status,
)

START, END = date(2026, 3, 1), date(2026, 3, 31)
FIRST = datetime(2026, 3, 1, tzinfo=UTC)
AFTER = datetime(2026, 4, 1, tzinfo=UTC)
# Moments inside the period (its first and last instants included) and just outside it.
INSIDE = [FIRST, FIRST + timedelta(days=9, hours=5), AFTER - timedelta(microseconds=1)]
OUTSIDE = [FIRST - timedelta(microseconds=1), AFTER, datetime(2025, 12, 24, tzinfo=UTC)]
ACTORS = ["moderator:ed@news.example", "token:tools", "system:blocked_words", "system:premod"]
CATEGORIES = ["hate_speech", "defamation", "terrorism", None]
ACTIONS = [Action.REJECT, Action.SPAM, Action.HOLD, Action.APPROVE, Action.BAN, Action.SUSPEND]


def _inside(row) -> bool:
    return FIRST <= row.created_at < AFTER


@pytest.fixture
def history(session, make_site, new_comment):
    """Rows of every kind for ``news`` and for ``other``, inside and outside March 2026; returns
    the site ``news`` and its rows of the period."""
    make_site("other")
    news = session.query(Site).filter_by(slug="news").one()
    other = session.query(Site).filter_by(slug="other").one()
    comments = {
        news.id: [new_comment(body=f"News comment {i}.", author_name=f"N{i}") for i in range(3)],
        other.id: [new_comment(body="Elsewhere.", site="other", author_name="O")],
    }
    site_of = {c.id: site_id for site_id, rows in comments.items() for c in rows}
    pick = random.Random(15)
    moments = INSIDE * 3 + OUTSIDE
    rows: dict[str, list] = {"decisions": [], "flags": [], "statements": [], "bans": []}
    for n in range(90):
        site_id = news.id if n % 5 else other.id
        comment = pick.choice(comments[site_id])
        at = pick.choice(moments)
        rows["decisions"].append(
            Decision(
                site_id=site_id,
                comment_id=comment.id,
                actor=pick.choice(ACTORS),
                action=pick.choice(ACTIONS),
                to_status=Status.REJECTED,
                reason=pick.choice([*Reason, None]),
                created_at=at,
            )
        )
        notice = n % 2 == 0
        assessment = pick.choice([*Assessment, None]) if notice else None
        rows["flags"].append(
            Flag(
                comment_id=comment.id,
                reason=Reason.ILLEGAL if notice else pick.choice(list(Reason)),
                reporter_hash=f"reporter-{n}",
                receipt=f"N-{n}" if notice else None,
                category=pick.choice(CATEGORIES) if notice else None,
                assessment=assessment,
                assessed_at=at + timedelta(hours=n % 7 + 0.5) if assessment else None,
                created_at=at,
            )
        )
        rows["statements"].append(
            Statement(
                site_id=site_id,
                comment_id=comment.id,
                restriction=pick.choice(list(Restriction)),
                action=Action.REJECT,
                reason=pick.choice([*Reason, None]),
                facts="Facts.",
                automated=pick.random() < 0.3,
                ground_kind=pick.choice(["law", "house_rule"]),
                ground="A ground.",
                actor="moderator:ed@news.example",
                created_at=at,
            )
        )
        if n % 4 == 0:
            rows["bans"].append(
                Ban(
                    site_id=site_id,
                    kind=BanKind.EMAIL,
                    value_hash=f"hash-{n}",
                    label=f"reader{n}@example.org",
                    created_by="moderator:ed@news.example",
                    expires_at=at + timedelta(days=7) if n % 8 else None,
                    created_at=at,
                )
            )
    for kind in rows.values():
        session.add_all(kind)
    session.flush()
    rows["appeals"] = []
    for n, statement in enumerate(rows["statements"]):
        if n % 3:
            continue
        outcome = pick.choice(list(AppealStatus))
        decided = outcome is not AppealStatus.OPEN
        rows["appeals"].append(
            Appeal(
                site_id=statement.site_id,
                comment_id=statement.comment_id,
                statement_id=statement.id,
                body="Please look again.",
                status=outcome,
                decided_at=statement.created_at + timedelta(hours=n % 11 + 1) if decided else None,
                created_at=statement.created_at,
            )
        )
    session.add_all(rows["appeals"])
    session.commit()

    def of_news(row) -> bool:
        site_id = row.site_id if hasattr(row, "site_id") else site_of[row.comment_id]
        return site_id == news.id

    return news, {
        name: [r for r in kind if of_news(r) and _inside(r)] for name, kind in rows.items()
    }


def _counts(values, keys) -> dict[str, int]:
    counted = Counter(values)
    return {key: counted.get(key, 0) for key in keys}


REASONS = [r.value for r in Reason]


def test_the_report_counts_the_sites_rows_of_the_period_only(session, history):
    news, rows = history
    got = report(session, news.id, START, END)
    assert (got.site, got.start, got.end) == ("news", START, END)

    notices = [f for f in rows["flags"] if f.receipt is not None]
    assert got.notices.received == len(notices)
    assert got.notices.by_category == dict(
        sorted(Counter(f.category or "unspecified" for f in notices).items())
    )
    handling = [f.assessment.value if f.assessment else "open" for f in notices]
    assert got.notices.by_handling == _counts(
        handling, ["illegal", "house_rules", "no_action", "open"]
    )

    ordinary = [f for f in rows["flags"] if f.receipt is None]
    assert got.reports.received == len(ordinary)
    assert got.reports.by_reason == _counts([f.reason.value for f in ordinary], REASONS)

    def restricts(d: Decision) -> bool:
        if d.action in (Action.REJECT, Action.SPAM):
            return True
        return d.action is Action.HOLD and d.actor == "system:blocked_words"

    restricting = [d for d in rows["decisions"] if restricts(d)]
    assert got.restrictions.total == len(restricting)
    assert got.restrictions.by_reason == _counts(
        [d.reason.value if d.reason else "unspecified" for d in restricting],
        [*REASONS, "unspecified"],
    )
    assert got.restrictions.by_automation == _counts(
        ["automated" if d.actor.startswith("system:") else "human" for d in restricting],
        ["automated", "human"],
    )
    assert got.restrictions.by_action == _counts(
        [d.action.value for d in restricting], ["reject", "spam", "hold"]
    )

    statements = rows["statements"]
    assert got.statements.issued == len(statements)
    assert got.statements.by_restriction == _counts(
        [s.restriction.value for s in statements], [r.value for r in Restriction]
    )
    assert got.statements.by_ground == _counts(
        [s.ground_kind for s in statements], ["law", "house_rule"]
    )
    assert got.statements.automated == sum(s.automated for s in statements)

    appeals = rows["appeals"]
    assert got.appeals.received == len(appeals)
    assert got.appeals.by_outcome == _counts(
        [a.status.value for a in appeals], ["open", "upheld", "reversed"]
    )

    measures = [d for d in rows["decisions"] if d.action in (Action.BAN, Action.SUSPEND)]
    assert got.bans.by_action == _counts([d.action.value for d in measures], ["ban", "suspend"])
    assert got.bans.decisions == len(measures)
    assert got.bans.records == len(rows["bans"])
    assert got.bans.temporary_records == sum(b.expires_at is not None for b in rows["bans"])
    # The seed reaches every kind of row, inside the period and out.
    assert notices and ordinary and restricting and statements and appeals and measures


def test_the_medians_are_the_hours_to_assess_and_to_decide(session, history):
    news, rows = history
    got = report(session, news.id, START, END)
    to_act = [
        (f.assessed_at - f.created_at).total_seconds() / 3600
        for f in rows["flags"]
        if f.receipt is not None and f.assessed_at is not None
    ]
    to_decide = [
        (a.decided_at - a.created_at).total_seconds() / 3600
        for a in rows["appeals"]
        if a.decided_at is not None
    ]
    assert to_act and to_decide
    assert got.notices.median_hours_to_act == pytest.approx(statistics.median(to_act), abs=0.01)
    assert got.appeals.median_hours_to_decide == pytest.approx(
        statistics.median(to_decide), abs=0.01
    )


def test_a_period_without_anything_has_zeros_and_no_medians(session, history):
    news, _rows = history
    got = report(session, news.id, date(2024, 1, 1), date(2024, 1, 31))
    assert got.notices.received == got.reports.received == got.appeals.received == 0
    assert got.notices.median_hours_to_act is None
    assert got.appeals.median_hours_to_decide is None
    assert got.restrictions.by_automation == {"automated": 0, "human": 0}


def test_an_even_number_of_values_has_the_mean_of_the_middle_two_as_median(session, new_comment):
    comment = new_comment()
    at = datetime(2026, 5, 2, tzinfo=UTC)
    for n, hours in enumerate([1, 2, 10, 40]):
        session.add(
            Flag(
                comment_id=comment.id,
                reason=Reason.ILLEGAL,
                reporter_hash=f"r{n}",
                receipt=f"R-{n}",
                category="privacy",
                assessment=Assessment.NO_ACTION,
                assessed_at=at + timedelta(hours=hours),
                created_at=at,
            )
        )
    session.commit()
    got = report(session, comment.site_id, date(2026, 5, 1), date(2026, 5, 31))
    assert got.notices.median_hours_to_act == pytest.approx(6.0)
    assert got.notices.by_category == {"privacy": 4}


def test_the_csv_reads_back_as_the_json_figures(session, history):
    news, _rows = history
    got = report(session, news.id, START, END)
    read = list(csv.reader(io.StringIO(got.to_csv())))
    assert read[0] == ["section", "metric", "value"]
    expected = [
        [section, metric, "" if value is None else str(value)]
        for section, metric, value in csv_rows(got.to_json())
    ]
    assert read[1:] == expected
    figures = {(section, metric): value for section, metric, value in read[1:]}
    assert figures["report", "site"] == "news"
    assert figures["notices", "received"] == str(got.notices.received)
    assert figures["period", "from"] == "2026-03-01"
    assert figures["restrictions", "by_automation.human"] == str(
        got.restrictions.by_automation["human"]
    )


def test_the_json_names_the_period_and_the_site(session, history):
    news, _rows = history
    figures = report(session, news.id, START, END).to_json()
    assert figures["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert figures["site"] == "news" and figures["generated_at"].endswith("Z")
    assert set(figures["notices"]) == {
        "received",
        "by_category",
        "by_handling",
        "median_hours_to_act",
    }


def test_a_reversed_or_too_long_period_is_refused(session):
    with pytest.raises(ValidationError) as reversed_period:
        check_period(date(2026, 3, 2), date(2026, 3, 1))
    assert reversed_period.value.field == "to"
    check_period(date(2024, 1, 1), date(2024, 12, 31))  # 366 days, a leap year
    with pytest.raises(ValidationError):
        check_period(date(2025, 1, 1), date(2026, 1, 2))


def test_an_unknown_site_is_not_found(session):
    with pytest.raises(NotFound):
        report(session, 999_999, START, END)


def test_the_last_full_month_is_the_calendar_month_before(session):
    assert last_full_month(date(2026, 3, 15)) == (date(2026, 2, 1), date(2026, 2, 28))
    assert last_full_month(date(2026, 1, 1)) == (date(2025, 12, 1), date(2025, 12, 31))
