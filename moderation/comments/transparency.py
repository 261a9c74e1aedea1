"""The transparency report (DSA Art. 15 and 24): what a site's moderation did over a period, in
figures a publisher can publish as they are.

Read-only, and computed in the database: every figure is a grouped count or an aggregate, so a
year of a busy site costs a handful of queries, never its rows. The period is whole UTC days,
both ends included.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from ..errors import NotFound, ValidationError
from ..models import (
    Action,
    Appeal,
    AppealStatus,
    Assessment,
    Ban,
    Comment,
    Decision,
    Flag,
    Reason,
    Restriction,
    Site,
    Statement,
    utcnow,
)
from .statements import POLICY_HOLDS

#: The longest period one report covers: a year, leap day included.
MAX_DAYS = 366
#: A key for what has no value (a notice without a category, a decision without a reason).
UNSPECIFIED = "unspecified"
OPEN = "open"
AUTOMATED = "automated"
HUMAN = "human"
GROUNDS = ("law", "house_rule")

#: Decisions that restrict a comment: removal (reject, spam) and a hold by a rule that found
#: something. The holds every comment goes through by the site's policy find nothing about it.
CONTENT_ACTIONS = (Action.REJECT, Action.SPAM, Action.HOLD)
MEASURE_ACTIONS = (Action.BAN, Action.SUSPEND)
BY_SYSTEM = Decision.actor.like("system:%")
_POLICY_HOLD = and_(
    Decision.action == Action.HOLD,
    or_(
        Decision.actor.in_([f"system:{rule}" for rule in sorted(POLICY_HOLDS)]),
        not_(BY_SYSTEM),
    ),
)
RESTRICTS_CONTENT = and_(Decision.action.in_(CONTENT_ACTIONS), not_(_POLICY_HOLD))


@dataclass(frozen=True)
class Notices:
    """Notices of illegal content (Art. 16) received in the period, and how they were handled."""

    received: int
    by_category: dict[str, int]
    # By assessment: illegal, house_rules, no_action, and open (not assessed yet).
    by_handling: dict[str, int]
    # Hours from receipt to assessment, over the notices assessed; None if none was.
    median_hours_to_act: float | None


@dataclass(frozen=True)
class Reports:
    """Readers' ordinary reports (not notices), by the reason they chose."""

    received: int
    by_reason: dict[str, int]


@dataclass(frozen=True)
class Restrictions:
    """Decisions that removed or withheld a comment (Art. 15(1)(c)): by reason, by who decided
    (a rule, or a person), and by action."""

    total: int
    by_reason: dict[str, int]
    by_automation: dict[str, int]
    by_action: dict[str, int]


@dataclass(frozen=True)
class Statements:
    """Statements of reasons issued (Art. 17), by restriction and by ground."""

    issued: int
    by_restriction: dict[str, int]
    by_ground: dict[str, int]
    by_reason: dict[str, int]
    automated: int


@dataclass(frozen=True)
class Appeals:
    """Complaints against decisions (Art. 20): received, their outcome, the time to decide."""

    received: int
    by_outcome: dict[str, int]
    median_hours_to_decide: float | None


@dataclass(frozen=True)
class Measures:
    """Bans and suspensions of authors: the decisions logged, and the ban records created."""

    decisions: int
    by_action: dict[str, int]
    records: int
    temporary_records: int


@dataclass(frozen=True)
class Report:
    """One site's transparency report over ``start`` to ``end`` (UTC days, both included)."""

    site: str
    start: date
    end: date
    generated_at: datetime
    notices: Notices
    reports: Reports
    restrictions: Restrictions
    statements: Statements
    appeals: Appeals
    bans: Measures

    def file_name(self, extension: str) -> str:
        """What a download of the report is called: ``transparency-<site>-<from>-<to>.csv``."""
        return f"transparency-{self.site}-{self.start}-{self.end}.{extension}"

    def to_json(self) -> dict[str, Any]:
        """The report as JSON values (the API's shape ``TransparencyReport``)."""
        return {
            "site": self.site,
            "period": {"from": self.start.isoformat(), "to": self.end.isoformat()},
            "generated_at": self.generated_at.isoformat().replace("+00:00", "Z"),
            "notices": vars(self.notices).copy(),
            "reports": vars(self.reports).copy(),
            "restrictions": vars(self.restrictions).copy(),
            "statements": vars(self.statements).copy(),
            "appeals": vars(self.appeals).copy(),
            "bans": vars(self.bans).copy(),
        }

    def to_csv(self) -> str:
        """The report as CSV rows ``section,metric,value`` (a nested figure's metric is dotted:
        ``by_reason.spam``; a figure without a value is empty), under a header."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(["section", "metric", "value"])
        for section, metric, value in csv_rows(self.to_json()):
            writer.writerow([section, metric, "" if value is None else value])
        return out.getvalue()


def csv_rows(figures: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """The report's JSON as (section, metric, value): the top-level values under ``report``."""
    rows: list[tuple[str, str, Any]] = []
    for section, value in figures.items():
        if isinstance(value, dict):
            rows.extend((section, metric, v) for metric, v in _flatten(value))
        else:
            rows.append(("report", section, value))
    return rows


def _flatten(values: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in values.items():
        if isinstance(value, dict):
            rows.extend(_flatten(value, f"{prefix}{key}."))
        else:
            rows.append((f"{prefix}{key}", value))
    return rows


def check_period(start: date, end: date) -> None:
    """Refuse a period that ends before it starts or is longer than :data:`MAX_DAYS` days."""
    if start > end:
        raise ValidationError("to", "The last day must not come before the first.")
    if (end - start).days + 1 > MAX_DAYS:
        raise ValidationError("to", f"A report covers at most {MAX_DAYS} days.")


def last_full_month(today: date) -> tuple[date, date]:
    """The first and last days of the calendar month before ``today``'s."""
    end = today.replace(day=1) - timedelta(days=1)
    return end.replace(day=1), end


def report(session: Session, site_id: int, start: date, end: date) -> Report:
    """The site's report over ``start`` to ``end``; a period too long or reversed is refused
    (:func:`check_period`), an unknown site is not found."""
    check_period(start, end)
    slug = session.scalar(select(Site.slug).where(Site.id == site_id))
    if slug is None:
        raise NotFound("There is no such site.")
    begins = datetime.combine(start, time.min, tzinfo=UTC)
    ends = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    notices, reports = _flags(session, site_id, begins, ends)
    return Report(
        site=slug,
        start=start,
        end=end,
        generated_at=utcnow().replace(microsecond=0),
        notices=notices,
        reports=reports,
        restrictions=_restrictions(session, site_id, begins, ends),
        statements=_statements(session, site_id, begins, ends),
        appeals=_appeals(session, site_id, begins, ends),
        bans=_measures(session, site_id, begins, ends),
    )


def _within(column: Any, begins: datetime, ends: datetime) -> ColumnElement[bool]:
    return and_(column >= begins, column < ends)


def _flags(
    session: Session, site_id: int, begins: datetime, ends: datetime
) -> tuple[Notices, Reports]:
    """Notices and ordinary reports in one grouped query, and the notices' median time."""
    is_notice = and_(Flag.reason == Reason.ILLEGAL, Flag.receipt.is_not(None))
    of_site = and_(Comment.site_id == site_id, _within(Flag.created_at, begins, ends))
    notice = case((is_notice, 1), else_=0).label("notice")
    rows = session.execute(
        select(notice, Flag.reason, Flag.category, Flag.assessment, func.count(Flag.id))
        .join(Comment, Comment.id == Flag.comment_id)
        .where(of_site)
        .group_by(notice, Flag.reason, Flag.category, Flag.assessment)
    )
    by_category: dict[str, int] = {}
    by_handling = dict.fromkeys([*(a.value for a in Assessment), OPEN], 0)
    by_reason = dict.fromkeys((r.value for r in Reason), 0)
    for is_a_notice, reason, category, assessment, number in rows:
        if is_a_notice:
            key = category or UNSPECIFIED
            by_category[key] = by_category.get(key, 0) + number
            handled = Assessment(assessment).value if assessment else OPEN
            by_handling[handled] += number
        else:
            by_reason[Reason(reason).value] += number
    hours = _hours(session, Flag.assessed_at, Flag.created_at)
    median = _median(
        session,
        select(hours)
        .join(Comment, Comment.id == Flag.comment_id)
        .where(of_site, is_notice, Flag.assessed_at.is_not(None)),
    )
    notices = Notices(
        received=sum(by_category.values()),
        by_category=dict(sorted(by_category.items())),
        by_handling=by_handling,
        median_hours_to_act=median,
    )
    return notices, Reports(received=sum(by_reason.values()), by_reason=by_reason)


def _automation(actor: Any) -> Any:
    return case((actor.like("system:%"), AUTOMATED), else_=HUMAN).label("automation")


def _restrictions(session: Session, site_id: int, begins: datetime, ends: datetime) -> Restrictions:
    automation = _automation(Decision.actor)
    rows = session.execute(
        select(Decision.action, Decision.reason, automation, func.count(Decision.id))
        .where(
            Decision.site_id == site_id,
            _within(Decision.created_at, begins, ends),
            RESTRICTS_CONTENT,
        )
        .group_by(Decision.action, Decision.reason, automation)
    )
    by_reason = dict.fromkeys([*(r.value for r in Reason), UNSPECIFIED], 0)
    by_automation = {AUTOMATED: 0, HUMAN: 0}
    by_action = dict.fromkeys((a.value for a in CONTENT_ACTIONS), 0)
    for action, reason, who, number in rows:
        by_reason[Reason(reason).value if reason else UNSPECIFIED] += number
        by_automation[who] += number
        by_action[Action(action).value] += number
    return Restrictions(sum(by_action.values()), by_reason, by_automation, by_action)


def _statements(session: Session, site_id: int, begins: datetime, ends: datetime) -> Statements:
    rows = session.execute(
        select(
            Statement.restriction,
            Statement.ground_kind,
            Statement.reason,
            Statement.automated,
            func.count(Statement.id),
        )
        .where(Statement.site_id == site_id, _within(Statement.created_at, begins, ends))
        .group_by(
            Statement.restriction, Statement.ground_kind, Statement.reason, Statement.automated
        )
    )
    by_restriction = dict.fromkeys((r.value for r in Restriction), 0)
    by_ground = dict.fromkeys(GROUNDS, 0)
    by_reason = dict.fromkeys([*(r.value for r in Reason), UNSPECIFIED], 0)
    automated = 0
    for restriction, ground, reason, by_system, number in rows:
        by_restriction[Restriction(restriction).value] += number
        by_ground[ground] = by_ground.get(ground, 0) + number
        by_reason[Reason(reason).value if reason else UNSPECIFIED] += number
        automated += number if by_system else 0
    return Statements(
        issued=sum(by_restriction.values()),
        by_restriction=by_restriction,
        by_ground=by_ground,
        by_reason=by_reason,
        automated=automated,
    )


def _appeals(session: Session, site_id: int, begins: datetime, ends: datetime) -> Appeals:
    of_site = and_(Appeal.site_id == site_id, _within(Appeal.created_at, begins, ends))
    rows = session.execute(
        select(Appeal.status, func.count(Appeal.id)).where(of_site).group_by(Appeal.status)
    )
    by_outcome = dict.fromkeys((s.value for s in AppealStatus), 0)
    for status, number in rows:
        by_outcome[AppealStatus(status).value] += number
    hours = _hours(session, Appeal.decided_at, Appeal.created_at)
    median = _median(
        session,
        select(hours).where(
            of_site, Appeal.decided_at.is_not(None), Appeal.status != AppealStatus.OPEN
        ),
    )
    return Appeals(sum(by_outcome.values()), by_outcome, median)


def _measures(session: Session, site_id: int, begins: datetime, ends: datetime) -> Measures:
    rows = session.execute(
        select(Decision.action, func.count(Decision.id))
        .where(
            Decision.site_id == site_id,
            _within(Decision.created_at, begins, ends),
            Decision.action.in_(MEASURE_ACTIONS),
        )
        .group_by(Decision.action)
    )
    by_action = dict.fromkeys((a.value for a in MEASURE_ACTIONS), 0)
    for action, number in rows:
        by_action[Action(action).value] += number
    records, temporary = session.execute(
        select(func.count(Ban.id), func.count(Ban.expires_at)).where(
            Ban.site_id == site_id, _within(Ban.created_at, begins, ends)
        )
    ).one()
    return Measures(sum(by_action.values()), by_action, int(records), int(temporary or 0))


@dataclass(frozen=True)
class Day:
    """One UTC day of a period: its restricting decisions by who made them (``automated``,
    ``human``) and the notices received that day by how they were handled."""

    day: date
    restrictions: dict[str, int]
    notices: dict[str, int]


def report_days(session: Session, site_id: int, start: date, end: date) -> list[Day]:
    """The report's two day-by-day series (for charts), every day of the period included: two
    grouped queries."""
    check_period(start, end)
    begins = datetime.combine(start, time.min, tzinfo=UTC)
    ends = datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC)
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    restrictions = {d: {AUTOMATED: 0, HUMAN: 0} for d in days}
    notices = {d: dict.fromkeys([*(a.value for a in Assessment), OPEN], 0) for d in days}
    day = _utc_day(session, Decision.created_at)
    automation = _automation(Decision.actor)
    for when, who, number in session.execute(
        select(day, automation, func.count(Decision.id))
        .where(
            Decision.site_id == site_id,
            _within(Decision.created_at, begins, ends),
            RESTRICTS_CONTENT,
        )
        .group_by(day, automation)
    ):
        restrictions[_as_date(when)][who] += number
    day = _utc_day(session, Flag.created_at)
    for when, assessment, number in session.execute(
        select(day, Flag.assessment, func.count(Flag.id))
        .join(Comment, Comment.id == Flag.comment_id)
        .where(
            Comment.site_id == site_id,
            _within(Flag.created_at, begins, ends),
            Flag.reason == Reason.ILLEGAL,
            Flag.receipt.is_not(None),
        )
        .group_by(day, Flag.assessment)
    ):
        notices[_as_date(when)][Assessment(assessment).value if assessment else OPEN] += number
    return [Day(d, restrictions[d], notices[d]) for d in days]


def _utc_day(session: Session, column: Any) -> Any:
    """The UTC calendar day of a timestamp column, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column)).label("day")
    # SQLite keeps the UTC time as text; date() reads its first ten characters.
    return func.date(column).label("day")


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _hours(session: Session, later: Any, earlier: Any) -> Any:
    """Hours from ``earlier`` to ``later``, in the database's own dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return (func.extract("epoch", later - earlier) / 3600.0).label("hours")
    # SQLite keeps UTC times as text, which julianday() reads (in days).
    return ((func.julianday(later) - func.julianday(earlier)) * 24.0).label("hours")


def _median(session: Session, durations: Any) -> float | None:
    """The median of a one-column query's values, computed by the database: the average of the
    middle one or two values, ranked by a window function. None without values."""
    values = durations.subquery("durations")
    value = values.c.hours
    ranked = select(
        value.label("hours"),
        func.row_number().over(order_by=value).label("n"),
        func.count().over().label("c"),
    ).subquery("ranked")
    middle = session.scalar(
        select(func.avg(ranked.c.hours)).where(
            2 * ranked.c.n >= ranked.c.c, 2 * ranked.c.n <= ranked.c.c + 2
        )
    )
    return round(float(middle), 2) if middle is not None else None


__all__ = [
    "MAX_DAYS",
    "Day",
    "Report",
    "check_period",
    "csv_rows",
    "last_full_month",
    "report",
    "report_days",
]
