"""The overview's figures (moderation.overview.at_a_glance) on a controlled clock, and its page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from moderation import admin, overview
from moderation.db import db
from moderation.identity import token_hash
from moderation.models import Action, Article, Comment, Decision, Reason, Site, Status

from .dashboard.conftest import PASSWORD, Dashboard

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
TODAY = NOW.replace(hour=0)
MODERATOR = "moderator:mod@newsroom.example"


def day(offset: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment ``offset`` days from today (negative: before), at ``hour``:``minute`` UTC."""
    return TODAY + timedelta(days=offset, hours=hour, minutes=minute)


def end_of(offset: int) -> datetime:
    return min(TODAY + timedelta(days=offset + 1), NOW)


class History:
    """Writes comments and their log straight into the database, at given moments."""

    def __init__(self, session: Any, site_slug: str = "news", title: str = "A story") -> None:
        self.session = session
        self.site = session.scalar(select(Site).where(Site.slug == site_slug))
        self.article = Article(site_id=self.site.id, key=f"/story/{title}", title=title)
        session.add(self.article)
        session.flush()
        self.count = 0

    def comment(self, created: datetime, status: Status) -> Comment:
        self.count += 1
        comment = Comment(
            site_id=self.site.id,
            article_id=self.article.id,
            author_name=f"Reader {self.count}",
            author_key=f"{self.count:064x}",
            body_text=f"Comment {self.count}",
            html=f"<p>Comment {self.count}</p>",
            status=status,
            held_because=[],
            edit_token_hash=token_hash(str(self.count)),
            created_at=created,
        )
        self.session.add(comment)
        self.session.flush()
        return comment

    def log(
        self,
        comment: Comment,
        at: datetime,
        action: Action,
        before: Status | None,
        after: Status,
        actor: str = MODERATOR,
        reason: Reason | None = None,
    ) -> None:
        self.session.add(
            Decision(
                site_id=self.site.id,
                comment_id=comment.id,
                actor=actor,
                action=action,
                from_status=before,
                to_status=after,
                reason=reason,
                created_at=at,
            )
        )
        comment.status = after
        self.session.flush()

    def held(self, created: datetime) -> Comment:
        """A submission held for a moderator, as screening logs it."""
        comment = self.comment(created, Status.PENDING)
        self.log(comment, created, Action.HOLD, None, Status.PENDING, actor="system:premod")
        return comment

    def decided(
        self,
        created: datetime,
        at: datetime,
        action: Action = Action.APPROVE,
        actor: str = MODERATOR,
        reason: Reason | None = None,
    ) -> Comment:
        """A held submission, then a decision on it."""
        after = {
            Action.APPROVE: Status.APPROVED,
            Action.REJECT: Status.REJECTED,
            Action.SPAM: Status.SPAM,
        }[action]
        comment = self.held(created)
        self.log(comment, at, action, Status.PENDING, after, actor=actor, reason=reason)
        return comment


def glance(site_ids: list[int] | None = None) -> overview.Glance:
    return overview.at_a_glance(db.session(), site_ids=site_ids or [1], now=NOW)


# --- Time to a decision counts people only ------------------------------------------------------


def test_median_time_to_decision_leaves_out_the_rules_verdicts(app, site):
    with app.app_context():
        history = History(db.session())
        history.decided(day(-1, 9), day(-1, 9, 10))  # 10 min
        history.decided(day(-1, 9), day(-1, 9, 30), Action.REJECT, reason=Reason.ABUSE)  # 30 min
        # The rules' verdicts, at once: on a submission and on an edit of a held comment.
        spam = history.comment(day(-1, 10), Status.SPAM)
        history.log(spam, day(-1, 10), Action.SPAM, None, Status.SPAM, actor="system:honeypot")
        edited = history.held(day(-1, 8))
        history.log(
            edited,
            day(-1, 11),
            Action.REJECT,
            Status.PENDING,
            Status.REJECTED,
            "system:blocked_word",
        )
        db.session.commit()
        figures = glance()
    assert figures.decisions_measured == 2
    assert figures.median_decision_seconds == 20 * 60
    assert figures.decisions_per_day[-2][1] == 2
    assert figures.timing_days[-2].measured == 2


def test_a_staff_answer_is_not_a_decision(app, site):
    with app.app_context():
        history = History(db.session())
        answer = history.comment(day(-1, 9), Status.APPROVED)
        history.log(answer, day(-1, 9), Action.APPROVE, None, Status.APPROVED)
        db.session.commit()
        figures = glance()
    assert figures.decisions_measured == 0
    assert figures.decision_days[-2].total == 0


# --- The queue, day by day -----------------------------------------------------------------------


def test_queue_days_are_rebuilt_from_creation_and_the_log(app, site):
    with app.app_context():
        history = History(db.session())
        # Held three days ago, approved yesterday morning.
        history.decided(day(-3, 10), day(-1, 9))
        # Held two days ago, still waiting.
        waiting = history.held(day(-2, 8))
        # Published five days ago, held yesterday by readers' reports, still waiting.
        reported = history.comment(day(-5, 7), Status.PUBLISHED)
        history.log(
            reported, day(-5, 7), Action.PUBLISH, None, Status.PUBLISHED, actor="system:postmod"
        )
        history.log(
            reported, day(-1, 15), Action.HOLD, Status.PUBLISHED, Status.PENDING, "system:reports"
        )
        # Pending since four days ago, with nothing in the log.
        silent = history.comment(day(-4, 6), Status.PENDING)
        # Pending from three days ago until its only decision, two days ago.
        quick = history.comment(day(-3, 20), Status.PENDING)
        history.log(quick, day(-2, 1), Action.REJECT, Status.PENDING, Status.REJECTED)
        # Today, after the clock: not yet there.
        history.held(NOW + timedelta(minutes=5))
        db.session.commit()
        figures = glance()
        oldest_now = figures.oldest_pending_at
    days = {(q.day - TODAY.date()).days: q for q in figures.queue_days}
    assert len(figures.queue_days) == overview.GLANCE_DAYS
    assert [days[d].pending for d in range(-6, 1)] == [0, 0, 1, 3, 3, 3, 3]
    assert days[-6].oldest_pending_seconds is None
    assert days[-4].oldest_pending_seconds == (end_of(-4) - silent.created_at).total_seconds()
    assert days[-1].oldest_pending_seconds == (end_of(-1) - reported.created_at).total_seconds()
    # Today's point is the queue as it is now (the comment after the clock aside).
    assert figures.counts["pending"] == 4
    assert oldest_now == reported.created_at
    assert days[0].oldest_pending_seconds == (NOW - reported.created_at).total_seconds()
    assert waiting.id


def test_queue_days_belong_to_the_sites_asked_for(app, make_site):
    make_site("news")
    make_site("sport", origins=("https://sport.example",))
    with app.app_context():
        History(db.session(), "sport").held(day(-2))
        db.session.commit()
        assert [q.pending for q in glance([1]).queue_days] == [0] * overview.GLANCE_DAYS
        assert glance([2]).queue_days[-1].pending == 1


# --- Decisions and time to decide, day by day ----------------------------------------------------


def test_decision_days_by_action_and_reason_count_people_only(app, site):
    with app.app_context():
        history = History(db.session())
        history.decided(day(-1, 8), day(-1, 9))
        history.decided(day(-1, 8), day(-1, 10), Action.REJECT, reason=Reason.ABUSE)
        history.decided(day(-1, 8), day(-1, 11), Action.SPAM, "token:tools", Reason.SPAM)
        history.decided(day(-1, 8), day(-1, 12), Action.SPAM, "system:akismet", Reason.SPAM)
        history.decided(day(-4, 8), day(-3, 9), Action.REJECT, reason=Reason.OFF_TOPIC)
        history.decided(day(-20, 8), day(-20, 9))  # before the fortnight
        db.session.commit()
        figures = glance()
    days = {(d.day - TODAY.date()).days: d for d in figures.decision_days}
    assert days[-1].by_action == {Action.APPROVE: 1, Action.REJECT: 1, Action.SPAM: 1}
    assert days[-1].by_reason == {Reason.ABUSE: 1, Reason.SPAM: 1}
    assert days[-3].by_action == {Action.REJECT: 1}
    assert days[-3].by_reason == {Reason.OFF_TOPIC: 1}
    assert sum(d.total for d in figures.decision_days) == 4
    assert [n for _d, n in figures.decisions_per_day] == [d.total for d in figures.decision_days]


def test_timing_days_give_the_median_and_90th_percentile(app, site):
    with app.app_context():
        history = History(db.session())
        for minutes in (10, 20, 30, 40, 100):
            history.decided(day(-1, 9), day(-1, 9, minutes))
        history.decided(day(-1, 9), day(-1, 9, 1), Action.SPAM, "system:spam_score", Reason.SPAM)
        history.decided(day(-2, 6), day(-2, 8))
        db.session.commit()
        figures = glance()
    yesterday, before = figures.timing_days[-2], figures.timing_days[-3]
    assert yesterday.measured == 5
    assert yesterday.median_seconds == 30 * 60
    assert yesterday.p90_seconds == pytest.approx(76 * 60)  # 40 min + 0.6 of the way to 100
    assert (before.median_seconds, before.p90_seconds, before.measured) == (7200, 7200, 1)
    assert figures.timing_days[-1].median_seconds is None
    assert figures.timing_days[-1].measured == 0


def test_the_overview_runs_as_many_queries_whatever_the_data(app, site, count_queries):
    def queries_with(comments: int) -> int:
        with app.app_context():
            history = History(db.session(), title=f"story {comments}")
            for i in range(comments):
                history.decided(
                    day(-(i % 10), 6), day(-(i % 10), 7), Action.REJECT, reason=Reason.ABUSE
                )
                history.held(day(-(i % 12), 5))
            db.session.commit()
            with count_queries() as statements:
                glance()
            return len(statements)

    few = queries_with(2)
    assert few == queries_with(40) <= 7


# --- The page ------------------------------------------------------------------------------------


def test_overview_page_draws_the_charts_with_their_figures(app, client, site):
    with app.app_context():
        admin.create_moderator(db.session(), "mod@newsroom.example", PASSWORD, ["news"], False)
        history = History(db.session(), title="<script>alert(1)</script>")
        history.decided(
            datetime.now(UTC) - timedelta(hours=5),
            datetime.now(UTC) - timedelta(hours=1),
            Action.REJECT,
            reason=Reason.ABUSE,
        )
        history.held(datetime.now(UTC) - timedelta(days=2))
        db.session.commit()
    dash = Dashboard(client, app)
    dash.login("mod@newsroom.example")
    response = dash.page("/dashboard/")
    html = response.get_data(as_text=True)
    assert "style-src 'self'" in response.headers["Content-Security-Policy"]
    assert " style=" not in html  # the CSP would refuse inline styles
    svgs = re.findall(r"<svg .*?</svg>", html, re.S)
    assert len(svgs) == 5
    for svg in svgs:
        root = ET.fromstring(svg)
        assert root.get("role") == "img"
        labelled = root.get("aria-labelledby").split()
        assert [e.get("id") for e in root if e.tag.endswith(("title", "desc"))] == labelled
    titles = [ET.fromstring(s).findtext("{http://www.w3.org/2000/svg}title") for s in svgs]
    assert titles[:2] == [
        "Pending comments at the end of each day",
        "Age of the oldest pending comment at the end of each day",
    ]
    actions = ET.fromstring(svgs[2])
    assert len(actions.findall(".//{http://www.w3.org/2000/svg}rect[@class]")) >= 1
    assert "Abusive or hateful" in svgs[3]
    assert "<script>alert" not in html
    # The figures as tables: today's pending count, and today's decision.
    assert re.search(r'<time datetime="[\d-]+">[\d-]+</time></th><td class="num">2 d', html)
    today_row = re.search(r'<tr><th scope="row">[\d-]+</th><td class="num">(\d+)</td>', html)
    assert today_row and today_row.group(1) == "1"
