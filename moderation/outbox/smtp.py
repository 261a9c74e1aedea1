"""Sending one mail through the configured SMTP server.

The worker needs one answer from a failed send: try again later, or give up. :class:`MailError`
carries it: a server that says no to the recipient or the message with a 5xx code will say no
again, while a 4xx, a timeout, a refused connection or a missing configuration may pass later.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import parseaddr
from urllib.parse import urlsplit

from ..config import Settings

log = logging.getLogger(__name__)

_DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class MailError(Exception):
    """A mail that was not sent; ``permanent`` says that sending it again cannot help."""

    def __init__(self, message: str, permanent: bool) -> None:
        super().__init__(message)
        self.permanent = permanent


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine, where a password sent in clear never leaves it."""
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        # Python 3.11 does not count ::ffff:127.0.0.1 as loopback, yet it is.
        return address.ipv4_mapped.is_loopback
    return address.is_loopback


def send(settings: Settings, message: EmailMessage, timeout: float = 10.0) -> None:
    """Hand ``message`` to the SMTP server of ``settings.smtp_url``, or raise :class:`MailError`.

    The envelope sender is ``settings.mail_from`` when set (else the message's From); the
    recipients are the message's To, Cc and Bcc, as smtplib reads them.
    """
    scheme, host, port = _server(settings.smtp_url)
    client = _connect(scheme, host, port, timeout)
    try:
        _hello(client, settings, encrypted=scheme == "smtps", host=host)
        _deliver(client, settings, message)
        _quit(client)
    finally:
        client.close()


def _server(url: str) -> tuple[str, str, int]:
    """The scheme, host and port of ``smtp_url``; a missing one makes mail wait for the operator."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        shown = f" (smtp:// or smtps://, not {scheme}://)" if scheme else ""
        raise MailError(f"no smtp_url configured{shown}", permanent=False)
    try:
        port = parts.port or _DEFAULT_PORTS[scheme]
    except ValueError:
        raise MailError("smtp_url has a port that is not a number", permanent=False) from None
    return scheme, parts.hostname, port


def _connect(scheme: str, host: str, port: int, timeout: float) -> smtplib.SMTP:
    try:
        if scheme == "smtps":
            return smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        return smtplib.SMTP(host, port, timeout=timeout)
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(
            f"cannot reach the SMTP server {host}:{port}: {_reason(exc)}", permanent=False
        ) from exc


def _hello(client: smtplib.SMTP, settings: Settings, *, encrypted: bool, host: str) -> None:
    """Greet, encrypt when the server offers it, and log in; nothing here depends on the message,
    so every failure is the server's or the configuration's and worth another try later."""
    try:
        client.ehlo_or_helo_if_needed()
        if not encrypted and client.has_extn("starttls"):
            client.starttls(context=ssl.create_default_context())
            client.ehlo()
            encrypted = True
        if not settings.smtp_user:
            return
        if not encrypted and not is_loopback(host):
            raise MailError(
                f"the SMTP server {host} offers no encryption (STARTTLS): "
                "not sending the password in clear",
                permanent=True,
            )
        client.login(settings.smtp_user, settings.smtp_password)
    except smtplib.SMTPAuthenticationError as exc:
        # A wrong password is fixed in the configuration; the mail can wait for that.
        raise MailError(
            f"the SMTP server refused the login: {_reason(exc)}", permanent=False
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(
            f"the SMTP server {host} failed before sending: {_reason(exc)}", permanent=False
        ) from exc


def _deliver(client: smtplib.SMTP, settings: Settings, message: EmailMessage) -> None:
    sender = parseaddr(settings.mail_from)[1] or None
    try:
        refused = client.send_message(message, from_addr=sender)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise MailError(
            f"the SMTP server refused the recipient: {_reason(exc)}",
            permanent=all(code >= 500 for code in codes),
        ) from exc
    except smtplib.SMTPSenderRefused as exc:
        raise MailError(
            f"the SMTP server refused the sender: {_reason(exc)}", permanent=exc.smtp_code >= 500
        ) from exc
    except smtplib.SMTPDataError as exc:
        raise MailError(
            f"the SMTP server refused the message: {_reason(exc)}", permanent=exc.smtp_code >= 500
        ) from exc
    except (smtplib.SMTPNotSupportedError, ValueError) as exc:
        # The message itself cannot go (no sender, an address this server cannot take).
        raise MailError(f"the message cannot be sent: {exc}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(
            f"the SMTP server failed while sending: {_reason(exc)}", permanent=False
        ) from exc
    if refused:
        # Sent to the others: sending again would repeat it to them.
        log.warning("SMTP server refused some recipients: %s", ", ".join(refused))


def _quit(client: smtplib.SMTP) -> None:
    """Say goodbye; the server has the mail already, so a failure here is not a failed send."""
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.quit()


def _reason(exc: BaseException) -> str:
    """The server's answer in one short line: its code and words, not smtplib's repr."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        answers = [_answer(code, text) for code, text in exc.recipients.values()]
        return "; ".join(answers) or "no recipients"
    if isinstance(exc, smtplib.SMTPResponseException):
        return _answer(exc.smtp_code, exc.smtp_error)
    if isinstance(exc, TimeoutError):
        return "no answer in time"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return (str(exc) or type(exc).__name__)[:200]


def _answer(code: int, text: bytes | str) -> str:
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(words.split())}"[:200]
