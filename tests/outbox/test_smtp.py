"""Sending one mail through a real SMTP server, and what a failure says about trying again."""

from __future__ import annotations

import shutil
import ssl
from email.message import EmailMessage

import pytest

from moderation.config import Settings
from moderation.outbox import smtp
from moderation.outbox.smtp import MailError, is_loopback, send

from .smtp_server import SmtpServer, free_port, self_signed_certificate


def _message(to: str = "reader@example.org") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Comments <comments@news.example>"
    message["To"] = to
    message["Subject"] = "Hello"
    message.set_content("A reply to your comment.")
    return message


def _settings(url: str, user: str = "", password: str = "") -> Settings:
    return Settings(
        smtp_url=url,
        smtp_user=user,
        smtp_password=password,
        mail_from="Comments <bounces@news.example>",
    )


@pytest.fixture
def auth_server():
    server = SmtpServer(users={"mailer": "s3cret"}).start()
    yield server
    server.stop()


@pytest.fixture
def certificate(tmp_path):
    if shutil.which("openssl") is None:
        pytest.fail("needs the openssl command (Debian: openssl) to make a certificate")
    return self_signed_certificate(tmp_path)


@pytest.fixture
def tls_server(certificate):
    server = SmtpServer(users={"mailer": "s3cret"}, certificate=certificate).start()
    yield server
    server.stop()


def test_mail_is_delivered_with_the_envelope_of_the_settings(smtp_server):
    send(_settings(smtp_server.url), _message())

    [received] = smtp_server.wait_for(1)
    assert received["Subject"] == "Hello"
    assert received.get_content().strip() == "A reply to your comment."
    assert smtp_server.envelopes == [("bounces@news.example", ["reader@example.org"])]


def test_without_mail_from_the_envelope_sender_is_the_message_from(smtp_server):
    send(Settings(smtp_url=smtp_server.url), _message())

    smtp_server.wait_for(1)
    assert smtp_server.envelopes == [("comments@news.example", ["reader@example.org"])]


@pytest.mark.parametrize("at", ["RCPT", "DATA"])
def test_a_busy_server_451_is_worth_retrying(smtp_server, at):
    smtp_server.refuse_next(1, code=451, at=at)

    with pytest.raises(MailError, match="451") as caught:
        send(_settings(smtp_server.url), _message())

    assert caught.value.permanent is False
    assert smtp_server.messages == []


@pytest.mark.parametrize("at", ["RCPT", "DATA"])
def test_a_refusal_550_is_permanent(smtp_server, at):
    smtp_server.refuse_next(1, code=550, at=at)

    with pytest.raises(MailError, match="550") as caught:
        send(_settings(smtp_server.url), _message())

    assert caught.value.permanent is True


def test_the_next_mail_goes_once_the_server_accepts_again(smtp_server):
    smtp_server.refuse_next(1, code=451)
    with pytest.raises(MailError):
        send(_settings(smtp_server.url), _message())

    send(_settings(smtp_server.url), _message())

    assert len(smtp_server.wait_for(1)) == 1


def test_a_server_that_is_down_is_worth_retrying():
    with pytest.raises(MailError, match="cannot reach") as caught:
        send(_settings(f"smtp://127.0.0.1:{free_port()}"), _message())

    assert caught.value.permanent is False


def test_smtps_to_a_server_without_tls_fails_and_is_worth_retrying(smtp_server):
    url = smtp_server.url.replace("smtp://", "smtps://")

    with pytest.raises(MailError) as caught:
        send(_settings(url), _message(), timeout=2.0)

    assert caught.value.permanent is False
    assert smtp_server.messages == []


@pytest.mark.parametrize("url", ["", "   ", "smtp://", "http://mail.example", "mail.example:25"])
def test_without_an_smtp_url_mail_waits(url):
    with pytest.raises(MailError, match="no smtp_url configured") as caught:
        send(_settings(url), _message())

    assert caught.value.permanent is False


def test_login_is_attempted_on_loopback_without_tls(auth_server):
    send(_settings(auth_server.url, user="mailer", password="s3cret"), _message())

    assert auth_server.logins == [("mailer", True)]
    assert len(auth_server.wait_for(1)) == 1


def test_a_wrong_password_waits_for_the_operator(auth_server):
    settings = _settings(auth_server.url, user="mailer", password="wrong")

    with pytest.raises(MailError, match="refused the login") as caught:
        send(settings, _message())

    assert caught.value.permanent is False
    assert auth_server.messages == []


def test_a_password_is_never_sent_in_clear_to_another_host(auth_server, monkeypatch):
    # The server is on loopback; pretend it is not, as a server across the network would be.
    monkeypatch.setattr(smtp, "is_loopback", lambda host: False)
    settings = _settings(auth_server.url, user="mailer", password="s3cret")

    with pytest.raises(MailError, match="not sending the password in clear") as caught:
        send(settings, _message())

    assert caught.value.permanent is True
    assert auth_server.logins == []
    assert auth_server.messages == []


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.10.20.30", True),
        ("::1", True),
        ("[::1]", True),
        ("::ffff:127.0.0.1", True),
        ("localhost", True),
        ("LocalHost.", True),
        ("10.0.0.1", False),
        ("192.168.1.10", False),
        ("mail.example", False),
        ("localhost.example", False),
        ("128.0.0.1", False),
    ],
)
def test_loopback_is_only_this_machine(host, loopback):
    assert is_loopback(host) is loopback


def test_starttls_is_used_whenever_the_server_offers_it(tls_server, certificate, monkeypatch):
    # Trust the test certificate, and treat the server as remote: the password may only go
    # because the connection is encrypted.
    default_context = ssl.create_default_context
    monkeypatch.setattr(
        ssl, "create_default_context", lambda: default_context(cafile=certificate[0])
    )
    monkeypatch.setattr(smtp, "is_loopback", lambda host: False)

    send(_settings(tls_server.url, user="mailer", password="s3cret"), _message())

    assert len(tls_server.wait_for(1)) == 1
    assert tls_server.encrypted == [True]
    assert tls_server.logins == [("mailer", True)]


def test_an_untrusted_certificate_stops_the_mail_and_is_worth_retrying(tls_server):
    with pytest.raises(MailError, match="certificate") as caught:
        send(_settings(tls_server.url), _message())

    assert caught.value.permanent is False
    assert tls_server.messages == []
