"""The DSA tabs of the dashboard, through HTTP: notices of illegal content listed and assessed,
appeals decided by another moderator than the one who decided, hostile text shown as text, and
every other site's notice "not found"."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from moderation.comments import appeals, notices
from moderation.comments.decide import decide
from moderation.db import db
from moderation.models import Action, Comment, Flag, Moderator, Reason, Site, Statement

from .conftest import Dashboard, statuses

STORY = "/2026/11/story"
HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _public(app, post, site: str = "news", body: str = "A comment someone finds illegal.") -> int:
    """A comment made public by an admin's approval."""
    comment_id: int = post(STORY, body=body, site=site).get_json()["comment"]["id"]
    with app.app_context():
        site_id = db.session.scalar(select(Site.id).where(Site.slug == site))
        decide(db.session(), site_id=site_id, comment_ids=[comment_id], action=Action.APPROVE,
               actor="moderator:chief@newsroom.example")  # fmt: skip
        db.session.commit()
    return comment_id


def _notice(
    app, comment_id: int, law: str = "§130 StGB", explanation: str = "Incites hatred."
) -> int:
    with app.app_context():
        flag = notices.file_notice(
            db.session(),
            comment_id,
            notices.NewNotice(category="hate_speech", law=law, explanation=explanation,
                              notifier_name="N", notifier_email="n@example.org", good_faith=True),
            "reporter-hash",
        )  # fmt: skip
        db.session.commit()
        return flag.id


def _receipt(app, notice_id: int) -> str:
    with app.app_context():
        return db.session.get_one(Flag, notice_id).receipt or ""


def _moderator_id(app, email: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(Moderator.id).where(Moderator.email == email))
        assert found is not None
        return found


def _flash(dash: Dashboard, response) -> str:
    page = dash.page(response.location).get_data(as_text=True)
    found = re.search(r'<p class="flash[^"]*"[^>]*>(.*?)</p>', page, re.S)
    return unescape(found.group(1)).strip() if found else page


def _open_count(html: str, tab: str) -> int:
    found = re.search(rf'data-open="{tab}">(\d+)<', html)
    assert found, tab
    return int(found.group(1))


def _statements(app, comment_id: int) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Statement.ground_kind, Statement.ground).where(
                Statement.comment_id == comment_id
            )
        )
        return [(kind, ground) for kind, ground in rows]


def test_a_notice_is_listed_and_assessed_illegal_with_its_legal_ground(app, moderator, post):
    comment = _public(app, post)
    notice = _notice(app, comment)
    receipt = _receipt(app, notice)
    page = moderator.page("/dashboard/notices").get_data(as_text=True)
    assert receipt in page and "§130 StGB" in page and "Incites hatred." in page
    assert "n@example.org" in page and f'href="/dashboard/comments/{comment}"' in page
    assert "A comment someone finds illegal." in page
    assert _open_count(page, "notices") == 1 and _open_count(page, "appeals") == 0
    url = f"/dashboard/notices/{notice}/assessment"

    refused = moderator.form(url, {"assessment": "illegal", "explanation": "Kept typing"},
                             expect=400)  # fmt: skip
    text = refused.get_data(as_text=True)
    assert "Name the legal ground" in text and "Kept typing" in text
    assert statuses(app, [comment]) == {comment: "approved"}

    done = moderator.form(
        url,
        {"assessment": "illegal", "legal_ground": "§130 StGB, incitement", "reason": "spam",
         "explanation": "Removed after a notice.", "next": "/dashboard/notices"},
        expect=302,
    )  # fmt: skip
    assert done.location.endswith("/dashboard/notices")
    assert _flash(moderator, done) == f"Notice {receipt} assessed: Illegal — remove."
    assert statuses(app, [comment]) == {comment: "rejected"}
    assert _statements(app, comment) == [("law", "§130 StGB, incitement")]
    after = moderator.page("/dashboard/notices").get_data(as_text=True)
    assert receipt not in after and _open_count(after, "notices") == 0
    assert receipt in moderator.page("/dashboard/notices?all=1").get_data(as_text=True)
    again = moderator.form(url, {"assessment": "no_action"}, expect=400)
    assert "already assessed" in again.get_data(as_text=True)


def test_no_action_leaves_the_comment_up_and_house_rules_take_it_down(app, moderator, post):
    kept = _public(app, post, body="Sharp but lawful.")
    removed = _public(app, post, body="Off topic rant.")
    first, second = _notice(app, kept), _notice(app, removed)
    moderator.form(f"/dashboard/notices/{first}/assessment", {"assessment": "no_action"},
                   expect=302)  # fmt: skip
    assert statuses(app, [kept]) == {kept: "approved"}
    assert _statements(app, kept) == []
    moderator.form(f"/dashboard/notices/{second}/assessment",
                   {"assessment": "house_rules", "reason": "off_topic"}, expect=302)  # fmt: skip
    assert statuses(app, [removed]) == {removed: "rejected"}
    assert [kind for kind, _g in _statements(app, removed)] == ["house_rule"]
    missing = moderator.form(f"/dashboard/notices/{second}/assessment", {}, expect=400)
    assert "Choose an assessment" in missing.get_data(as_text=True)


def test_an_appeal_is_decided_by_another_moderator(app, moderator, post, make_moderator):
    comment_id = _public(app, post, body="Contested comment.")
    first = _moderator_id(app, "mod@newsroom.example")
    with app.app_context():
        comment = db.session.get_one(Comment, comment_id)
        decide(db.session(), site_id=comment.site_id, comment_ids=[comment_id],
               action=Action.REJECT, actor="moderator:mod@newsroom.example",
               moderator_id=first, reason=Reason.ABUSE)  # fmt: skip
        appeal = appeals.file_appeal(db.session(), comment, f"please {HOSTILE}")
        db.session.commit()
        appeal_id = appeal.id
    url = f"/dashboard/appeals/{appeal_id}/decision"

    mine = moderator.page("/dashboard/appeals").get_data(as_text=True)
    assert "Another moderator must decide this appeal" in mine
    assert url not in mine and "Reverse (publish the comment)" not in mine
    assert _open_count(mine, "appeals") == 1
    refused = moderator.form(url, {"outcome": "reverse"}, expect=403)
    assert "Another moderator must decide" in refused.get_data(as_text=True)
    assert statuses(app, [comment_id]) == {comment_id: "rejected"}

    make_moderator("b@newsroom.example")
    other = Dashboard(app.test_client(), app)
    other.login("b@newsroom.example")
    page = other.page("/dashboard/appeals").get_data(as_text=True)
    assert url in page and "Uphold (keep the decision)" in page and "mod@newsroom.example" in page
    assert HOSTILE not in page and ESCAPED in page
    done = other.form(url, {"outcome": "reverse", "explanation": "Fair point."}, expect=302)
    assert _flash(other, done).startswith(f"Appeal {appeal_id} reversed")
    assert statuses(app, [comment_id]) == {comment_id: "approved"}
    assert _open_count(other.page("/dashboard/appeals").get_data(as_text=True), "appeals") == 0
    assert "Fair point." in other.page("/dashboard/appeals?all=1").get_data(as_text=True)


def test_hostile_notice_text_is_shown_as_text(app, moderator, post):
    comment = _public(app, post)
    _notice(app, comment, law=HOSTILE, explanation=f"See {HOSTILE}")
    page = moderator.page("/dashboard/notices").get_data(as_text=True)
    assert HOSTILE not in page and page.count(ESCAPED) >= 2


def test_a_form_without_its_csrf_token_is_refused(app, moderator, post):
    notice = _notice(app, _public(app, post))
    refused = moderator.client.post(
        f"/dashboard/notices/{notice}/assessment", data={"assessment": "no_action"}
    )
    assert refused.status_code == 403
    with app.app_context():
        assert db.session.get_one(Flag, notice).assessment is None


def test_another_sites_notice_is_not_found(app, moderator, post, make_site):
    make_site("other")
    notice = _notice(app, _public(app, post, site="other"))
    page = moderator.page("/dashboard/notices").get_data(as_text=True)
    assert _receipt(app, notice) not in page and _open_count(page, "notices") == 0
    moderator.page("/dashboard/notices?site=other", expect=404)
    moderator.form(f"/dashboard/notices/{notice}/assessment", {"assessment": "no_action"},
                   expect=404)  # fmt: skip
    with app.app_context():
        assert db.session.get_one(Flag, notice).assessment is None
