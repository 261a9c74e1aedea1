"""Fixtures of the tests that call the core: a session in an app context, the screening policy,
and one-line builders that call the core directly (no HTTP). Loaded for every test folder by
``tests/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from moderation.comments.decide import decide
from moderation.comments.screening import Client, Policy
from moderation.comments.submit import NewComment, submit
from moderation.db import db, write_intent
from moderation.models import Action, Comment

from .conftest import browser_key


@pytest.fixture
def session(app: Flask, site: str) -> Iterator[Session]:
    """The app's session, as a command has it (writes take SQLite's lock up front), over a
    pre-moderated site ``news``."""
    token = write_intent.set(True)
    with app.app_context():
        yield db.session()
        db.session.rollback()
    write_intent.reset(token)


@pytest.fixture
def policy(app: Flask) -> Policy:
    return app.extensions["screening_policy"]  # type: ignore[no-any-return]


@pytest.fixture
def new_comment(session: Session, policy: Policy) -> Callable[..., Comment]:
    """Submit a comment through the core and commit: ``new_comment(body=..., article=...)``."""

    def make(
        body: str = "A thoughtful comment.",
        article: str = "/2026/11/story",
        site: str = "news",
        **fields: Any,
    ) -> Comment:
        client = fields.pop("client", None)
        new = NewComment(body=body, author_name=fields.pop("author_name", "Ann Reader"), **fields)
        if client is None:
            client = Client(guest_key=browser_key(new.author_name, new.author_email))
        submitted = submit(
            session, site_slug=site, article_key=article, new=new, policy=policy, client=client
        )
        session.commit()
        return submitted.comment

    return make


@pytest.fixture
def approve(session: Session) -> Callable[..., list[Comment]]:
    def run(*comments: Comment, action: Action = Action.APPROVE, **kwargs: Any) -> list[Comment]:
        decided = decide(
            session,
            site_id=None,
            comment_ids=[c.id for c in comments],
            action=action,
            actor="moderator:tests",
            **kwargs,
        )
        session.commit()
        return decided

    return run
