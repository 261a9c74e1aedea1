"""One author on one site: their comments across articles, newest first and paged, each one's log,
their account, their record, and the bans against them, in a fixed number of queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from moderation.comments.authors import author_page, is_author_key
from moderation.comments.bans import create_ban
from moderation.comments.screening import Client
from moderation.errors import NotFound, ValidationError
from moderation.models import Action, BanKind, Comment, Reader, Site, utcnow

from ..conftest import browser_key

SECRET = "test-secret"
ANN = Client(guest_key=browser_key("Ann", "ann@example.org"))


def _site_id(session, slug: str = "news") -> int:
    return session.scalar(select(Site.id).where(Site.slug == slug))


def test_every_comment_of_the_author_across_articles_newest_first(session, new_comment, approve):
    first = new_comment(body="One.", article="/a", author_name="Ann", client=ANN)
    second = new_comment(body="Two.", article="/b", author_name="Ann", client=ANN)
    new_comment(body="Someone else.", article="/a", author_name="Bob")
    approve(first, action=Action.FEATURE)
    approve(second, action=Action.REJECT)
    page = author_page(
        session, site_id=_site_id(session), author_key=first.author_key, secret_key=SECRET
    )
    assert [c.id for c in page.comments] == [second.id, first.id]
    assert [c.article_key for c in page.comments] == ["/b", "/a"]
    assert page.comments[1].featured is True
    assert [d.action for d in page.history[first.id]] == [Action.HOLD, Action.FEATURE]
    assert (page.record.approved, page.record.rejected, page.record.total) == (1, 1, 2)
    assert page.name == "Ann" and page.reader is None and page.bans == []
    assert page.next_cursor is None


def test_pages_follow_a_cursor(session, new_comment):
    made = [new_comment(body=f"Number {n}.", author_name="Ann", client=ANN) for n in range(5)]
    key, site_id = made[0].author_key, _site_id(session)
    seen, cursor = [], None
    while True:
        page = author_page(
            session, site_id=site_id, author_key=key, secret_key=SECRET, limit=2, cursor=cursor
        )
        seen += [c.id for c in page.comments]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [c.id for c in reversed(made)]
    with pytest.raises(ValidationError):
        author_page(session, site_id=site_id, author_key=key, secret_key=SECRET, cursor="x~y")


def test_bans_by_identity_and_by_every_email_they_used(session, new_comment):
    site_id = _site_id(session)
    first = new_comment(author_name="Ann", author_email="ann@example.org", client=ANN)
    second = new_comment(
        body="Again.", author_name="Ann", author_email="ann@work.example", client=ANN
    )
    bob = new_comment(body="Bob here.", author_name="Bob", author_email="bob@example.org")
    by_key = create_ban(
        session, site_id, BanKind.AUTHOR, actor="t", secret_key=SECRET, comment_id=first.id
    )
    by_email = create_ban(
        session,
        site_id,
        BanKind.EMAIL,
        actor="t",
        secret_key=SECRET,
        email="ANN@WORK.example",
        expires_at=utcnow() + timedelta(days=1),
    )
    create_ban(session, site_id, BanKind.EMAIL, actor="t", secret_key=SECRET, comment_id=bob.id)
    create_ban(session, site_id, BanKind.AUTHOR, actor="t", secret_key=SECRET, comment_id=bob.id)
    session.commit()
    page = author_page(session, site_id=site_id, author_key=second.author_key, secret_key=SECRET)
    assert [b.id for b in page.bans] == [by_email.id, by_key.id]
    assert page.emails == ["ann@work.example", "ann@example.org"]
    # Under another secret, the email hashes are other hashes: only the identity ban matches.
    other = author_page(session, site_id=site_id, author_key=second.author_key, secret_key="x")
    assert [b.id for b in other.bans] == [by_key.id]


def test_the_account_and_its_badges(session, new_comment):
    site_id = _site_id(session)
    comment = new_comment(author_name="Rhea", client=ANN)
    reader = Reader(site_id=site_id, subject="rhea-1", name="Rhea R.", badges=["Subscriber"])
    session.add(reader)
    session.flush()
    session.get_one(Comment, comment.id).reader_id = reader.id
    session.commit()
    page = author_page(session, site_id=site_id, author_key=comment.author_key, secret_key=SECRET)
    assert page.reader is not None and page.reader.subject == "rhea-1"
    assert page.name == "Rhea R." and page.badges == ["Subscriber"]


def test_an_author_with_no_comment_on_the_site_is_not_found(session, make_site, new_comment):
    make_site("sport", origins=("https://sport.example",))
    theirs = new_comment(site="sport", author_name="Ann", client=ANN)
    with pytest.raises(NotFound):
        author_page(
            session, site_id=_site_id(session), author_key=theirs.author_key, secret_key=SECRET
        )
    with pytest.raises(NotFound):
        author_page(session, site_id=_site_id(session), author_key="0" * 64, secret_key=SECRET)


def _queries_for(session, count_queries, key: str, site_id: int) -> int:
    session.expire_all()
    with count_queries() as queries:
        author_page(session, site_id=site_id, author_key=key, secret_key=SECRET, limit=50)
    return len(queries)


def test_a_page_costs_a_fixed_number_of_queries(session, new_comment, approve, count_queries):
    site_id = _site_id(session)
    one = new_comment(author_name="Ann", author_email="a0@example.org", client=ANN)
    few = _queries_for(session, count_queries, one.author_key, site_id)
    made = []
    for n in range(1, 25):
        comment = new_comment(
            body=f"Number {n}.",
            article=f"/story/{n % 6}",
            author_name=f"Ann {n % 3}",
            author_email=f"a{n}@example.org",
            client=ANN,
        )
        made.append(comment)
        if n % 2:
            approve(comment)
    # Banned once they have written all that (a ban refuses their next comment).
    create_ban(session, site_id, BanKind.AUTHOR, actor="t", secret_key=SECRET, comment_id=one.id)
    for comment in made[4::5]:
        create_ban(
            session, site_id, BanKind.EMAIL, actor="t", secret_key=SECRET, comment_id=comment.id
        )
    reader = Reader(site_id=site_id, subject="ann", name="Ann", badges=["A", "B"])
    session.add(reader)
    session.flush()
    for comment in session.scalars(select(Comment).where(Comment.author_key == one.author_key)):
        comment.reader_id = reader.id
    session.commit()
    many = _queries_for(session, count_queries, one.author_key, site_id)
    assert few == many == 8
    page = author_page(session, site_id=site_id, author_key=one.author_key, secret_key=SECRET)
    assert len(page.bans) == 1 + 4 and len(page.comments) == 25


def test_author_keys_have_one_form():
    assert is_author_key("a" * 64)
    assert not is_author_key("A" * 64)
    assert not is_author_key("a" * 63)
    assert not is_author_key("../" + "a" * 61)
