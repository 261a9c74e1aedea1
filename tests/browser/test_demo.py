"""The demo article page's stand-in for a publisher's login, in a real browser."""

from __future__ import annotations

from playwright.sync_api import expect
from sqlalchemy import select

from moderation.comments.readers import rotate_secret
from moderation.db import db
from moderation.models import Site


def test_the_demo_login_signs_in_staff_whose_answer_is_public_at_once(open_page, service):
    with service.app.app_context():
        rotate_secret(db.session(), db.session.scalars(select(Site)).one())
        db.session.commit()
    watched = open_page(f"{service.url}/demo/")
    page = watched.page
    page.get_by_role("button", name="Sign in as staff").click()
    expect(page.locator(".who strong")).to_have_text("Ines Verhaegen")
    form = page.get_by_role("form", name="Write a comment")
    form.get_by_label("Comment").fill("The route near the gasworks is still open: see the hearing.")
    form.get_by_role("button", name="Post comment").click()
    mine = page.locator("li.c").filter(has_text="route near the gasworks")
    expect(mine.locator(".badge.staff")).to_have_text("Staff")
    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("#demo-login [data-status]")).to_have_text("Signed out.")
    expect(form.get_by_label("Name")).to_be_visible()
    assert watched.pwned() == 0
