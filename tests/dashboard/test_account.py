"""The dashboard's accounts and defences: sign-in, sessions, the login throttle, CSRF, headers."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from moderation.dashboard import auth
from moderation.dashboard.security import CONTENT_SECURITY_POLICY, SESSION_COOKIE_NAME
from moderation.db import db
from moderation.models import LoginFailure, Moderator, utcnow

from .conftest import PASSWORD, Dashboard, held

# --- Signing in and out -----------------------------------------------------------------------


def test_pages_need_a_signed_in_moderator(client, site):
    response = client.get("/dashboard/queue?view=spam")
    assert response.status_code == 302
    assert response.location.startswith("/dashboard/login?next=")
    assert "view%3Dspam" in response.location


def test_json_endpoint_without_a_session_is_a_json_401(client, site):
    response = client.post("/dashboard/api/decisions", json={"ids": [1], "action": "approve"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_login_then_logout(dash, site, make_moderator):
    make_moderator()
    response = dash.login("MOD@newsroom.example")  # emails are case-insensitive
    assert response.location == "/dashboard/"
    assert "mod@newsroom.example" in dash.page("/dashboard/").get_data(as_text=True)
    assert dash.form("/dashboard/logout", expect=302).location == "/dashboard/login"
    assert dash.client.get("/dashboard/").status_code == 302


def test_login_returns_to_the_page_asked_for_but_never_elsewhere(dash, site, make_moderator):
    make_moderator()
    response = dash.client.post(
        "/dashboard/login",
        data={
            "email": "mod@newsroom.example",
            "password": PASSWORD,
            "csrf_token": dash.csrf(),
            "next": "/dashboard/log?action=reject",
        },
    )
    assert response.location == "/dashboard/log?action=reject"
    dash.form("/dashboard/logout")
    for hostile in ("https://evil.example/", "//evil.example/dashboard/", "/\\evil.example"):
        response = dash.client.post(
            "/dashboard/login",
            data={
                "email": "mod@newsroom.example",
                "password": PASSWORD,
                "csrf_token": dash.csrf(),
                "next": hostile,
            },
        )
        assert response.location == "/dashboard/", hostile
        dash.form("/dashboard/logout")


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(dash, site, make_moderator):
    make_moderator()
    wrong_password = dash.login("mod@newsroom.example", "not the password", expect=401)
    no_account = dash.login("nobody@newsroom.example", "not the password", expect=401)
    for response in (wrong_password, no_account):
        assert "Wrong email or password." in response.get_data(as_text=True)
    assert dash.client.get("/dashboard/").status_code == 302


def _session_cookie(response) -> str:
    (cookie,) = [
        c for c in response.headers.getlist("Set-Cookie") if c.startswith(SESSION_COOKIE_NAME + "=")
    ]
    return cookie


def test_session_cookie_is_httponly_and_samesite(dash, site, make_moderator):
    make_moderator()
    cookie = _session_cookie(dash.login("mod@newsroom.example"))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # plain HTTP (a local demo): a Secure cookie would never return


def test_session_cookie_is_secure_behind_https(app, site, make_moderator):
    make_moderator()
    https = Dashboard(app.test_client(), app, base_url="https://news.example")
    response = https.login("mod@newsroom.example")
    assert "Secure" in _session_cookie(response)
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))


def test_changing_the_password_signs_out_other_sessions(app, moderator):
    other = Dashboard(app.test_client(), app)
    other.login("mod@newsroom.example")
    other.page("/dashboard/queue")

    wrong = moderator.form(
        "/dashboard/password",
        {
            "current_password": "not it at all",
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert wrong.status_code == 400
    assert "current password is not right" in wrong.get_data(as_text=True)
    changed = moderator.form(
        "/dashboard/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "a brand new passphrase",
        },
    )
    assert changed.status_code == 302
    moderator.page("/dashboard/queue")  # this session goes on
    assert other.client.get("/dashboard/queue").status_code == 302  # the other one has ended
    other.login("mod@newsroom.example", expect=401)
    other.login("mod@newsroom.example", "a brand new passphrase")


def test_password_change_checks_length_and_confirmation(moderator):
    differ = moderator.form(
        "/dashboard/password",
        {
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "confirm_password": "another one entirely",
        },
    )
    assert differ.status_code == 400 and "differ" in differ.get_data(as_text=True)
    short = moderator.form(
        "/dashboard/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm_password": "short"},
    )
    assert short.status_code == 400 and "at least 10" in short.get_data(as_text=True)


def test_passwords_are_stored_as_scrypt_hashes(app, make_moderator, site):
    make_moderator()
    with app.app_context():
        stored = db.session.scalar(select(Moderator.password_hash))
    assert stored.startswith("scrypt:")
    assert PASSWORD not in stored


# --- The login throttle -----------------------------------------------------------------------


def _from(app, address: str) -> Dashboard:
    """A browser of its own, at ``address``."""
    browser = Dashboard(app.test_client(), app)
    browser.client.environ_base["REMOTE_ADDR"] = address
    return browser


def test_guesses_from_one_address_lock_that_address_out_of_the_account(app, site, make_moderator):
    make_moderator()
    attacker = _from(app, "198.51.100.66")
    for _ in range(auth.PAIR_LIMIT):
        attacker.login("mod@newsroom.example", "guess", expect=401)
    # Locked: even the right password is refused from there, and not even checked.
    locked = attacker.login("mod@newsroom.example", PASSWORD, expect=429)
    assert "Too many failed sign-ins" in locked.get_data(as_text=True)
    assert int(locked.headers["Retry-After"]) > 0
    # The moderator, elsewhere, is not locked out by someone else's guesses.
    _from(app, "203.0.113.9").login("mod@newsroom.example", PASSWORD)

    # Once the failures age out of the window, the address may try again.
    with app.app_context():
        for failure in db.session.scalars(select(LoginFailure)):
            failure.created_at -= auth.THROTTLE_WINDOW + timedelta(seconds=1)
        db.session.commit()
    attacker.login("mod@newsroom.example", PASSWORD)


def _botnet(app, guesses: int) -> None:
    """Failed guesses at the moderator's account, each from another address.

    The first ``ACCOUNT_SLOWDOWN`` go through the login form; the rest are counted through the
    core, since over HTTP they would be slowed themselves (as they should be)."""
    for n in range(min(guesses, auth.ACCOUNT_SLOWDOWN)):
        _from(app, f"198.51.100.{n}").login("mod@newsroom.example", "guess", expect=401)
    with app.app_context():
        for n in range(auth.ACCOUNT_SLOWDOWN, guesses):
            keys = auth.counters("test-secret", "mod@newsroom.example", f"198.51.100.{n}")
            auth.record_failure(db.session(), keys, utcnow())
        db.session.commit()


def test_guesses_from_everywhere_slow_strangers_but_not_a_known_device(app, site, make_moderator):
    make_moderator()
    # The moderator signed in from their laptop before: it keeps a device cookie.
    laptop = _from(app, "203.0.113.9")
    laptop.login("mod@newsroom.example")
    laptop.form("/dashboard/logout")
    _botnet(app, auth.ACCOUNT_SLOWDOWN + 6)
    # The botnet's next guess, and a stranger even with the right password, wait their turn...
    _from(app, "198.51.100.99").login("mod@newsroom.example", "guess", expect=429)
    stranger = _from(app, "192.0.2.200").login("mod@newsroom.example", PASSWORD, expect=429)
    assert 30 < int(stranger.headers["Retry-After"]) <= 61
    # ...the moderator's known device signs in at once.
    laptop.login("mod@newsroom.example")
    assert laptop.page("/dashboard/").status_code == 200


def test_the_slowdown_lets_a_stranger_try_once_the_pause_is_over(app, site, make_moderator):
    make_moderator()
    _botnet(app, auth.ACCOUNT_SLOWDOWN + 6)
    newcomer = _from(app, "192.0.2.201")
    newcomer.login("mod@newsroom.example", PASSWORD, expect=429)
    with app.app_context():
        for failure in db.session.scalars(select(LoginFailure)):
            failure.created_at -= auth.MAX_PAUSE
        db.session.commit()
    newcomer.login("mod@newsroom.example", PASSWORD)


def test_login_throttle_locks_an_address_trying_many_accounts(app, dash, site, make_moderator):
    make_moderator()
    dash.client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    for i in range(auth.ADDRESS_LIMIT):
        dash.login(f"guess{i}@newsroom.example", "guess", expect=401)
    dash.login("mod@newsroom.example", PASSWORD, expect=429)
    _from(app, "198.51.100.8").login("mod@newsroom.example", PASSWORD)


def test_a_successful_login_clears_the_accounts_failures(dash, site, make_moderator):
    make_moderator()
    for _ in range(auth.PAIR_LIMIT - 1):
        dash.login("mod@newsroom.example", "guess", expect=401)
    dash.login("mod@newsroom.example")
    dash.form("/dashboard/logout")
    for _ in range(auth.PAIR_LIMIT - 1):
        dash.login("mod@newsroom.example", "guess", expect=401)
    dash.login("mod@newsroom.example")


def test_login_failures_keep_neither_emails_nor_addresses(app, dash, site):
    dash.client.environ_base["REMOTE_ADDR"] = "192.0.2.55"
    dash.login("someone.typed.this@newsroom.example", "guess", expect=401)
    with app.app_context():
        keys = list(db.session.scalars(select(LoginFailure.key)))
    assert len(keys) == 3
    assert not any("someone" in k or "192.0.2.55" in k for k in keys)
    assert {k.split(":")[0] for k in keys} == {"account", "pair", "ip"}


def test_a_device_cookie_names_its_account_and_cannot_be_forged(app, dash, site, make_moderator):
    make_moderator()
    dash.login("mod@newsroom.example")
    cookie = dash.client.get_cookie(auth.DEVICE_COOKIE, path="/dashboard/")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict"
    with app.app_context():
        assert auth.known_device_of(cookie.value, "test-secret") == 1
        assert auth.known_device_of(cookie.value[:-2] + "xx", "test-secret") is None
        assert auth.known_device_of(cookie.value, "another secret") is None


# --- CSRF -------------------------------------------------------------------------------------


def test_form_post_without_csrf_token_is_refused(app, moderator, post):
    [cid] = held(post, 1)
    for data in ({}, {"csrf_token": "forged"}):
        response = moderator.client.post(
            "/dashboard/decisions", data={"ids": cid, "action": "approve", **data}
        )
        assert response.status_code == 403
        assert "expired" in response.get_data(as_text=True)
    moderator.page("/dashboard/queue?view=pending")
    assert f'id="comment-{cid}"' in moderator.page("/dashboard/queue").get_data(as_text=True)


def test_json_decision_without_csrf_header_is_refused_in_the_error_shape(moderator, post):
    [cid] = held(post, 1)
    response = moderator.client.post(
        "/dashboard/api/decisions", json={"ids": [cid], "action": "approve"}
    )
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "forbidden" and "expired" in error["message"]
    wrong = moderator.client.post(
        "/dashboard/api/decisions",
        json={"ids": [cid], "action": "approve"},
        headers={"X-CSRF-Token": "not-the-token"},
    )
    assert wrong.status_code == 403


def test_request_from_another_origin_is_refused_even_with_the_token(moderator, post):
    [cid] = held(post, 1)
    token = moderator.csrf()
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = moderator.client.post(
            "/dashboard/api/decisions",
            json={"ids": [cid], "action": "approve"},
            headers={"X-CSRF-Token": token, **headers},
        )
        assert response.status_code == 403, headers
    same = moderator.client.post(
        "/dashboard/api/decisions",
        json={"ids": [cid], "action": "approve"},
        headers={"X-CSRF-Token": token, "Origin": "http://localhost"},
    )
    assert same.status_code == 200


def test_login_and_logout_need_the_csrf_token_too(dash, site, make_moderator):
    make_moderator()
    login = dash.client.post(
        "/dashboard/login", data={"email": "mod@newsroom.example", "password": PASSWORD}
    )
    assert login.status_code == 403
    dash.login("mod@newsroom.example")
    assert dash.client.post("/dashboard/logout").status_code == 403
    dash.page("/dashboard/")  # still signed in


def test_signing_in_starts_a_new_csrf_token(dash, site, make_moderator):
    make_moderator()
    before = dash.csrf()
    dash.login("mod@newsroom.example")
    assert dash.csrf() != before


# --- Headers ----------------------------------------------------------------------------------


def test_pages_send_the_csp_and_are_not_cached(moderator):
    for path in ("/dashboard/", "/dashboard/queue", "/dashboard/login", "/dashboard/nowhere"):
        response = moderator.client.get(path)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert moderator.client.get("/dashboard/queue").headers["Cache-Control"] == "no-store"


def test_csp_forbids_inline_script_and_the_pages_have_none(moderator, post):
    held(post, 2)
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    html = moderator.page("/dashboard/queue").get_data(as_text=True)
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts == ['<script src="/dashboard/static/dashboard.js" defer>']
    assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html)


def test_static_files_are_served(client):
    for name in ("dashboard.js", "dashboard.css"):
        response = client.get(f"/dashboard/static/{name}")
        assert response.status_code == 200, name
        response.close()
