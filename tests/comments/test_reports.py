"""Readers' reports, through the core: one per reader, counted, and enough of them withhold a
comment no moderator has reviewed."""

from __future__ import annotations

import pytest

from moderation.comments.reports import report
from moderation.comments.submit import NewComment, submit
from moderation.errors import AlreadyReported, NotFound
from moderation.models import Reason, Status

from ..conftest import PUBLISH_AT_ONCE


@pytest.fixture
def published(make_site, session, policy):
    make_site("open", mode="post", rules={**PUBLISH_AT_ONCE, "report_threshold": 2})
    new = NewComment(body="Published at once.", author_name="Ann")
    comment = submit(session, site_slug="open", article_key="/a", new=new, policy=policy).comment
    session.commit()
    return comment


def test_a_report_is_counted_once_per_reader(session, published, policy):
    report(session, published.id, Reason.ABUSE, "Rude.", "reader-1", policy)
    session.commit()
    assert published.open_flag_count == 1
    with pytest.raises(AlreadyReported):
        report(session, published.id, Reason.SPAM, None, "reader-1", policy)


def test_enough_reports_withhold_an_unreviewed_comment(session, published, policy):
    report(session, published.id, Reason.ABUSE, None, "reader-1", policy)
    report(session, published.id, Reason.ABUSE, None, "reader-2", policy)
    session.commit()
    assert published.status is Status.PENDING and "reports" in published.held_because


def test_a_comment_not_public_cannot_be_reported(session, new_comment, policy):
    pending = new_comment()
    with pytest.raises(NotFound):
        report(session, pending.id, Reason.SPAM, None, "reader-1", policy)
