"""Articles as moderators handle them: found within their sites, closed, their mode set, public
threads told at once."""

from __future__ import annotations

import pytest

from moderation.comments.articles import close_article, get_article, set_article_mode
from moderation.errors import NotFound
from moderation.models import Article, ModerationMode


def test_closing_and_moderating_move_the_thread_on(session, new_comment):
    comment = new_comment()
    article = get_article(session, comment.article_id, [comment.site_id])
    version = article.version
    close_article(session, article, True)
    set_article_mode(session, article, ModerationMode.POST)
    session.commit()
    found = session.get_one(Article, article.id)
    assert found.closed and found.moderation_mode is ModerationMode.POST
    assert found.version == version + 2


def test_another_sites_article_is_not_found(session, new_comment):
    comment = new_comment()
    with pytest.raises(NotFound):
        get_article(session, comment.article_id, [comment.site_id + 1])
