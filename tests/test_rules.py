"""Each screening rule through the HTTP API: the status it leads to and the reason it records."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from flask import Flask

from moderation import create_app
from moderation.db import db
from moderation.models import Comment, utcnow

from .conftest import PUBLISH_AT_ONCE, thread_url

ARTICLE = "/world/summit"


@pytest.fixture
def open_site(make_site):
    """A post-moderated site whose comments are public at once unless a rule holds them."""
    return make_site("open", mode="post", rules=PUBLISH_AT_ONCE)


@pytest.fixture
def api(client, make_token):
    """Call the moderation API of a site: ``api("open", "get", "/queue")``."""
    tokens: dict[str, str] = {}

    def call(site, method, path, expect=200, **kwargs):
        if site not in tokens:
            tokens[site] = make_token(site)
        headers = {"Authorization": f"Bearer {tokens[site]}"}
        url = path if path.startswith("/api/") else f"/api/v1/sites/{site}{path}"
        response = getattr(client, method)(url, headers=headers, **kwargs)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    return call


def set_rules(api, site, **rules):
    return api(site, "patch", "/rules", json=rules)


_under_test: list[Flask] = []


@pytest.fixture(autouse=True)
def _app_under_test(app):
    """The app whose database ``submitted`` reads (every app of a test shares it)."""
    _under_test.append(app)
    yield
    _under_test.remove(app)


def submitted(response):
    """The comment just submitted as moderators see it: its real status and every rule that
    held it (its author is told less: ``serializers.author_comment``)."""
    comment = response.get_json()["comment"]
    with _under_test[-1].app_context():
        stored = db.session.get_one(Comment, comment["id"])
        return {**comment, "status": stored.status.value, "held_because": stored.held_because}


def system_explanations(api, site, comment_id, status):
    queue = api(site, "get", "/queue", query_string={"status": status})
    [item] = [c for c in queue["comments"] if c["id"] == comment_id]
    return {
        h["actor"]: h["explanation"] for h in item["history"] if h["actor"].startswith("system:")
    }


def test_honeypot_marks_spam(open_site, post, api):
    comment = submitted(post(ARTICLE, site="open", website="http://bot.example"))
    assert comment["status"] == "spam"
    assert comment["held_because"] == ["honeypot"]
    assert "system:honeypot" in system_explanations(api, "open", comment["id"], "spam")


def test_too_fast_submission_is_spam(app, client, open_site):
    app.config["SETTINGS"].min_form_seconds = 60
    token = client.get(thread_url("open", ARTICLE)).headers["X-Form-Token"]
    response = client.post(
        thread_url("open", ARTICLE),
        json={"body": "instant", "author_name": "Bot", "form_token": token},
    )
    assert submitted(response)["status"] == "spam"
    assert submitted(response)["held_because"] == ["too_fast"]


@pytest.mark.parametrize("token", [None, "forged.token.value"])
def test_submission_without_a_valid_form_token_is_held(client, open_site, api, token):
    payload = {"body": "from a script", "author_name": "Script", "form_token": token}
    comment = submitted(client.post(thread_url("open", ARTICLE), json=payload))
    assert comment["status"] == "pending"
    assert comment["held_because"] == ["no_form_token"]


def test_form_token_of_another_site_is_not_accepted(client, open_site, make_site):
    make_site("elsewhere", origins=("https://else.example",))
    token = client.get(thread_url("elsewhere", ARTICLE)).headers["X-Form-Token"]
    payload = {"body": "hello", "author_name": "Ann", "form_token": token}
    comment = submitted(client.post(thread_url("open", ARTICLE), json=payload))
    assert comment["held_because"] == ["no_form_token"]


def test_blocked_word_rejects_and_says_which(open_site, post, api):
    set_rules(api, "open", blocked_words=["cunt", "buy cheap pills"])
    comment = submitted(post(ARTICLE, site="open", body="BUY, cheap -- Pills here"))
    assert comment["status"] == "rejected"
    assert comment["held_because"] == ["blocked_word"]
    explanations = system_explanations(api, "open", comment["id"], "rejected")
    assert explanations["system:blocked_word"] == 'blocked: "buy cheap pills"'
    # Whole words only: a town is not an insult.
    fine = submitted(post(ARTICLE, site="open", body="Greetings from Scunthorpe!"))
    assert fine["status"] == "published"


def test_blocked_words_are_unicode_normalised(open_site, post, api):
    set_rules(api, "open", blocked_words=["spam"])
    comment = submitted(post(ARTICLE, site="open", body="\uff33\uff30\uff21\uff2d everywhere"))
    assert comment["status"] == "rejected"


def test_suspect_word_holds(open_site, post, api):
    set_rules(api, "open", suspect_words=["traitor"])
    comment = submitted(post(ARTICLE, site="open", body="The minister is a Traitor."))
    assert comment["status"] == "pending"
    assert comment["held_because"] == ["suspect_word"]


def test_words_in_the_authors_name_are_screened_too(open_site, post, api):
    set_rules(api, "open", suspect_words=["idiot", "crétin"])
    comment = submitted(
        post(ARTICLE, site="open", body="Polite words.", author_name="Idiot Crétin")
    )
    explanations = system_explanations(api, "open", comment["id"], "pending")
    assert explanations["system:suspect_word"] == 'suspect: name: "idiot", "crétin"'
    both = submitted(post(ARTICLE, site="open", body="des crétins", author_name="1d10t"))
    explanations = system_explanations(api, "open", both["id"], "pending")
    assert explanations["system:suspect_word"] == 'suspect: "crétin", name: "idiot"'


def test_disguised_and_inflected_words_are_caught(open_site, post, api):
    set_rules(api, "open", blocked_words=["idiot"], suspect_words=["kill"])

    authors = iter(range(100))

    def comment(body):  # a new author each time: no record to hold them
        return submitted(post(ARTICLE, site="open", body=body, author_name=f"R{next(authors)}"))

    for body in ["you 1d10t", "you \u0456d\u0456ot", "die Idioten", "idiots all", "ID10T!"]:
        rejected = system_explanations(api, "open", comment(body)["id"], "rejected")
        assert rejected == {"system:blocked_word": 'blocked: "idiot"'}, body
    held = system_explanations(api, "open", comment("I will ki11 you")["id"], "pending")
    assert held == {"system:suspect_word": 'suspect: "kill"'}
    for body in ["Greetings from Penistone", "an idiosyncratic idea", "it cost 1000 in 2026"]:
        assert comment(body)["status"] == "published", body


def test_too_many_links_are_held_with_the_count(open_site, post, api):
    body = "See https://a.example.com, https://b.example.com and https://c.example.com"
    comment = submitted(post(ARTICLE, site="open", body=body))
    assert comment["status"] == "pending"
    assert comment["held_because"] == ["link_count"]
    assert system_explanations(api, "open", comment["id"], "pending") == {
        "system:link_count": "3 links"
    }
    two = submitted(post(ARTICLE, site="open", body="https://a.example.com https://b.example.com"))
    assert two["status"] == "published"


def test_links_from_new_commenters_can_be_held(open_site, post, api):
    set_rules(api, "open", hold_links_from_new=True)
    comment = submitted(post(ARTICLE, site="open", body="Source: https://stats.example.com"))
    assert comment["held_because"] == ["new_author_link"]


def test_repeat_post_is_held(open_site, post):
    first = submitted(post(ARTICLE, site="open", body="Same words."))
    again = submitted(post("/other", site="open", body="Same words."))
    assert first["status"] == "published"
    assert again["status"] == "pending" and again["held_because"] == ["repeat"]


def test_author_with_many_rejections_is_held(open_site, post, api):
    for i in range(3):
        cid = submitted(post(ARTICLE, site="open", body=f"rant {i}", author_email="r@x.example"))[
            "id"
        ]
        api("open", "post", f"/api/v1/comments/{cid}/decision", json={"action": "reject"})
    comment = submitted(post(ARTICLE, site="open", body="calm now", author_email="r@x.example"))
    assert comment["held_because"] == ["rejection_history"]
    explanation = system_explanations(api, "open", comment["id"], "pending")
    assert explanation == {"system:rejection_history": "3 of 3 recent comments rejected"}


def test_post_moderation_holds_a_new_commenters_first_comment(make_site, post, api):
    make_site("open", mode="post")  # hold_first_comments = 1 by default
    first = submitted(post(ARTICLE, site="open", body="Hello", author_email="new@x.example"))
    assert first["status"] == "pending" and first["held_because"] == ["new_commenter"]
    api("open", "post", f"/api/v1/comments/{first['id']}/decision", json={"action": "approve"})
    second = submitted(post(ARTICLE, site="open", body="Again", author_email="new@x.example"))
    assert second["status"] == "published"


def test_premoderation_auto_approves_trusted_authors_when_enabled(site, post, api):
    set_rules(api, "news", auto_approve_trusted=True, trusted_min_approved=2)
    for i in range(2):
        cid = submitted(post(ARTICLE, body=f"good {i}", author_email="t@x.example"))["id"]
        api("news", "post", f"/api/v1/comments/{cid}/decision", json={"action": "approve"})
    trusted = submitted(post(ARTICLE, body="trusted now", author_email="t@x.example"))
    assert trusted["status"] == "approved" and trusted["held_because"] == []
    stranger = submitted(post(ARTICLE, body="who am I", author_email="s@x.example"))
    assert stranger["status"] == "pending" and stranger["held_because"] == ["premod"]


def test_trust_is_lost_after_a_rejection(site, post, api):
    set_rules(api, "news", auto_approve_trusted=True, trusted_min_approved=1)
    good = submitted(post(ARTICLE, body="good", author_email="t@x.example"))["id"]
    api("news", "post", f"/api/v1/comments/{good}/decision", json={"action": "approve"})
    bad = submitted(post(ARTICLE, body="bad", author_email="t@x.example"))["id"]
    assert submitted(post(ARTICLE, body="x", author_email="t@x.example"))["status"] == "approved"
    api("news", "post", f"/api/v1/comments/{bad}/decision", json={"action": "reject"})
    after = submitted(post(ARTICLE, body="after", author_email="t@x.example"))
    assert after["status"] == "pending"


@pytest.mark.parametrize("kind", ["email", "author", "ip"])
def test_banned_author_is_told_politely(open_site, post, api, kind):
    cid = submitted(post(ARTICLE, site="open", body="first", author_email="b@x.example"))["id"]
    ban = api("open", "post", "/bans", expect=201, json={"kind": kind, "comment_id": cid})["ban"]
    assert ban["kind"] == kind
    if kind == "ip":
        assert ban["label"] == f"address of comment {cid}"
    response = post(ARTICLE, site="open", body="again", author_email="b@x.example", expect=403)
    error = response.get_json()["error"]
    assert error["code"] == "banned"
    assert "cannot comment" in error["message"]
    api("open", "delete", f"/bans/{ban['id']}", expect=204)
    post(ARTICLE, site="open", body="welcome back", author_email="b@x.example")


def test_expired_ban_no_longer_applies(app, open_site, post, api):
    ban = api("open", "post", "/bans", expect=201, json={"kind": "email", "email": "b@x.example"})
    assert api("open", "get", "/bans")["bans"][0]["id"] == ban["ban"]["id"]
    with app.app_context():
        from moderation.models import Ban

        for row in db.session.scalars(db.select(Ban)):
            row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    post(ARTICLE, site="open", body="hello", author_email="B@X.example")
    assert api("open", "get", "/bans")["bans"] == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "everyone"}, "kind"),
        ({"kind": "ip"}, "comment_id"),
        ({"kind": "email"}, "email"),
        ({"kind": "email", "email": "a@b.example", "expires_at": "tomorrow"}, "expires_at"),
        (
            {"kind": "email", "email": "a@b.example", "expires_at": "2001-01-01T00:00:00Z"},
            "expires_at",
        ),
    ],
)
def test_bad_bans_name_the_field(open_site, api, payload, field):
    body = api("open", "post", "/bans", expect=400, json=payload)
    assert body["error"]["field"] == field


def test_readers_reports_withhold_an_unreviewed_comment(client, open_site, post, api):
    cid = submitted(post(ARTICLE, site="open", body="borderline"))["id"]
    for i in range(3):
        response = client.post(
            f"/api/v1/comments/{cid}/flags",
            json={"reason": "abuse"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"},
        )
        assert response.status_code == 201
    assert client.get(thread_url("open", ARTICLE)).get_json()["total"] == 0
    [held] = api("open", "get", "/queue")["comments"]
    assert held["id"] == cid and held["held_because"] == ["reports"]
    assert system_explanations(api, "open", cid, "pending")["system:reports"] == (
        "3 readers reported it"
    )


def test_reports_do_not_withhold_an_approved_comment(client, open_site, post, api):
    cid = submitted(post(ARTICLE, site="open", body="checked"))["id"]
    api("open", "post", f"/api/v1/comments/{cid}/decision", json={"action": "approve"})
    for i in range(3):
        client.post(
            f"/api/v1/comments/{cid}/flags",
            json={"reason": "abuse"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"},
        )
    assert client.get(thread_url("open", ARTICLE)).get_json()["total"] == 1
    flagged = api("open", "get", "/queue", query_string={"status": "flagged"})["comments"]
    assert [c["id"] for c in flagged] == [cid]


def test_length_limits_refuse_with_a_reason(open_site, post, api):
    set_rules(api, "open", min_length=10, max_length=40)
    short = post(ARTICLE, site="open", body="too short", expect=400).get_json()["error"]
    assert short["field"] == "body" and "at least 10" in short["message"]
    long = post(ARTICLE, site="open", body="x" * 41, expect=400).get_json()["error"]
    assert "at most 40" in long["message"]


def test_spam_score_learns_from_decisions_and_holds(open_site, post, api):
    for i in range(5):
        spam = submitted(
            post(
                ARTICLE,
                site="open",
                body=f"Cheap pills {i} https://meds.xyz/{i}",
                author_name=f"S{i}",
            )
        )
        api("open", "post", f"/api/v1/comments/{spam['id']}/decision", json={"action": "spam"})
        ham = submitted(
            post(ARTICLE, site="open", body=f"The summit agenda point {i}", author_name=f"H{i}")
        )
        api("open", "post", f"/api/v1/comments/{ham['id']}/decision", json={"action": "approve"})
    set_rules(api, "open", spam_threshold=0.9, hold_first_comments=1, score_min_decisions=10)
    caught = submitted(
        post(ARTICLE, site="open", body="cheap pills https://meds.xyz/buy", author_name="New")
    )
    # A learned score only ever holds: a person decides.
    assert caught["status"] == "pending" and caught["held_because"][0] == "spam_score"
    fine = submitted(post(ARTICLE, site="open", body="On the summit agenda", author_name="Reader"))
    assert fine["status"] == "pending" and fine["held_because"] == ["new_commenter"]
    scores = {c["id"]: c["spam_score"] for c in api("open", "get", "/queue")["comments"]}
    assert scores[fine["id"]] < 0.5 < scores[caught["id"]]
    set_rules(api, "open", spam_threshold=0)  # now let everything into the queue, sorted by score
    for i in range(3):
        post(ARTICLE, site="open", body=f"cheap pills {i} https://meds.xyz", author_name=f"N{i}")
    seen, cursor = [], None
    while True:
        args = {"order": "spam", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api("open", "get", "/queue", query_string=args)
        seen += [c["spam_score"] for c in page["comments"]]
        if not (cursor := page["next_cursor"]):
            break
    assert len(seen) == 5  # the one the score held, the fine one and the three new ones
    assert seen == sorted(seen, reverse=True) and seen[0] > 0.9


def test_rules_apply_in_order_first_decisive_wins(open_site, post, api):
    set_rules(api, "open", blocked_words=["scam"], suspect_words=["fraud"])
    both = submitted(
        post(ARTICLE, site="open", body="fraud and scam https://a.com https://b.com https://c.com")
    )
    assert both["status"] == "rejected" and both["held_because"] == ["blocked_word"]
    bot = submitted(post(ARTICLE, site="open", body="scam", website="filled"))
    assert bot["status"] == "spam" and bot["held_because"] == ["honeypot"]
    holds = submitted(
        post(ARTICLE, site="open", body="fraud https://a.com https://b.com https://c.com")
    )
    assert holds["status"] == "pending"
    assert holds["held_because"] == ["suspect_word", "link_count"]


def test_edits_are_screened_again(open_site, post, client, api):
    set_rules(api, "open", blocked_words=["scam"])
    created = post(ARTICLE, site="open", body="harmless").get_json()
    response = client.patch(
        f"/api/v1/comments/{created['comment']['id']}",
        json={"body": "now a scam"},
        headers={"X-Edit-Token": created["edit_token"]},
    )
    assert response.get_json()["comment"]["status"] == "rejected"
    assert client.get(thread_url("open", ARTICLE)).get_json()["total"] == 0


@pytest.mark.parametrize(
    ("rules", "field"),
    [({"max_links": "two"}, "max_links"), ({"spam_threshold": 2}, "spam_threshold"),
     ({"nonsense": 1}, "nonsense"), ({"blocked_words": [1, 2]}, "blocked_words"),
     ({"blocked_words": "one\ntwo"}, "blocked_words")],
)  # fmt: skip
def test_bad_rule_settings_are_refused(open_site, api, rules, field):
    body = api("open", "patch", "/rules", expect=400, json=rules)
    assert body["error"]["field"] == field


def test_rule_settings_round_trip(open_site, api):
    body = set_rules(api, "open", blocked_words=["one", " two words ", ""], max_links=5)
    assert body["overrides"] == {
        "blocked_words": ["one", "two words"],
        "max_links": 5,
        "hold_first_comments": 0,
    }
    assert body["rules"]["report_threshold"] == 3
    body = set_rules(api, "open", max_links=None)
    assert "max_links" not in body["overrides"] and body["rules"]["max_links"] == 2


# --- Akismet, against a local stand-in ----------------------------------------------------------


class _Akismet(BaseHTTPRequestHandler):
    answer = b"false"
    delay = 0.0
    seen: list[dict] = []

    def handle(self):
        # The client gives up waiting in the slow case: that is the point of it.
        with contextlib.suppress(BrokenPipeError):
            super().handle()

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        type(self).seen.append(parse_qs(self.rfile.read(length).decode()))
        time.sleep(type(self).delay)  # a slow service, on purpose
        self.send_response(200)
        self.end_headers()
        self.wfile.write(type(self).answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def akismet_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Akismet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Akismet.seen = []
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def akismet_client(app_config, akismet_server, open_site, api):
    set_rules(api, "open", akismet=True)
    app = create_app(
        {
            **app_config,
            "akismet_key": "test-key",
            "akismet_url": f"http://127.0.0.1:{akismet_server.server_port}",
            "akismet_timeout_ms": 300,
        }
    )
    return app.test_client()


def _post(client, body):
    token = client.get(thread_url("open", ARTICLE)).headers["X-Form-Token"]
    response = client.post(
        thread_url("open", ARTICLE), json={"body": body, "author_name": "A", "form_token": token}
    )
    assert response.status_code == 201, response.get_json()
    return submitted(response)


def test_akismet_spam_verdict_marks_spam(akismet_client):
    _Akismet.answer, _Akismet.delay = b"true", 0.0
    comment = _post(akismet_client, "buy now")
    assert comment["status"] == "spam" and comment["held_because"] == ["akismet"]
    [sent] = _Akismet.seen
    assert sent["api_key"] == ["test-key"] and sent["comment_content"] == ["buy now"]


def test_akismet_slow_or_down_never_blocks_a_submission(akismet_client, akismet_server):
    _Akismet.answer, _Akismet.delay = b"true", 1.0
    assert _post(akismet_client, "slow answer")["status"] == "published"
    _Akismet.delay = 0.0
    _Akismet.answer = b"invalid"
    assert _post(akismet_client, "odd answer")["status"] == "published"
    akismet_server.shutdown()
    akismet_server.server_close()
    assert _post(akismet_client, "service down")["status"] == "published"


def test_the_authors_record_is_their_latest_comments(app, site, post, api):
    """An author's record costs the same for a prolific commenter as for a newcomer: it is read
    from their latest comments, so a rejection further back no longer counts against them."""
    from moderation.comments.screening import AUTHOR_RECORD_COMMENTS
    from moderation.models import Comment, Status

    set_rules(api, "news", auto_approve_trusted=True, trusted_min_approved=1)
    first = submitted(post(ARTICLE, body="long ago", author_email="p@x.example"))
    api("news", "post", f"/api/v1/comments/{first['id']}/decision", json={"action": "reject"})
    good = submitted(post(ARTICLE, body="good", author_email="p@x.example"))["id"]
    api("news", "post", f"/api/v1/comments/{good}/decision", json={"action": "approve"})
    assert submitted(post(ARTICLE, body="now?", author_email="p@x.example"))["status"] == "pending"

    with app.app_context():
        template = db.session.get(Comment, good)
        columns = {
            c.key: getattr(template, c.key) for c in Comment.__table__.columns if c.key != "id"
        }
        db.session.execute(
            db.insert(Comment),
            [columns | {"body_text": f"since {n}"} for n in range(AUTHOR_RECORD_COMMENTS)],
        )
        db.session.commit()
        assert template.status is Status.APPROVED
    later = submitted(post(ARTICLE, body="much later", author_email="p@x.example"))
    assert later["status"] == "approved", "the old rejection is outside the record now"
