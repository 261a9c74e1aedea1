"""The author's own comment, through the core: read, edited and deleted with its edit token,
within the window, and screened again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.comments.edit import delete_own, edit, editable_until, load_own_comment
from moderation.comments.submit import NewComment, submit
from moderation.errors import AlreadyDecided, EditWindowClosed, InvalidEditToken, NotFound
from moderation.models import Action, Decision, Status, utcnow


@pytest.fixture
def own(session, policy):
    """A new comment and its edit token."""
    new = NewComment(body="My first words.", author_name="Ann")
    submitted = submit(session, site_slug="news", article_key="/a", new=new, policy=policy)
    session.commit()
    return submitted.comment, submitted.edit_token


def test_the_author_reads_their_comment_with_its_token(session, own):
    comment, token = own
    found, site = load_own_comment(session, comment.id, token)
    assert found.id == comment.id and site.slug == "news"
    with pytest.raises(InvalidEditToken):
        load_own_comment(session, comment.id, "not the token")
    with pytest.raises(NotFound):
        load_own_comment(session, comment.id + 1000, token)


def test_an_edit_is_sanitized_screened_and_logged(session, own, policy):
    comment, token = own
    edited, _site = edit(session, comment.id, token, "Now with <i>emphasis</i>.", policy)
    session.commit()
    assert edited.html == "<p>Now with <i>emphasis</i>.</p>" and edited.edited_at is not None
    actions = list(
        session.scalars(select(Decision.action).where(Decision.comment_id == comment.id))
    )
    assert actions == [Action.HOLD, Action.EDIT, Action.HOLD]


def test_the_window_closes(session, own, policy):
    comment, token = own
    _found, site = load_own_comment(session, comment.id, token)
    later = editable_until(comment, site) + timedelta(seconds=1)
    with pytest.raises(EditWindowClosed):
        edit(session, comment.id, token, "Too late.", policy, now=later)
    with pytest.raises(EditWindowClosed):
        delete_own(session, comment.id, token, now=later)


def test_a_rejected_comment_cannot_be_edited_back_into_the_queue(session, own, policy, approve):
    comment, token = own
    approve(comment, action=Action.REJECT)
    with pytest.raises(AlreadyDecided):
        edit(session, comment.id, token, "Please reconsider.", policy)


def test_deleting_withdraws_the_comment(session, own):
    comment, token = own
    delete_own(session, comment.id, token, now=utcnow())
    session.commit()
    assert comment.status is Status.DELETED
    with pytest.raises(NotFound):
        load_own_comment(session, comment.id, token)


def test_an_edit_held_again_is_no_longer_a_pick(session, own, policy, approve):
    comment, token = own
    approve(comment, action=Action.FEATURE)
    edited, _site = edit(session, comment.id, token, "Different words now.", policy)
    session.commit()
    # Pre-moderated: held for a moderator again, and the pick (of the old words) is gone.
    assert (edited.status, edited.featured) == (Status.PENDING, False)
